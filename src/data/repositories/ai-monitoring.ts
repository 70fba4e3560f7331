import type { Database } from '../db.ts'
import { iso, isoOrNull } from '../row-values.ts'

/**
 * The monitoring statements (all SQL of `governance/monitoring/report.ts`), each one statement:
 * nothing is loaded row by row into the process. Short windows read `ai_log` (index on
 * created_at) with exact percentiles; long ones read the hourly and daily rollups of migration
 * 0004 plus the partial hours at the edges, with percentiles from latency histograms.
 */

/**
 * The long monitoring windows from the rollups (migration 0004): whole UTC days from the `day`
 * rows, the whole hours around them from the `hour` rows, and the partial hours at both edges
 * from `ai_log` itself, so counts, tokens and cost are exact. Latency percentiles come from the
 * merged log-spaced histograms: within 2^(1/8) − 1 ≈ 9.05 % of the nearest-rank percentile.
 */

export type RollupGrain = 'hour' | 'day'

/** Where each part of [from, to] is read from (ISO instants; a range whose ends meet is empty). */
export type RollupSpans = {
  /** ai_log rows in [from, hourStart) and [hourEnd, to]. */
  from: string
  hourStart: string
  hourEnd: string
  to: string
  /** `day` rows in [dayStart, dayEnd); `hour` rows in [hourStart, dayStart) and [dayEnd, hourEnd). */
  dayStart: string
  dayEnd: string
}

const HOUR = 3_600_000
const DAY = 86_400_000
const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit
const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit

/**
 * Split [from, to] into raw edges, whole hours and (for the `day` grain) whole days. UTC hours
 * and days are whole multiples of the epoch's, so flooring the epoch milliseconds aligns them.
 */
export function rollupSpans(from: Date, to: Date, grain: RollupGrain): RollupSpans {
  const f = from.getTime()
  const t = to.getTime()
  let hourStart = ceilTo(f, HOUR)
  let hourEnd = floorTo(t, HOUR)
  if (hourStart > hourEnd) hourStart = hourEnd = f // no whole hour: every row is read raw
  let dayStart = hourEnd
  let dayEnd = hourEnd
  if (grain === 'day' && ceilTo(f, DAY) < floorTo(t, DAY)) {
    dayStart = ceilTo(f, DAY)
    dayEnd = floorTo(t, DAY)
  }
  return {
    from: iso(f),
    hourStart: iso(hourStart),
    hourEnd: iso(hourEnd),
    to: iso(t),
    dayStart: iso(dayStart),
    dayEnd: iso(dayEnd),
  }
}

/** Series buckets are aligned to UTC (whole hours, days), so a bucket is made of whole rollup rows. */
export const SERIES_ORIGIN = '2000-01-01T00:00:00Z'

// Parameters: $1 from, $2 hourStart, $3 hourEnd, $4 to, $5 dayStart, $6 dayEnd (breakdowns:
// always whole days where there are any), $7 series bucket, $8 dayStart, $9 dayEnd (series: whole
// days only when the bucket is a day or more, else hours).
const rollupRows = (
  dayStart: string,
  dayEnd: string,
) => `(grain = 'hour' and (period_start >= $2 and period_start < ${dayStart} or period_start >= ${dayEnd} and period_start < $3)
    or grain = 'day' and period_start >= ${dayStart} and period_start < ${dayEnd})`
const BREAKDOWN_ROWS = rollupRows('$5', '$6')
const SERIES_ROWS = rollupRows('$8', '$9')
const RAW_ROWS = `(created_at >= $1 and created_at < $2 or created_at >= $3 and created_at <= $4)`
const BIN = (column: string) => `date_bin($7::interval, ${column}, '${SERIES_ORIGIN}'::timestamptz)`

