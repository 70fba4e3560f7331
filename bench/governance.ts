// Governance: (1) the rate-limit guard's cost per request, measured in process, sequentially —
// on PGlite (embedded), on PostgreSQL over loopback, and for a key already over its limit
// (refused from memory); (2) the admin monitoring query over 1,000,000 `ai_log` rows on PostgreSQL.
// Targets: limiter p50 ≤ 0.1 ms; monitoring ≤ 200 ms.
// Usage: node bench/governance.ts [--requests 3000] [--rows 1000000]
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { resolveTierLimits } from '../src/governance/limits/config.ts'
import { createCounterPool } from '../src/governance/limits/counters.ts'
import { createRateLimitGuard } from '../src/governance/limits/rate-limits.ts'
import { aiMonitoring, type MonitoringWindow } from '../src/governance/monitoring/report.ts'
import { openDatabase, type Database } from '../src/data/db.ts'
import { migrate } from '../src/data/migrate.ts'
import { ADMIN_URL, admin, postgresAvailable, printTable } from './lib/server.ts'

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '3000' }, rows: { type: 'string', default: '1000000' } },
})
const requests = Number(values.requests)
const rowCount = Number(values.rows)

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
const ms = (n: number) => Math.round(n * 1000) / 1000
const SEED_BATCH = 10_000

async function freshPostgres(): Promise<{ db: Database; drop(): Promise<void> }> {
  const name = `oq_bench_gov_${Date.now().toString(36)}`
  await admin(`create database ${name}`)
  const db = await openDatabase({ kind: 'postgres', url: ADMIN_URL.replace(/\/[^/]*$/, `/${name}`), poolSize: 10 })
  await migrate(db)
  return {
    db,
    async drop() {
      await db.close()
      await admin(`drop database if exists ${name} with (force)`)
    },
  }
}

type LimiterMode = 'leased' | 'unleased' | 'over'
const LIMITER_CASES: Record<LimiterMode, string> = {
  leased: 'allowed, busy keys (leases)',
  unleased: 'allowed, one call each (no leases)',
  over: 'already over (memory)',
}

async function timeLimiter(db: Database, mode: LimiterMode): Promise<number[]> {
  // Limits high enough that every measured request is allowed (or, for `over`, a tiny one).
  // `unleased` is the reference: every request is one call of rate_limit_take (as for limits too
  // small to lease, such as 10 a minute).
  const limits =
    mode === 'over'
      ? resolveTierLimits({ free: { perMinute: 1 } })
      : resolveTierLimits({ free: { perMinute: 1e9, perHour: 1e9, perDay: 1e9, tokensPerDay: 1e9 } })
  const counters = createCounterPool(db, mode === 'unleased' ? { minRoom: 2 ** 31 - 1 } : {})
  const guard = createRateLimitGuard({ counters, limits, keyPrefix: `bench_${mode}` })
  const users = Array.from({ length: 50 }, () => randomUUID())
  if (mode === 'over')
    for (const userId of users)
      await guard
        .consumeRequest({ userId, tier: 'free' })
        .then(() => guard.consumeRequest({ userId, tier: 'free' }))
        .catch(() => undefined)
  const times: number[] = []
  for (let i = 0; i < requests + 200; i++) {
    const caller = { userId: users[i % users.length]!, tier: 'free' as const, requestId: `r${i}` }
    const t0 = performance.now()
    try {
      await guard.before(caller, { feature: 'bench', estimatedTokens: 500 })
    } catch {
      // `over`: refused, as intended.
    }
    const t = performance.now() - t0
    if (i >= 200) times.push(t)
  }
  await counters.close()
  return times.sort((a, b) => a - b)
}

const limiterRows: Array<Record<string, string | number>> = []
const pglite = await openDatabase({ kind: 'pglite' })
await migrate(pglite)
for (const mode of ['leased', 'unleased', 'over'] as const) {
  const t = await timeLimiter(pglite, mode)
  limiterRows.push({
    backend: 'pglite (in process)',
    case: LIMITER_CASES[mode],
    requests,
    'p50 ms': ms(quantile(t, 0.5)),
    'p95 ms': ms(quantile(t, 0.95)),
    'p99 ms': ms(quantile(t, 0.99)),
    target: 'p50 ≤ 0.1 ms',
  })
}
await pglite.close()

