// HTTP baseline: autocannon against GET /api/auth/me (valid token) and /healthz, on PGlite and
// PostgreSQL, 100 connections. Target: /api/auth/me p99 ≤ 10 ms on PostgreSQL.
// Usage: node bench/http-baseline.ts [--duration 10]
import autocannon from 'autocannon'
import { parseArgs } from 'node:util'
import { postgresAvailable, printTable, signupToken, startServer } from './lib/server.ts'

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '100' } },
})
const duration = Number(values.duration)
const connections = Number(values.connections)

type Row = Record<string, string | number>
const rows: Row[] = []
const backends: Array<'pglite' | 'postgres'> = (await postgresAvailable()) ? ['pglite', 'postgres'] : ['pglite']

// The default reuses a verified session for AUTH_CACHE_MS (2 s); the last run re-reads the user
// and the token's revocation from the database on every request.
const variants: Array<{ backend: 'pglite' | 'postgres'; cacheMs: string }> = [
  ...backends.map((backend) => ({ backend, cacheMs: '2000' })),
  ...(backends.includes('postgres') ? [{ backend: 'postgres' as const, cacheMs: '0' }] : []),
]

for (const { backend, cacheMs } of variants) {
  const server = await startServer(backend, { AUTH_CACHE_MS: cacheMs })
  try {
    const token = await signupToken(server.url)
    const paths =
      cacheMs === '0'
        ? ([['/api/auth/me', { authorization: `Bearer ${token}` }]] as const)
        : ([
            ['/healthz', {}],
            ['/api/auth/me', { authorization: `Bearer ${token}` }],
          ] as const)
    for (const [path, headers] of paths) {
      // A short warm-up, then the measured run.
      await autocannon({ url: `${server.url}${path}`, connections, duration: 2, headers })
      const result = await autocannon({ url: `${server.url}${path}`, connections, duration, headers })
      const target = path === '/api/auth/me' && backend === 'postgres' ? 'p99 ≤ 10 ms' : '—'
      rows.push({
        backend,
        endpoint: path,
        AUTH_CACHE_MS: path === '/healthz' ? '—' : cacheMs,
        rps: Math.round(result.requests.average),
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        errors: result.errors + result.non2xx,
        target,
      })
    }
  } finally {
    await server.stop()
  }
}
printTable(`HTTP baseline, ${connections} connections, ${duration} s per run`, rows)