export type RollupGroupRow = {
  g: number
  provider: string | null
  model: string | null
  feature: string | null
  bin: string | Date | null
  requests: string
  ok: string
  fallback: string
  cached: string
  input: string
  output: string
  cost: string
}
export type RollupPercentileRow = {
  g: number
  provider: string | null
  model: string | null
  feature: string | null
  bin: string | Date | null
  p50: number | null
  p95: number | null
  p99: number | null
}

/**
 * The group of each result row, numbered as grouping(provider, model, feature, bin) would:
 * () 15, (provider) 7, (provider, model) 3, (feature) 13, (bin) 14.
 */
export const GROUPING = { total: 15, provider: 7, model: 3, feature: 13, series: 14 } as const
// grouping(provider, model, feature) * 2 + 1: the same numbers for the breakdowns.
const BREAKDOWN_G = 'grouping(provider, model, feature) * 2 + 1'
const BREAKDOWN_SETS = '((), (provider), (provider, model), (feature))'

/** The sums of one piece of the window: rollup rows and the edges' raw rows, one shape. */
const sumsOf = (
  rows: string,
) => `select period_start as t, provider, model, feature, requests, ok, fallback, cached, input_tokens, output_tokens, cost_usd
    from ai_log_rollup where ${rows}
    union all
    select created_at, provider, model, feature, 1, (status = 'ok')::integer, fallback_used::integer, cache_hit::integer,
      coalesce(input_tokens, 0), coalesce(output_tokens, 0), coalesce(cost_usd, 0)
    from ai_log where ${RAW_ROWS}`

/** Latency histogram entries (one row per non-empty bucket) of the same piece. */
const latencyOf = (
  rows: string,
) => `select r.period_start as t, r.provider, r.model, r.feature, (array_lower(r.latency_histogram, 1) + u.o - 1)::integer as bucket, u.n
    from ai_log_rollup r cross join lateral unnest(r.latency_histogram) with ordinality as u(n, o)
    where ${rows} and u.n <> 0
    union all
    select created_at, provider, model, feature, ai_latency_bucket(latency_ms), 1
    from ai_log where ${RAW_ROWS} and latency_ms is not null`

const SUMS =
  'sum(requests) as requests, sum(ok) as ok, sum(fallback) as fallback, sum(cached) as cached, sum(input_tokens) as input, sum(output_tokens) as output, sum(cost_usd) as cost'

/**
 * The monitoring statements over the rollups for one window; each is one SQL statement.
 * Breakdowns read whole days where the window has them; the series reads rows no coarser than
 * its bucket (hours for 7d's six-hour buckets), so each row set is as small as it can be.
 */
