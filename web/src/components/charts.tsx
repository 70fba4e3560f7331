import { lazy, memo, Suspense, useDeferredValue, type ComponentType } from 'react'
import type * as C from '../charts/charts.tsx'
import { Skeleton } from './ui.tsx'

/**
 * The charts chunk, loaded on first use; a skeleton meanwhile. A chart redraws after the rest of
 * the page (deferred props, memoized): a live event's new score reaches the screen in a render
 * that skips Recharts, and the charts catch up in a background render.
 */
const load = () => import('../charts/charts.tsx')
function lazyChart<P extends object>(pick: (m: typeof C) => ComponentType<P>) {
  const Lazy = memo(lazy(async () => ({ default: pick(await load()) })))
  return function Chart(props: P) {
    const deferred = useDeferredValue(props)
    return (
      <Suspense fallback={<Skeleton lines={4} label="Loading chart" />}>
        <Lazy {...deferred} />
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
