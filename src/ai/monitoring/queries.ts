import type { Database } from '../../data/db.ts'

/**
 * The admin monitoring figures, each one SQL statement over `ai_log` (index on created_at) and
 * `provider_status_history`: nothing is loaded row by row into the process. On PostgreSQL the
 * statements run in parallel on the pool.
 */

export const WINDOWS = { '1h': { ms: 3_600_000, bucket: '5 minutes' }, '24h': { ms: 86_400_000, bucket: '1 hour' }, '7d': { ms: 7 * 86_400_000, bucket: '6 hours' }, '30d': { ms: 30 * 86_400_000, bucket: '1 day' } } as const
export type MonitoringWindow = keyof typeof WINDOWS

export type Breakdown = {
  requests: number
  successRate: number
  errorRate: number
  p50LatencyMs: number | null
  p95LatencyMs: number | null
  p99LatencyMs: number | null
  inputTokens: number
  outputTokens: number
  costUsd: number
  fallbackRate: number
  cacheHitRate: number
}

export type MonitoringReport = {
  window: MonitoringWindow
  from: string
  to: string
  totals: Breakdown
  byProvider: Array<{ provider: string } & Breakdown & { errorsByClass: Record<string, number> }>
  byModel: Array<{ provider: string; model: string } & Breakdown>
  byFeature: Array<{ feature: string } & Breakdown>
  uptime: Array<{ provider: string; uptime: number | null; status: string | null; since: string | null }>
  topUsers: Array<{ userId: string; email: string | null; requests: number; costUsd: number }>
  series: Array<{ bucket: string; requests: number; errors: number; costUsd: number; tokens: number; p95LatencyMs: number | null }>
}

type RawBreakdown = { g: number; provider: string | null; model: string | null; feature: string | null; requests: string; ok: string; p50: number | null; p95: number | null; p99: number | null; input: string | null; output: string | null; cost: string | null; fallback: string; cached: string }

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v))
const nullable = (v: unknown) => (v === null || v === undefined ? null : Number(v))

function breakdown(r: RawBreakdown | undefined): Breakdown {
  const requests = n(r?.requests)
  const rate = (x: unknown) => (requests > 0 ? n(x) / requests : 0)
  return {
    requests,
    successRate: rate(r?.ok),
    errorRate: requests > 0 ? 1 - rate(r?.ok) : 0,
    p50LatencyMs: nullable(r?.p50),
    p95LatencyMs: nullable(r?.p95),
    p99LatencyMs: nullable(r?.p99),
    inputTokens: n(r?.input),
    outputTokens: n(r?.output),
    costUsd: n(r?.cost),
    fallbackRate: rate(r?.fallback),
    cacheHitRate: rate(r?.cached),
  }
}

