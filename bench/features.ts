// AI features: GET /api/dashboard when cached (100 connections, target p99 ≤ 20 ms), and a cold
// dashboard generation end to end (scores, SQL benchmarks, the dashboard_insights feature through
// the gateway to the provider simulator with no added latency, store + event), p50.
// Usage: node bench/features.ts [--duration 10] [--cold 40] [--backend pglite|postgres]
import autocannon from 'autocannon'
import { parseArgs } from 'node:util'
import { createSimulator } from '../src/simulator/index.ts'
import { postgresAvailable, printTable, signupToken, startServer } from './lib/server.ts'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '100' },
    cold: { type: 'string', default: '40' },
    backend: { type: 'string' },
  },
})
const duration = Number(values.duration)
const connections = Number(values.connections)
const coldRuns = Number(values.cold)

const GROWTH = {
  companySize: '11-50',
  revenueRange: '1m_5m',
  obstacles: ['scaling'],
  strategy: 'informal',
  process: true,
  customers: 'anecdotal',
  technology: 'needs_work',
}

async function api(url: string, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const json = (await response.json()) as Record<string, unknown>
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`)
  return json
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
const rows: Array<Record<string, string | number>> = []
const sim = await createSimulator({ port: 0, host: '127.0.0.1' })
const available: Array<'pglite' | 'postgres'> = (await postgresAvailable()) ? ['pglite', 'postgres'] : ['pglite']
const backends = values.backend ? available.filter((b) => b === values.backend) : available

try {
  for (const backend of backends) {
    const server = await startServer(backend, { ...sim.env(['openai']), AI_PROVIDER: 'openai' })
    try {
      // Cold: a fresh user per run (own industry, so neither the dashboard nor the gateway cache can answer).
      const cold: number[] = []
      let provider = ''
      for (let i = 0; i < coldRuns; i++) {
        const token = await signupToken(server.url)
        await api(server.url, token, 'POST', '/api/growth-assessment', {
          ...GROWTH,
          industry: `Bench industry ${backend} ${i} ${Date.now()}`,
        })
        const started = performance.now()
        const dashboard = await api(server.url, token, 'GET', '/api/dashboard')
        cold.push(performance.now() - started)
        if (dashboard.cached !== false) throw new Error('expected a cold dashboard')
        provider = String(dashboard.provider)
      }
      cold.sort((a, b) => a - b)
      rows.push({
        backend,
        measure: `cold GET /api/dashboard (provider ${provider}), ${coldRuns} users`,
        rps: '—',
        'p50 ms': pct(cold, 50).toFixed(1),
        'p99 ms': pct(cold, 99).toFixed(1),
        errors: 0,
        target: 'p50 (recorded)',
      })

      // Cached: one user's stored dashboard under load.
      const token = await signupToken(server.url)
      await api(server.url, token, 'POST', '/api/growth-assessment', { ...GROWTH, industry: 'Bench cached' })
      await api(server.url, token, 'GET', '/api/dashboard')
      const headers = { authorization: `Bearer ${token}` }
      await autocannon({ url: `${server.url}/api/dashboard`, connections, duration: 2, headers })
      const result = await autocannon({ url: `${server.url}/api/dashboard`, connections, duration, headers })
      rows.push({
        backend,
        measure: `cached GET /api/dashboard, ${connections} connections, ${duration} s`,
        rps: Math.round(result.requests.average),
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        errors: result.errors + result.non2xx,
        target: 'p99 ≤ 20 ms',
      })
      // Reference under the same conditions: the cheapest authenticated endpoint.
      const me = await autocannon({ url: `${server.url}/api/auth/me`, connections, duration, headers })
      rows.push({
        backend,
        measure: `reference GET /api/auth/me, ${connections} connections, ${duration} s`,
        rps: Math.round(me.requests.average),
        'p50 ms': me.latency.p50,
        'p99 ms': me.latency.p99,
        errors: me.errors + me.non2xx,
        target: '—',
      })
    } finally {
      await server.stop()
    }
  }
} finally {
  await sim.close()
}
printTable(
  `AI features: dashboard (load average ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at the end)`,
  rows,
)
