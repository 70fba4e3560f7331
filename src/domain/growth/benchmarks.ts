/**
 * Choosing the benchmark a user sees for an area, from peer statistics computed in SQL:
 * the user's industry when it has at least `minPeers` scored businesses, else all businesses
 * when they reach `minPeers`, else the documented default. The default is not a claim about
 * any industry: it is the 1–5 scale's own midpoint and quartiles (3.0; 2.0 / 3.0 / 4.0), shown
 * with `source: 'default'` and no percentile, so the UI can say "not enough peers yet".
 */
export type PeerStats = {
  scope: 'industry' | 'global'
  area: string
  peers: number
  average: number
  p25: number
  median: number
  p75: number
  userScore: number | null
  percentile: number | null
}
export type Benchmark = {
  area: string
  userScore: number | null
  average: number
  p25: number
  median: number
  p75: number
  percentile: number | null
  peers: number
  source: 'industry' | 'global' | 'default'
}

export const DEFAULT_BENCHMARK = { average: 3, p25: 2, median: 3, p75: 4 } as const

const r2 = (v: number) => Math.round(v * 100) / 100

export function selectBenchmarks(
  stats: PeerStats[],
  areas: readonly string[],
  userScores: Record<string, number | null | undefined>,
  minPeers: number,
): Benchmark[] {
  return areas.map((area) => {
    const userScore = userScores[area] ?? null
    const industry = stats.find((s) => s.area === area && s.scope === 'industry')
    const global = stats.find((s) => s.area === area && s.scope === 'global')
    const chosen =
      industry && industry.peers >= minPeers ? industry : global && global.peers >= minPeers ? global : undefined
    if (!chosen)
      return {
        area,
        userScore,
        ...DEFAULT_BENCHMARK,
        percentile: null,
        peers: global?.peers ?? 0,
        source: 'default' as const,
      }
    return {
      area,
      userScore,
      average: r2(chosen.average),
      p25: r2(chosen.p25),
      median: r2(chosen.median),
      p75: r2(chosen.p75),
      percentile: chosen.percentile === null ? null : Math.round(chosen.percentile * 10) / 10,
      peers: chosen.peers,
      source: chosen.scope,
    }
  })
}