export async function aiMonitoring(db: Database, window: MonitoringWindow, now = new Date()): Promise<MonitoringReport> {
  const from = new Date(now.getTime() - WINDOWS[window].ms).toISOString()
  const to = now.toISOString()
  const range = [from, to]
  // One scan, four groupings: (), (provider), (provider, model), (feature).
  const grouped = db.query<RawBreakdown>(
    `select grouping(provider, model, feature) as g, provider, model, feature,
        count(*) as requests, count(*) filter (where status = 'ok') as ok,
        percentile_cont(0.5) within group (order by latency_ms) as p50,
        percentile_cont(0.95) within group (order by latency_ms) as p95,
        percentile_cont(0.99) within group (order by latency_ms) as p99,
        sum(input_tokens) as input, sum(output_tokens) as output, sum(cost_usd) as cost,
        count(*) filter (where fallback_used) as fallback, count(*) filter (where cache_hit) as cached
      from ai_log where created_at >= $1 and created_at <= $2
      group by grouping sets ((), (provider), (provider, model), (feature))`,
    range,
  )
  const errors = db.query<{ provider: string | null; error_class: string | null; n: string }>(
    `select provider, coalesce(error_class, 'unknown') as error_class, count(*) as n from ai_log
      where created_at >= $1 and created_at <= $2 and status = 'error' group by 1, 2`,
    range,
  )
  const uptime = db.query<{ provider: string; uptime: number | null; status: string | null; since: string | Date | null }>(
    `with points as (
        select provider, status, created_at as t from provider_status_history where created_at > $1 and created_at <= $2
        union all
        (select distinct on (provider) provider, status, $1::timestamptz as t from provider_status_history where created_at <= $1 order by provider, created_at desc)
      ), spans as (
        select provider, status, t, coalesce(lead(t) over (partition by provider order by t), $2::timestamptz) as t1 from points
      ), latest as (
        select distinct on (provider) provider, status, t from points order by provider, t desc
      )
      select s.provider,
        sum(extract(epoch from s.t1 - s.t)) filter (where s.status <> 'down') / nullif(sum(extract(epoch from s.t1 - s.t)), 0) as uptime,
        l.status, l.t as since
      from spans s join latest l using (provider) group by s.provider, l.status, l.t order by s.provider`,
    range,
  )
  const topUsers = db.query<{ user_id: string; email: string | null; requests: string; cost: string | null }>(
    `select t.user_id, u.email, t.requests, t.cost from (
        select user_id, count(*) as requests, sum(cost_usd) as cost from ai_log
        where created_at >= $1 and created_at <= $2 and user_id is not null group by user_id order by sum(cost_usd) desc nulls last limit 10
      ) t left join users u on u.id = t.user_id order by t.cost desc nulls last`,
    range,
  )
  const series = db.query<{ bucket: string | Date; requests: string; errors: string; cost: string | null; tokens: string | null; p95: number | null }>(
    `select date_bin($3::interval, created_at, $1::timestamptz) as bucket, count(*) as requests, count(*) filter (where status = 'error') as errors,
        sum(cost_usd) as cost, sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)) as tokens,
        percentile_cont(0.95) within group (order by latency_ms) as p95
      from ai_log where created_at >= $1 and created_at <= $2 group by 1 order by 1`,
    [from, to, WINDOWS[window].bucket],
  )
  const [g, e, u, t, s] = await Promise.all([grouped, errors, uptime, topUsers, series])

  const errorsByProvider = new Map<string, Record<string, number>>()
  for (const r of e) {
    const key = r.provider ?? 'unknown'
    const m = errorsByProvider.get(key) ?? {}
    m[r.error_class ?? 'unknown'] = n(r.n)
    errorsByProvider.set(key, m)
  }
  // grouping() bits: provider=4, model=2, feature=1; a 1 bit means "not grouped by it".
  const total = g.find((r) => Number(r.g) === 7)
  return {
    window,
    from,
    to,
    totals: breakdown(total),
    byProvider: g.filter((r) => Number(r.g) === 3).map((r) => ({ provider: r.provider ?? 'unknown', ...breakdown(r), errorsByClass: errorsByProvider.get(r.provider ?? 'unknown') ?? {} })),
    byModel: g.filter((r) => Number(r.g) === 1).map((r) => ({ provider: r.provider ?? 'unknown', model: r.model ?? 'unknown', ...breakdown(r) })),
    byFeature: g.filter((r) => Number(r.g) === 6).map((r) => ({ feature: r.feature ?? 'unknown', ...breakdown(r) })),
    uptime: u.map((r) => ({ provider: r.provider, uptime: nullable(r.uptime), status: r.status, since: r.since === null ? null : new Date(r.since).toISOString() })),
    topUsers: t.map((r) => ({ userId: r.user_id, email: r.email, requests: n(r.requests), costUsd: n(r.cost) })),
    series: s.map((r) => ({ bucket: new Date(r.bucket).toISOString(), requests: n(r.requests), errors: n(r.errors), costUsd: n(r.cost), tokens: n(r.tokens), p95LatencyMs: nullable(r.p95) })),
  }
}
