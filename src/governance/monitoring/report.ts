import type { Database } from '../../data/db.ts'
import {
  readMonitoringFromLog,
  readMonitoringFromRollups,
  readProviderUptime,
  type MonitoringKind,
  type RawBreakdown,
  type RollupGrain,
} from '../../data/repositories/ai-monitoring.ts'
import { num, numOrNull } from '../../data/row-values.ts'

/**
 * The admin monitoring report: the windows, and the figures (rates, percentiles, series) built
 * from the rows `data/repositories/ai-monitoring.ts` reads, each one SQL statement. Short windows
 * (1h, 24h) read `ai_log` with exact percentiles; long ones (7d, 30d) read the hourly and daily
 * rollups plus the partial hours at the edges, with percentiles from latency histograms. On
 * PostgreSQL the statements run in parallel on the pool.
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

function breakdown(r: Partial<RawBreakdown> | undefined): Breakdown {
  const requests = num(r?.requests)
  const rate = (x: unknown) => (requests > 0 ? num(x) / requests : 0)
  return {
    requests,
    successRate: rate(r?.ok),
    errorRate: requests > 0 ? 1 - rate(r?.ok) : 0,
    p50LatencyMs: numOrNull(r?.p50),
    p95LatencyMs: numOrNull(r?.p95),
    p99LatencyMs: numOrNull(r?.p99),
    inputTokens: num(r?.input),
    outputTokens: num(r?.output),
    costUsd: num(r?.cost),
    fallbackRate: rate(r?.fallback),
    cacheHitRate: rate(r?.cached),
  }
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
  const uptime = readProviderUptime(db, from, to)
  const parts =
    grain === null
      ? readMonitoringFromLog(db, from, to, spec.bucket)
      : readMonitoringFromRollups(db, fromDate, now, grain, spec.bucket)
  const [{ percentiles, groups, errors, topUsers }, u] = await Promise.all([parts, uptime])

  const errorsByProvider = new Map<string, Record<string, number>>()
  for (const r of errors) {
    const key = r.provider ?? 'unknown'
    const m = errorsByProvider.get(key) ?? {}
    m[r.error_class ?? 'unknown'] = num(r.n)
    errorsByProvider.set(key, m)
  }
  const of = (kind: MonitoringKind) => groups.filter((r) => r.kind === kind)
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
      uptime: numOrNull(r.uptime),
      status: r.status,
      since: r.since === null ? null : new Date(r.since).toISOString(),
    })),
    topUsers: topUsers.map((r) => ({
      userId: r.user_id,
      email: r.email,
      requests: num(r.requests),
      costUsd: num(r.cost),
    })),
    series: of('series')
      .sort((a, b) => (a.bin! < b.bin! ? -1 : 1))
      .map((r) => ({
        bucket: r.bin!,
        requests: num(r.requests),
        errors: num(r.requests) - num(r.ok),
        costUsd: num(r.cost),
        tokens: num(r.input) + num(r.output),
        p95LatencyMs: numOrNull(r.p95),
      })),
  }
}