const hasPostgres = await postgresAvailable()
const monitoringRows: Array<Record<string, string | number>> = []
if (hasPostgres) {
  const pgdb = await freshPostgres()
  try {
    for (const mode of ['leased', 'unleased', 'over'] as const) {
      const t = await timeLimiter(pgdb.db, mode)
      limiterRows.push({
        backend: 'postgres (loopback)',
        case: LIMITER_CASES[mode],
        requests,
        'p50 ms': ms(quantile(t, 0.5)),
        'p95 ms': ms(quantile(t, 0.95)),
        'p99 ms': ms(quantile(t, 0.99)),
        target: 'p50 ≤ 0.1 ms',
      })
    }

    // 1,000,000 ledger rows over 30 days: 5 providers, 10 models, 8 features, 1,000 users, 3 % errors.
    const t0 = performance.now()
    await pgdb.db.exec(
      `insert into users (id, email) select ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid, 'bench' || g || '@example.com' from generate_series(1, 1000) g`,
    )
    // In statements of 10,000 rows, oldest first, as the ledger's batches arrive: each statement
    // fires the rollup trigger once (migration 0004).
    for (let start = 1; start <= rowCount; start += SEED_BATCH) {
      await pgdb.db.exec(`
        insert into ai_log (request_id, user_id, feature, provider, model, status, error_class, latency_ms, input_tokens, output_tokens, cost_usd, cache_hit, fallback_used, created_at)
        select 'b' || g,
          ('00000000-0000-4000-8000-' || lpad((1 + g % 1000)::text, 12, '0'))::uuid,
          'feature_' || (g % 8),
          (array['openai','anthropic','google','mistral','azure'])[1 + g % 5],
          'model_' || (g % 10),
          case when g % 33 = 0 then 'error' else 'ok' end,
          case when g % 33 = 0 then (array['timeout','server_error','rate_limited'])[1 + g % 3] end,
          50 + (g::bigint * 7919) % 4000,
          100 + g % 900, 50 + g % 400,
          ((g % 1000) / 100000.0)::numeric,
          g % 10 = 0, g % 25 = 0,
          now() - (((${rowCount} - g)::double precision / ${rowCount}) * interval '30 days')
        from generate_series(${start}, ${Math.min(rowCount, start + SEED_BATCH - 1)}) g`)
    }
    await pgdb.db.exec(
      `insert into provider_status_history (provider, status, created_at) select p, (array['healthy','degraded','down','healthy'])[1 + h % 4], now() - h * interval '3 hours' from unnest(array['openai','anthropic','google','mistral','azure']) p, generate_series(1, 240) h`,
    )
    await pgdb.db.exec(
      'analyze ai_log; analyze ai_log_rollup; analyze ai_log_error_rollup; analyze ai_log_user_daily; analyze provider_status_history; analyze users',
    )
    const loadSeconds = Math.round((performance.now() - t0) / 100) / 10
    for (const window of ['1h', '24h', '7d', '30d'] as MonitoringWindow[]) {
      const runs: number[] = []
      for (let i = 0; i < 6; i++) {
        const s = performance.now()
        const r = await aiMonitoring(pgdb.db, window)
        const t = performance.now() - s
        if (i === 0) monitoringRows.push({ window, 'rows in window': r.totals.requests, percentiles: r.percentiles })
        else runs.push(t)
      }
      runs.sort((a, b) => a - b)
      Object.assign(monitoringRows[monitoringRows.length - 1]!, {
        'median ms': Math.round(quantile(runs, 0.5)),
        'max ms': Math.round(runs[runs.length - 1]!),
        target: '≤ 200 ms',
      })
    }
    console.log(`loaded ${rowCount} ai_log rows in ${loadSeconds} s`)
  } finally {
    await pgdb.drop()
  }
}

printTable(
  `Rate-limit guard cost per request (sequential, ${requests} requests, 50 users; minute/hour/day + tokens/day)`,
  limiterRows,
)
if (hasPostgres)
  printTable(
    `Monitoring query (GET /api/admin/ai-monitoring) over ${rowCount.toLocaleString('en')} ai_log rows, PostgreSQL; 5 runs after 1 warm-up`,
    monitoringRows,
  )
else console.log('PostgreSQL unreachable: monitoring benchmark skipped')