export function rollupStatements(db: Database, from: Date, to: Date, grain: RollupGrain, seriesBucket: string) {
  const breakdown = rollupSpans(from, to, 'day')
  const series = rollupSpans(from, to, grain)
  const params = [
    breakdown.from,
    breakdown.hourStart,
    breakdown.hourEnd,
    breakdown.to,
    breakdown.dayStart,
    breakdown.dayEnd,
    seriesBucket,
    series.dayStart,
    series.dayEnd,
  ]

  const grouped = db.query<RollupGroupRow>(
    `select ${BREAKDOWN_G} as g, provider, model, feature, null::timestamptz as bin, ${SUMS}
      from (${sumsOf(BREAKDOWN_ROWS)}) b
      group by grouping sets ${BREAKDOWN_SETS} having sum(requests) <> 0
      union all
      select ${GROUPING.series}, null, null, null, ${BIN('t')}, ${SUMS}
      from (${sumsOf(SERIES_ROWS)}) s
      group by 5 having sum(requests) <> 0`,
    params,
  )

  // Merge the histograms bucket by bucket (raw edge rows bucketed the same way), then take, per
  // group, the first bucket whose running count reaches q of the group's total: the bucket of
  // the nearest-rank percentile (percentile_disc).
  const percentiles = db.query<RollupPercentileRow>(
    `with g as (
        select ${BREAKDOWN_G} as g, provider, model, feature, null::timestamptz as bin, bucket, sum(n) as n
        from (${latencyOf(BREAKDOWN_ROWS)}) b
        group by grouping sets ((bucket), (provider, bucket), (provider, model, bucket), (feature, bucket))
        union all
        select ${GROUPING.series}, null, null, null, ${BIN('t')}, bucket, sum(n)
        from (${latencyOf(SERIES_ROWS)}) s
        group by 5, 6
      ), c as (
        select g, provider, model, feature, bin, bucket,
          sum(n) over (partition by g, provider, model, feature, bin order by bucket) as running,
          sum(n) over (partition by g, provider, model, feature, bin) as total
        from g where n <> 0
      )
      select g, provider, model, feature, bin,
        ai_latency_bucket_ms(min(bucket) filter (where running >= 0.5 * total)) as p50,
        ai_latency_bucket_ms(min(bucket) filter (where running >= 0.95 * total)) as p95,
        ai_latency_bucket_ms(min(bucket) filter (where running >= 0.99 * total)) as p99
      from c group by g, provider, model, feature, bin`,
    params,
  )

  const errors = db.query<{ provider: string | null; error_class: string; n: string }>(
    `select provider, coalesce(error_class, 'unknown') as error_class, sum(n) as n from (
        select provider, error_class, errors as n from ai_log_error_rollup where ${BREAKDOWN_ROWS}
        union all
        select provider, error_class, 1 from ai_log where ${RAW_ROWS} and status = 'error'
      ) e group by 1, 2 having sum(n) <> 0`,
    params.slice(0, 6),
  )

  // Per user, whole days only: the rollup's days, and ai_log for the part-days at both edges.
  const topUsers = db.query<{ user_id: string; email: string | null; requests: string; cost: string | null }>(
    `select t.user_id, u.email, t.requests, t.cost from (
        select user_id, sum(requests) as requests, coalesce(sum(cost), 0) as cost from (
          select user_id, requests, cost_usd as cost from ai_log_user_daily where day >= $2 and day < $3
          union all
          select user_id, 1, cost_usd from ai_log where user_id is not null and (created_at >= $1 and created_at < $2 or created_at >= $3 and created_at <= $4)
        ) x group by user_id having sum(requests) > 0
        order by 3 desc, user_id limit 10
      ) t left join users u on u.id = t.user_id order by t.cost desc, t.user_id`,
    [breakdown.from, breakdown.dayStart, breakdown.dayEnd, breakdown.to],
  )

  return { grouped, percentiles, errors, topUsers }
}

