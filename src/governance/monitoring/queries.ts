import type { Database } from '../../data/db.ts'
import {
  GROUPING,
  rollupStatements,
  SERIES_ORIGIN,
  type RollupGrain,
  type RollupGroupRow,
  type RollupPercentileRow,
} from './rollup.ts'

/**
 * The admin monitoring figures, each one SQL statement: nothing is loaded row by row into the
 * process. Short windows (1h, 24h) read `ai_log` (index on created_at) with exact percentiles;
 * long ones (7d, 30d) read the hourly and daily rollups plus the partial hours at the edges
 * (`rollup.ts`), with percentiles from latency histograms. On PostgreSQL the statements run in
 * parallel on the pool.
 */

export const WINDOWS = {
  '1h': { ms: 3_600_000, bucket: '5 minutes', rollup: null },
  '24h': { ms: 86_400_000, bucket: '1 hour', rollup: null },
  '7d': { ms: 7 * 86_400_000, bucket: '6 hours', rollup: 'hour' },
  '30d': { ms: 30 * 86_400_000, bucket: '1 day', rollup: 'day' },
} as const satisfies Record<string, { ms: number; bucket: string; rollup: RollupGrain | null }>
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
  /**
   * How latency percentiles were computed: `exact` (percentile_cont over the window's rows) or
   * `histogram` (the bucket midpoint of the nearest-rank percentile, within 9.05 % of it).
   */
  percentiles: 'exact' | 'histogram'
  totals: Breakdown
  byProvider: Array<{ provider: string } & Breakdown & { errorsByClass: Record<string, number> }>
  byModel: Array<{ provider: string; model: string } & Breakdown>
  byFeature: Array<{ feature: string } & Breakdown>
  uptime: Array<{ provider: string; uptime: number | null; status: string | null; since: string | null }>
  topUsers: Array<{ userId: string; email: string | null; requests: number; costUsd: number }>
  series: Array<{
    bucket: string
    requests: number
    errors: number
    costUsd: number
    tokens: number
    p95LatencyMs: number | null
  }>
}

type RawBreakdown = {
  g: number
  provider: string | null
  model: string | null
  feature: string | null
  requests: string
  ok: string
  p50: number | null
  p95: number | null
  p99: number | null
  input: string | null
  output: string | null
  cost: string | null
  fallback: string
  cached: string
}

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v))
const nullable = (v: unknown) => (v === null || v === undefined ? null : Number(v))

function breakdown(r: Partial<RawBreakdown> | undefined): Breakdown {
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

type Kind = 'total' | 'provider' | 'model' | 'feature' | 'series'
type Group = Partial<RawBreakdown> & { kind: Kind; bin: string | null }
type Parts = {
  percentiles: MonitoringReport['percentiles']
  groups: Group[]
  errors: Array<{ provider: string | null; error_class: string | null; n: string }>
  topUsers: Array<{ user_id: string; email: string | null; requests: string; cost: string | null }>
}

const isoOrNull = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString())
const BIN = `date_bin($3::interval, created_at, '${SERIES_ORIGIN}'::timestamptz)`

/** 1h and 24h: straight from `ai_log`, exact percentiles (percentile_cont). */
async function fromLog(db: Database, from: string, to: string, bucket: string): Promise<Parts> {
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
  const topUsers = db.query<{ user_id: string; email: string | null; requests: string; cost: string | null }>(
    `select t.user_id, u.email, t.requests, t.cost from (
        select user_id, count(*) as requests, coalesce(sum(cost_usd), 0) as cost from ai_log
        where created_at >= $1 and created_at <= $2 and user_id is not null group by user_id order by 3 desc, user_id limit 10
      ) t left join users u on u.id = t.user_id order by t.cost desc, t.user_id`,
    range,
  )
  const series = db.query<{
    bin: string | Date
    requests: string
    ok: string
    input: string | null
    output: string | null
    cost: string | null
    p95: number | null
  }>(
    `select ${BIN} as bin, count(*) as requests, count(*) filter (where status = 'ok') as ok,
        sum(input_tokens) as input, sum(output_tokens) as output, sum(cost_usd) as cost,
        percentile_cont(0.95) within group (order by latency_ms) as p95
      from ai_log where created_at >= $1 and created_at <= $2 group by 1 order by 1`,
    [from, to, bucket],
  )
  const [g, e, t, s] = await Promise.all([grouped, errors, topUsers, series])
  // grouping() bits: provider=4, model=2, feature=1; a 1 bit means "not grouped by it".
  const kinds: Record<number, Kind> = { 7: 'total', 3: 'provider', 1: 'model', 6: 'feature' }
  return {
    percentiles: 'exact',
    groups: [
      ...g.map((r) => ({ ...r, kind: kinds[Number(r.g)]!, bin: null })),
      ...s.map((r) => ({ ...r, kind: 'series' as const, bin: isoOrNull(r.bin) })),
    ],
    errors: e,
    topUsers: t,
  }
}

