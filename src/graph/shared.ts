import {
  chooseBenchmark,
  DEFAULT_RECOMMENDATION_PEERS,
  MIN_GROUP,
  round,
  type AreaBenchmark,
  type AreaCount,
  type AssessmentRecommendation,
  type BenchmarkGroup,
  type BusinessDigest,
  type GraphStore,
  type IndustryAnalytics,
  type ProfileCluster,
} from './store.ts'

/** What every backend computes the same way from its own primitives (so their answers agree by construction). */

export type GroupStats = {
  area: string
  peers: number
  p10: number
  p25: number
  p50: number
  p75: number
  p90: number
  below: number
  equal: number
}

/**
 * Benchmarks from a backend's per-group statistics: the narrowest group first, widening only for the
 * areas still under `minGroup` (so a typical call is one query). `profile` is null for an unknown business.
 */
export async function benchmarksFrom(
  profile: {
    industry: string | null
    sizeBand: string | null
    scores: Record<string, number>
    overall: number | null
  } | null,
  areas: readonly string[],
  minGroup: number,
  statsOf: (group: BenchmarkGroup, areas: readonly string[]) => Promise<GroupStats[]>,
): Promise<AreaBenchmark[]> {
  const scoreOf = (area: string) => (area === 'overall' ? (profile?.overall ?? null) : (profile?.scores[area] ?? null))
  if (!profile) return areas.map((area) => chooseBenchmark(area, null, [], minGroup))
  const groups: BenchmarkGroup[] = []
  if (profile.industry && profile.sizeBand) groups.push('industry_size')
  if (profile.industry) groups.push('industry')
  groups.push('everyone')
  const found = new Map<string, Array<(GroupStats & { group: BenchmarkGroup }) | undefined>>(areas.map((a) => [a, []]))
  let pending = [...areas]
  for (const group of groups) {
    if (pending.length === 0) break
    const stats = await statsOf(group, pending)
    for (const area of pending) {
      const s = stats.find((x) => x.area === area)
      found.get(area)!.push(s ? { ...s, group } : undefined)
    }
    pending = pending.filter((area) => !stats.some((x) => x.area === area && x.peers >= minGroup))
  }
  return areas.map((area) => chooseBenchmark(area, scoreOf(area), found.get(area)!, minGroup))
}

/**
 * Recommended assessments from the caller's most similar peers: each assessment the caller has not
 * taken, its support (peers who took it), share, and the similarity-weighted mean of their scores —
 * withheld (null) when fewer than `minGroup` peers stand behind it. Most supported first, then the
 * higher expected score, then by name.
 */
export async function recommendationsFrom(
  store: Pick<GraphStore, 'similarBusinesses' | 'digest'>,
  id: string,
  options: { limit?: number; peers?: number; minGroup?: number } = {},
): Promise<AssessmentRecommendation[]> {
  const minGroup = options.minGroup ?? MIN_GROUP
  const similar = await store.similarBusinesses(id, { limit: options.peers ?? DEFAULT_RECOMMENDATION_PEERS })
  if (similar.length === 0) return []
  const [me] = await store.digest([id])
  const taken = new Set(Object.keys(me?.scores ?? {}))
  const peers = await store.digest(similar.map((s) => s.id))
  const weight = new Map(similar.map((s) => [s.id, s.similarity]))
  const byArea = new Map<string, { support: number; weighted: number; weights: number }>()
  for (const peer of peers) {
    const w = weight.get(peer.id) ?? 0
    for (const [area, score] of Object.entries(peer.scores)) {
      if (taken.has(area)) continue
      const entry = byArea.get(area) ?? { support: 0, weighted: 0, weights: 0 }
      entry.support += 1
      entry.weighted += w * score
      entry.weights += w
      byArea.set(area, entry)
    }
  }
  const list: AssessmentRecommendation[] = [...byArea].map(([assessment, e]) => ({
    assessment,
    support: e.support,
    share: round(e.support / similar.length, 4),
    expectedScore: e.support >= minGroup && e.weights > 0 ? round(e.weighted / e.weights, 2) : null,
  }))
  list.sort(
    (a, b) =>
      b.support - a.support || (b.expectedScore ?? 0) - (a.expectedScore ?? 0) || byName(a.assessment, b.assessment),
  )
  return list.slice(0, options.limit ?? 5)
}

/** Analytics of one industry from its counts; under `minGroup` businesses it says how many are missing. */
export function analyticsFrom(
  industry: string,
  stats: {
    businesses: number
    strengths: Array<{ area: string; businesses: number }>
    weaknesses: Array<{ area: string; businesses: number }>
    clusters: ProfileCluster[]
  },
  minGroup: number,
  top: number,
): IndustryAnalytics {
  if (stats.businesses < minGroup)
    return { industry, status: 'insufficient_peers', businesses: stats.businesses, needed: minGroup - stats.businesses }
  const rank = (list: Array<{ area: string; businesses: number }>): AreaCount[] =>
    [...list]
      .sort((a, b) => b.businesses - a.businesses || byName(a.area, b.area))
      .slice(0, top)
      .map((x) => ({ area: x.area, businesses: x.businesses, share: round(x.businesses / stats.businesses, 4) }))
  const clusters = stats.clusters
    .filter((c) => c.businesses >= minGroup)
    .sort((a, b) => b.businesses - a.businesses || byName(a.strongest, b.strongest) || byName(a.weakest, b.weakest))
    .slice(0, top)
    .map((c) => ({ ...c, strongestAverage: round(c.strongestAverage, 2), weakestAverage: round(c.weakestAverage, 2) }))
  return {
    industry,
    status: 'ok',
    businesses: stats.businesses,
    strengths: rank(stats.strengths),
    weaknesses: rank(stats.weaknesses),
    clusters,
  }
}

/** Code-point order (as Neo4j and SQL's "C" collation sort), not the locale's. */
export const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

export function clampLimit(limit: number | undefined, fallback: number, max: number): number {
  const n = Math.trunc(limit ?? fallback)
  return Math.min(Math.max(n, 1), max)
}

export type { BusinessDigest }