export type RawBreakdown = {
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

export type MonitoringKind = 'total' | 'provider' | 'model' | 'feature' | 'series'
export type MonitoringGroup = Partial<RawBreakdown> & { kind: MonitoringKind; bin: string | null }
export type MonitoringParts = {
  /** `exact` (percentile_cont over the window's rows) or `histogram` (bucket midpoints, within 9.05 %). */
  percentiles: 'exact' | 'histogram'
  groups: MonitoringGroup[]
  errors: Array<{ provider: string | null; error_class: string | null; n: string }>
  topUsers: Array<{ user_id: string; email: string | null; requests: string; cost: string | null }>
}

const LOG_BIN = `date_bin($3::interval, created_at, '${SERIES_ORIGIN}'::timestamptz)`

/** 1h and 24h: straight from `ai_log`, exact percentiles (percentile_cont). */
export async function readMonitoringFromLog(
  db: Database,
  from: string,
  to: string,
  bucket: string,
): Promise<MonitoringParts> {
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
    `select ${LOG_BIN} as bin, count(*) as requests, count(*) filter (where status = 'ok') as ok,
        sum(input_tokens) as input, sum(output_tokens) as output, sum(cost_usd) as cost,
        percentile_cont(0.95) within group (order by latency_ms) as p95
      from ai_log where created_at >= $1 and created_at <= $2 group by 1 order by 1`,
    [from, to, bucket],
  )
  const [g, e, t, s] = await Promise.all([grouped, errors, topUsers, series])
  // grouping() bits: provider=4, model=2, feature=1; a 1 bit means "not grouped by it".
  const kinds: Record<number, MonitoringKind> = { 7: 'total', 3: 'provider', 1: 'model', 6: 'feature' }
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

/** 7d and 30d: from the rollups plus the edges' raw rows (rollupStatements), histogram percentiles. */
export async function readMonitoringFromRollups(
  db: Database,
  from: Date,
  to: Date,
  grain: RollupGrain,
  bucket: string,
): Promise<MonitoringParts> {
  const q = rollupStatements(db, from, to, grain, bucket)
  const [g, p, e, t] = await Promise.all([q.grouped, q.percentiles, q.errors, q.topUsers])
  const key = (r: RollupGroupRow | RollupPercentileRow) =>
    JSON.stringify([Number(r.g), r.provider, r.model, r.feature, isoOrNull(r.bin)])
  const quantiles = new Map(p.map((r) => [key(r), r]))
  const kinds: Record<number, MonitoringKind> = {
    [GROUPING.total]: 'total',
    [GROUPING.provider]: 'provider',
    [GROUPING.model]: 'model',
    [GROUPING.feature]: 'feature',
    [GROUPING.series]: 'series',
  }
  const groups = g.map((r): MonitoringGroup => {
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

/** Each provider's share of [from, to] not `down`, its latest status and since when. */
export async function readProviderUptime(
  db: Database,
  from: string,
  to: string,
): Promise<Array<{ provider: string; uptime: number | null; status: string | null; since: string | Date | null }>> {
  return db.query(
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
    [from, to],
  )
}

export type UsageSeriesRow = {
  bin: string | Date
  provider: string | null
  model: string | null
  feature: string | null
  requests: string
  input: string
  output: string
  cost: string
}

/**
 * Tokens, cost and requests per bucket, split by provider, model or feature, in one statement.
 * Buckets of an hour or more read the rollups (`grain`: hour rows, or day rows for daily
 * buckets) plus the edges' raw rows; narrower buckets read `ai_log` (windows of a day at most).
 */
export function readUsageSeries(
  db: Database,
  from: Date,
  to: Date,
  grain: RollupGrain | null,
  bucket: string,
  by: 'provider' | 'model' | 'feature',
): Promise<UsageSeriesRow[]> {
  const columns =
    by === 'provider'
      ? 'provider, null::text as model, null::text as feature'
      : by === 'model'
        ? 'provider, model, null::text as feature'
        : 'null::text as provider, null::text as model, feature'
  const group = by === 'model' ? '1, 2, 3' : by === 'provider' ? '1, 2' : '1, 4'
  const select = (source: string, bucketParam: string) =>
    `select date_bin(${bucketParam}::interval, t, '${SERIES_ORIGIN}'::timestamptz) as bin, ${columns},
        sum(requests) as requests, sum(input_tokens) as input, sum(output_tokens) as output, sum(cost_usd) as cost
      from (${source}) s group by ${group} having sum(requests) <> 0 order by 1, 2, 3, 4`
  if (grain === null) {
    return db.query<UsageSeriesRow>(
      select(
        `select created_at as t, provider, model, feature, 1 as requests, coalesce(input_tokens, 0) as input_tokens,
          coalesce(output_tokens, 0) as output_tokens, coalesce(cost_usd, 0) as cost_usd
        from ai_log where created_at >= $1 and created_at <= $2`,
        '$3',
      ),
      [iso(from.getTime()), iso(to.getTime()), bucket],
    )
  }
  const spans = rollupSpans(from, to, grain)
  return db.query<UsageSeriesRow>(select(sumsOf(rollupRows('$5', '$6')), '$7'), [
    spans.from,
    spans.hourStart,
    spans.hourEnd,
    spans.to,
    spans.dayStart,
    spans.dayEnd,
    bucket,
  ])
}