/** 7d and 30d: from the rollups plus the edges' raw rows (rollup.ts), histogram percentiles. */
async function fromRollups(db: Database, from: Date, to: Date, grain: RollupGrain, bucket: string): Promise<Parts> {
  const q = rollupStatements(db, from, to, grain, bucket)
  const [g, p, e, t] = await Promise.all([q.grouped, q.percentiles, q.errors, q.topUsers])
  const key = (r: RollupGroupRow | RollupPercentileRow) =>
    JSON.stringify([Number(r.g), r.provider, r.model, r.feature, isoOrNull(r.bin)])
  const quantiles = new Map(p.map((r) => [key(r), r]))
  const kinds: Record<number, Kind> = {
    [GROUPING.total]: 'total',
    [GROUPING.provider]: 'provider',
    [GROUPING.model]: 'model',
    [GROUPING.feature]: 'feature',
    [GROUPING.series]: 'series',
  }
  const groups = g.map((r): Group => {
    const q = quantiles.get(key(r))
    return {
      ...r,
      p50: q?.p50 ?? null,
      p95: q?.p95 ?? null,
      p99: q?.p99 ?? null,
      kind: kinds[Number(r.g)]!,
      bin: isoOrNull(r.bin),
    }
  })
  return { percentiles: 'histogram', groups, errors: e, topUsers: t }
}

export type MonitoringOptions = {
  /** Read `ai_log` whatever the window (exact percentiles; slow over long windows). */
  exact?: boolean
}

export async function aiMonitoring(
  db: Database,
  window: MonitoringWindow,
  now = new Date(),
  options: MonitoringOptions = {},
): Promise<MonitoringReport> {
  const spec = WINDOWS[window]
  const grain = options.exact ? null : spec.rollup
  const fromDate = new Date(now.getTime() - spec.ms)
  const from = fromDate.toISOString()
  const to = now.toISOString()
  const range = [from, to]
  const uptime = db.query<{
    provider: string
    uptime: number | null
    status: string | null
    since: string | Date | null
  }>(
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
  const parts = grain === null ? fromLog(db, from, to, spec.bucket) : fromRollups(db, fromDate, now, grain, spec.bucket)
  const [{ percentiles, groups, errors, topUsers }, u] = await Promise.all([parts, uptime])

  const errorsByProvider = new Map<string, Record<string, number>>()
  for (const r of errors) {
    const key = r.provider ?? 'unknown'
    const m = errorsByProvider.get(key) ?? {}
    m[r.error_class ?? 'unknown'] = n(r.n)
    errorsByProvider.set(key, m)
  }
  const of = (kind: Kind) => groups.filter((r) => r.kind === kind)
  return {
    window,
    from,
    to,
    percentiles,
    totals: breakdown(of('total')[0]),
    byProvider: of('provider').map((r) => ({
      provider: r.provider ?? 'unknown',
      ...breakdown(r),
      errorsByClass: errorsByProvider.get(r.provider ?? 'unknown') ?? {},
    })),
    byModel: of('model').map((r) => ({
      provider: r.provider ?? 'unknown',
      model: r.model ?? 'unknown',
      ...breakdown(r),
    })),
    byFeature: of('feature').map((r) => ({ feature: r.feature ?? 'unknown', ...breakdown(r) })),
    uptime: u.map((r) => ({
      provider: r.provider,
      uptime: nullable(r.uptime),
      status: r.status,
      since: r.since === null ? null : new Date(r.since).toISOString(),
    })),
    topUsers: topUsers.map((r) => ({ userId: r.user_id, email: r.email, requests: n(r.requests), costUsd: n(r.cost) })),
    series: of('series')
      .sort((a, b) => (a.bin! < b.bin! ? -1 : 1))
      .map((r) => ({
        bucket: r.bin!,
        requests: n(r.requests),
        errors: n(r.requests) - n(r.ok),
        costUsd: n(r.cost),
        tokens: n(r.input) + n(r.output),
        p95LatencyMs: nullable(r.p95),
      })),
  }
}
