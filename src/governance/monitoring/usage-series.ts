import type { Database } from '../../data/db.ts'
import { readUsageSeries, type RollupGrain } from '../../data/repositories/ai-monitoring.ts'
import { num } from '../../data/row-values.ts'
import { WINDOWS, type MonitoringWindow } from './report.ts'

export type SeriesBucket = '5m' | '1h' | '6h' | '1d'
export type SeriesDimension = 'provider' | 'model' | 'feature'

const BUCKETS: Record<SeriesBucket, { interval: string; grain: RollupGrain | null }> = {
  '5m': { interval: '5 minutes', grain: null },
  '1h': { interval: '1 hour', grain: 'hour' },
  '6h': { interval: '6 hours', grain: 'hour' },
  '1d': { interval: '1 day', grain: 'day' },
}
const DEFAULT_BUCKET: Record<MonitoringWindow, SeriesBucket> = { '1h': '5m', '24h': '1h', '7d': '6h', '30d': '1d' }

/**
 * Tokens, cost and requests over time, one series per provider, model or feature: the admin
 * console's charts. Hourly and daily buckets read the rollups (exact sums: the partial hours at
 * the window's edges are read from `ai_log`); 5-minute buckets read `ai_log`. The query schema
 * keeps the number of points per series bounded.
 */
export async function usageSeries(
  db: Database,
  query: { window: MonitoringWindow; bucket?: SeriesBucket | undefined; by: SeriesDimension },
  now = new Date(),
) {
  const bucket = query.bucket ?? DEFAULT_BUCKET[query.window]
  const from = new Date(now.getTime() - WINDOWS[query.window].ms)
  const spec = BUCKETS[bucket]
  const rows = await readUsageSeries(db, from, now, spec.grain, spec.interval, query.by)
  const byKey = new Map<
    string,
    {
      key: string
      requests: number
      inputTokens: number
      outputTokens: number
      costUsd: number
      points: Array<{ bucket: string; requests: number; inputTokens: number; outputTokens: number; costUsd: number }>
    }
  >()
  for (const r of rows) {
    const key =
      query.by === 'provider'
        ? (r.provider ?? 'unknown')
        : query.by === 'model'
          ? `${r.provider ?? 'unknown'}/${r.model ?? 'unknown'}`
          : (r.feature ?? 'unknown')
    const point = {
      bucket: new Date(r.bin).toISOString(),
      requests: num(r.requests),
      inputTokens: num(r.input),
      outputTokens: num(r.output),
      costUsd: num(r.cost),
    }
    const s = byKey.get(key) ?? { key, requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, points: [] }
    s.requests += point.requests
    s.inputTokens += point.inputTokens
    s.outputTokens += point.outputTokens
    s.costUsd += point.costUsd
    s.points.push(point)
    byKey.set(key, s)
  }
  const series = [...byKey.values()].sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests)
  return { window: query.window, bucket, by: query.by, from: from.toISOString(), to: now.toISOString(), series }
}
