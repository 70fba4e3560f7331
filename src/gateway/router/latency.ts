/**
 * Live latency per provider and model over a sliding window, for the `latency` strategy. Samples
 * older than the window drop out, so a provider that was slow and got no traffic since has no p50
 * (unknown) and is explored again rather than judged on old news.
 */
export type LatencyTracker = {
  observe(provider: string, model: string, latencyMs: number): void
  /** The median of the samples within `windowMs` of now; undefined without any. */
  p50(provider: string, model: string, windowMs: number): number | undefined
  /** When the last sample arrived (the tracker's clock); undefined when never. */
  lastSampleAt(provider: string, model: string): number | undefined
  /** Exploration bookkeeping: when this candidate was last sent first to be explored. */
  exploredAt(provider: string, model: string): number | undefined
  markExplored(provider: string, model: string): void
}

type Series = { at: number[]; ms: number[]; explored: number | undefined }

/** At most this many samples per provider and model (the newest are kept). */
const MAX_SAMPLES = 256

export function createLatencyTracker(options: { now?: (() => number) | undefined } = {}): LatencyTracker {
  const now = options.now ?? Date.now
  const series = new Map<string, Series>()
  const key = (provider: string, model: string) => `${provider}\u0000${model}`
  const get = (provider: string, model: string) => {
    const k = key(provider, model)
    let s = series.get(k)
    if (!s) {
      s = { at: [], ms: [], explored: undefined }
      series.set(k, s)
    }
    return s
  }
  return {
    observe(provider, model, latencyMs) {
      if (!Number.isFinite(latencyMs) || latencyMs < 0) return
      const s = get(provider, model)
      s.at.push(now())
      s.ms.push(latencyMs)
      if (s.at.length > MAX_SAMPLES) {
        s.at.splice(0, s.at.length - MAX_SAMPLES)
        s.ms.splice(0, s.ms.length - MAX_SAMPLES)
      }
    },
    p50(provider, model, windowMs) {
      const s = series.get(key(provider, model))
      if (!s) return undefined
      const since = now() - windowMs
      const recent = s.ms.filter((_, i) => (s.at[i] as number) >= since).sort((a, b) => a - b)
      if (recent.length === 0) return undefined
      const mid = recent.length >> 1
      return recent.length % 2 === 1
        ? (recent[mid] as number)
        : ((recent[mid - 1] as number) + (recent[mid] as number)) / 2
    },
    lastSampleAt: (provider, model) => series.get(key(provider, model))?.at.at(-1),
    exploredAt: (provider, model) => series.get(key(provider, model))?.explored,
    markExplored(provider, model) {
      get(provider, model).explored = now()
    },
  }
}
