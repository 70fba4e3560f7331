import { lazy, Suspense, type ComponentType } from 'react'
import type * as C from '../charts/charts.tsx'
import { Skeleton } from './ui.tsx'

/** The charts chunk, loaded on first use; a skeleton meanwhile. */
const load = () => import('../charts/charts.tsx')
function lazyChart<P extends object>(pick: (m: typeof C) => ComponentType<P>) {
  const Lazy = lazy(async () => ({ default: pick(await load()) }))
  return function Chart(props: P) {
    return (
      <Suspense fallback={<Skeleton lines={4} label="Loading chart" />}>
        <Lazy {...props} />
      </Suspense>
    )
  }
}

export const AreasRadar = lazyChart((m) => m.AreasRadar)
export const ScoreTrend = lazyChart((m) => m.ScoreTrend)
export const Series = lazyChart((m) => m.Series)
export const Bars = lazyChart((m) => m.Bars)
export const KpiChart = lazyChart((m) => m.KpiChart)
export const PeerRanges = lazyChart((m) => m.PeerRanges)
export type { AreaPoint, KpiMarker, KpiPoint, PeerRange, SeriesPoint, TrendPoint } from '../charts/charts.tsx'
