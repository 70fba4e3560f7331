// Gateway overhead: our POST /v1/chat/completions with the full pipeline (API-key auth, breaker,
// router, ledger; cache miss) against the provider simulator with no added latency, side by side
// with direct calls to the simulator in the same run, at 1 and 50 connections; plus cache hits and
// the server's peak RSS. Targets (2 cores): added p50 ≤ 0.3 ms and p99 ≤ 2 ms at 1 connection,
// ≥ 5,000 RPS at 50 connections, cache-hit p99 ≤ 1 ms added, RSS ≤ 200 MB.
// Usage: node bench/gateway.ts [--duration 5] [--backend pglite|postgres] [--limits on|off]
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'
import { printTable, startServer } from './lib/server.ts'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    backend: { type: 'string', default: 'pglite' },
    limits: { type: 'string', default: 'on' },
  },
})
const durationMs = Number(values.duration) * 1000
const backend = values.backend === 'postgres' ? 'postgres' : 'pglite'

const SIMULATOR = new URL('../src/simulator/index.ts', import.meta.url).pathname

/** The simulator in its own process, so it does not share an event loop with the load or the gateway. */
async function startSimulator(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = 40_000 + Math.floor(Math.random() * 10_000)
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { createSimulator } = await import(${JSON.stringify(SIMULATOR)}); await createSimulator({ port: ${port}, host: '127.0.0.1' }); console.log('ready')`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve())
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    },
  }
}

type Measure = { rps: number; p50: number; p90: number; p99: number; errors: number; headers: Record<string, string> }

/** `connections` closed loops for `durationMs`; latency per request in ms with µs precision. */
async function load(
  url: string,
  path: string,
  headers: Record<string, string>,
  body: string,
  connections: number,
  ms: number,
): Promise<Measure> {
  const pool = new Pool(url, { connections, pipelining: 1 })
  const latencies: number[] = []
  let errors = 0
  let lastHeaders: Record<string, string> = {}
  const end = performance.now() + ms
  const loop = async () => {
    while (performance.now() < end) {
      const started = performance.now()
      try {
        const response = await pool.request({
          path,
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        })
        await response.body.text()
        if (response.statusCode !== 200) errors += 1
        else latencies.push(performance.now() - started)
        lastHeaders = response.headers as Record<string, string>
      } catch {
        errors += 1
      }
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: connections }, loop))
  const elapsed = performance.now() - started
  await pool.close()
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN
  return {
    rps: Math.round((latencies.length / elapsed) * 1000),
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    errors,
    headers: lastHeaders,
  }
}

/** VmRSS (now) and VmHWM (peak since start, PGlite's initdb included) of a process, in MB. */
async function memory(pid: number | undefined): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const mb = (field: string) => Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024)
  return { rss: mb('VmRSS'), hwm: mb('VmHWM') }
}

const simulator = await startSimulator()
const server = await startServer(backend, {
  AI_PROVIDER: 'openai',
  OPENAI_API_KEY: 'sim-openai-key',
  OPENAI_BASE_URL: `${simulator.url}/openai/v1`,
  // Limits and budgets stay on by default (their cost is part of the figure), raised so the load is
  // never refused; `--limits off` measures the gateway without governance guards.
  AI_LIMITS_ENABLED: values.limits === 'off' ? 'false' : 'true',
  AI_RATE_LIMITS: JSON.stringify({
    free: { perMinute: 100_000_000, perHour: 100_000_000, perDay: 100_000_000, tokensPerDay: 1_000_000_000 },
  }),
  AI_BUDGETS: JSON.stringify({
    user: { free: { dailyUsd: 1_000_000, monthlyUsd: 1_000_000 } },
    global: { dailyUsd: 1_000_000, monthlyUsd: 1_000_000 },
  }),
})
try {
  const signup = await fetch(`${server.url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench.${Date.now()}@example.com`, password: 'bench password 123' }),
  })
  const { token } = (await signup.json()) as { token: string }
  const created = await fetch(`${server.url}/api/keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'bench' }),
  })
  const { key } = (await created.json()) as { key: string }

  const messages = [{ role: 'user', content: 'Give one growth tip for a ten-person agency.' }]
  const direct = {
    url: simulator.url,
    path: '/openai/v1/chat/completions',
    headers: { authorization: 'Bearer sim-openai-key' },
    body: JSON.stringify({ model: 'gpt-4.1-mini', messages }),
  }
  const gateway = {
    url: server.url,
    path: '/v1/chat/completions',
    headers: { authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'default', messages }),
  }
  const cached = { ...gateway, headers: { ...gateway.headers, 'x-optimaliq-cache-ttl': '600' } }

  const idle = await memory(server.process.pid)
  // The largest RSS seen while the load runs (sampled), apart from the start-up peak.
  let underLoad = idle.rss
  const sampler = setInterval(
    () =>
      void memory(server.process.pid).then(
        (m) => (underLoad = Math.max(underLoad, m.rss)),
        () => undefined,
      ),
    100,
  )
  const rows: Array<Record<string, string | number>> = []
  const fmt = (n: number) => n.toFixed(3)
  for (const connections of [1, 50]) {
    // Warm both paths (JIT, pools, key cache), then measure them back to back.
    await load(direct.url, direct.path, direct.headers, direct.body, connections, 1000)
    await load(gateway.url, gateway.path, gateway.headers, gateway.body, connections, 1000)
    const d = await load(direct.url, direct.path, direct.headers, direct.body, connections, durationMs)
    const g = await load(gateway.url, gateway.path, gateway.headers, gateway.body, connections, durationMs)
    if (g.headers['x-optimaliq-cache'] !== 'miss') throw new Error('the miss run hit the cache')
    rows.push({
      run: `direct simulator`,
      conns: connections,
      rps: d.rps,
      'p50 ms': fmt(d.p50),
      'p90 ms': fmt(d.p90),
      'p99 ms': fmt(d.p99),
      'added p50': '—',
      'added p99': '—',
      errors: d.errors,
      target: '—',
    })
    rows.push({
      run: 'gateway /v1 (miss)',
      conns: connections,
      rps: g.rps,
      'p50 ms': fmt(g.p50),
      'p90 ms': fmt(g.p90),
      'p99 ms': fmt(g.p99),
      'added p50': fmt(g.p50 - d.p50),
      'added p99': fmt(g.p99 - d.p99),
      errors: g.errors,
      target: connections === 1 ? 'added p50 ≤ 0.3, p99 ≤ 2' : 'rps ≥ 5,000',
    })
    await load(cached.url, cached.path, cached.headers, cached.body, connections, 500)
    const c = await load(cached.url, cached.path, cached.headers, cached.body, connections, durationMs)
    if (c.headers['x-optimaliq-cache'] !== 'hit') throw new Error('the hit run missed the cache')
    rows.push({
      run: 'gateway /v1 (cache hit)',
      conns: connections,
      rps: c.rps,
      'p50 ms': fmt(c.p50),
      'p90 ms': fmt(c.p90),
      'p99 ms': fmt(c.p99),
      'added p50': fmt(c.p50 - d.p50),
      'added p99': fmt(c.p99 - d.p99),
      errors: c.errors,
      target: connections === 1 ? 'added p99 ≤ 1' : '—',
    })
  }
  printTable(
    `Gateway /v1 vs direct simulator (${backend}, limits ${values.limits}, ${durationMs / 1000} s per run, Node ${process.version})`,
    rows,
  )
  clearInterval(sampler)
  const end = await memory(server.process.pid)
  printTable('Server memory (MB)', [
    {
      'RSS idle before load': idle.rss,
      'max RSS under load': underLoad,
      'peak since start (VmHWM)': end.hwm,
      target: 'under load ≤ 200',
    },
  ])
} finally {
  await server.stop()
  await simulator.stop()
}
