/**
 * A benchmark row as the dashboard and its advice see it. The figures come from the peer graph
 * (src/graph, src/app/peers): percentiles of at least 5 peers in the user's industry and size band,
 * else industry, else everyone (`global`). With too few peers every figure is null and `source` is
 * `insufficient_peers` with how many more are `needed` — never a constant shown as a peer figure.
 * `demo` marks figures from the synthetic demo cohort.
 */
export type Benchmark = {
  area: string
  userScore: number | null
  average: number | null
  p25: number | null
  median: number | null
  p75: number | null
  percentile: number | null
  peers: number
  needed?: number
  source: 'industry_size' | 'industry' | 'global' | 'insufficient_peers'
  demo: boolean
}
