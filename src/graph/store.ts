/**
 * The peer graph's contract (DESIGN §9). Two backends implement it — SQL (PostgreSQL/PGlite, the
 * embedded default; `graph/sql/`) and Neo4j 5.26 (`graph/neo4j/`) — and one contract suite
 * (test/integration/graph/store.test.ts) runs against both and checks that they agree.
 *
 * A business is an anonymous node: its id (the user id of its owner, or a generated id for a demo
 * business), its industry, size band, revenue band, region and whether it is synthetic (`demo`).
 * Demo and real businesses are two cohorts that never mix: every query stays inside the caller's.
 * Each business has at most one current score per assessment (history stays in SQL).
 */

export type BusinessProfile = {
  id: string
  /** Lower-cased and trimmed by `normalizeBand`; null when unknown. */
  industry: string | null
  sizeBand: string | null
  revenueBand: string | null
  region: string | null
  demo: boolean
  /** The overall score (1–5) from the profile: benchmarked as the area `overall`, never used for similarity. */
  overall: number | null
}

export type ScoreInput = { businessId: string; assessment: string; score: number; takenAt: Date }

/** The full state of one business, as the sync writes it (scores not listed are removed). */
export type BusinessSnapshot = {
  business: BusinessProfile
  scores: Array<{ assessment: string; score: number; takenAt: Date }>
}

export type SimilarBusiness = {
  id: string
  industry: string | null
  sizeBand: string | null
  demo: boolean
  /** 0–1, rounded to 4 decimals (see `similarityOf`). */
  similarity: number
  /** Assessments both have a score for, sorted by name. */
  sharedAssessments: string[]
}

export type AssessmentRecommendation = {
  assessment: string
  /** How many of the similar businesses took it. */
  support: number
  /** `support` over the number of similar businesses considered (0–1, 4 decimals). */
  share: number
  /** Similarity-weighted mean score of those who took it (2 decimals); null when `support` is under the k-anonymity minimum. */
  expectedScore: number | null
}

/** The peer groups a benchmark can come from, narrowest first. */
export const BENCHMARK_GROUPS = ['industry_size', 'industry', 'everyone'] as const
export type BenchmarkGroup = (typeof BENCHMARK_GROUPS)[number]

export type AreaBenchmark =
  | {
      area: string
      status: 'ok'
      group: BenchmarkGroup
      /** Peers in the group with a score for this area (the caller not counted). */
      peers: number
      mean: number
      p10: number
      p25: number
      p50: number
      p75: number
      p90: number
      /** The caller's score, or null when they have none for this area. */
      score: number | null
      /** Share of the group scoring below the caller, ties counting half (0–100, 1 decimal); null without a score. */
      percentile: number | null
    }
  | {
      area: string
      status: 'insufficient_peers'
      /** The largest group that had peers for this area (null when none had any). */
      group: BenchmarkGroup | null
      peers: number
      /** How many more peers the widest group needs before a benchmark can be shown. */
      needed: number
      score: number | null
    }

export type AreaCount = { area: string; businesses: number; share: number }

export type ProfileCluster = {
  /** The area the members score highest in and the one they score lowest in (ties by area name). */
  strongest: string
  weakest: string
  businesses: number
  /** Mean score of the members' strongest and weakest area (2 decimals). */
  strongestAverage: number
  weakestAverage: number
}

export type IndustryAnalytics =
  | {
      industry: string
      status: 'ok'
      businesses: number
      /** Areas most often scored at or above `STRENGTH_AT`, most common first (ties by area). */
      strengths: AreaCount[]
      /** Areas most often scored at or below `WEAKNESS_AT`. */
      weaknesses: AreaCount[]
      /** Groups of at least `minGroup` businesses sharing a strongest and weakest area, largest first. */
      clusters: ProfileCluster[]
    }
  | { industry: string; status: 'insufficient_peers'; businesses: number; needed: number }

export type GraphCounts = { businesses: number; demoBusinesses: number; scores: number; industries: number }

/** One business as the graph holds it, for drift checks against SQL. */
export type BusinessDigest = {
  id: string
  industry: string | null
  sizeBand: string | null
  demo: boolean
  scores: Record<string, number>
}

/**
 * Whose peers: `own` (the caller's cohort, the default) or `demo` (the synthetic cohort, for a real
 * business on an install with too few real ones — the answer is then all demo and labelled so).
 */
export type Cohort = 'own' | 'demo'

export type GraphStore = {
  readonly kind: 'sql' | 'neo4j'
  /** Constraints and indexes (idempotent); called once at start-up. */
  init(): Promise<void>
  upsertBusiness(business: BusinessProfile): Promise<void>
  /** Sets the current score of a pair unless a newer one (by `takenAt`) is already there. Creates the business if missing. */
  recordScore(score: ScoreInput): Promise<void>
  /** Writes each business's profile and exactly its listed scores, in one transaction per call (idempotent). */
  syncBusinesses(snapshots: BusinessSnapshot[]): Promise<void>
  removeBusiness(id: string): Promise<void>
  /** Every business of the cohort (`demo`) and its scores; `undefined` = both cohorts. */
  removeAll(options?: { demo?: boolean }): Promise<void>

  /**
   * The most similar businesses of the caller's cohort sharing at least one assessment, ties by id, among
   * its `candidates` (default `SIMILAR_CANDIDATES`) nearest by score key (graph/similar.ts, docs/graph.md).
   */
  similarBusinesses(
    id: string,
    options?: { limit?: number; cohort?: Cohort; candidates?: number },
  ): Promise<SimilarBusiness[]>
  /** Assessments the caller has not taken, from its `peers` most similar businesses. */
  recommendedAssessments(
    id: string,
    options?: { limit?: number; peers?: number; minGroup?: number; cohort?: Cohort },
  ): Promise<AssessmentRecommendation[]>
  /** Percentiles per area, from the narrowest group with at least `minGroup` peers. */
  benchmarks(
    id: string,
    options: { areas: readonly string[]; minGroup?: number; cohort?: Cohort },
  ): Promise<AreaBenchmark[]>
  /** Strengths, weaknesses and profile clusters of an industry within a cohort. */
  industryAnalytics(
    industry: string,
    options?: { demo?: boolean; minGroup?: number; top?: number },
  ): Promise<IndustryAnalytics>

  counts(): Promise<GraphCounts>
  /** Businesses by id (missing ones are absent), for drift checks. */
  digest(ids: readonly string[]): Promise<BusinessDigest[]>
  /** Ids of every business (ascending, after `after`, up to `limit`) for paging drift checks. */
  listIds(options: { after?: string; limit: number }): Promise<string[]>
  close(): Promise<void>
}

/** k-anonymity: no figure is shown from fewer peers than this. */
export const MIN_GROUP = 5
export const DEFAULT_SIMILAR_LIMIT = 10
export const MAX_SIMILAR_LIMIT = 50
/** How many businesses similarity compares the caller with (bounded, so a query costs the same at any cohort size). */
export const SIMILAR_CANDIDATES = 200
export const MAX_SIMILAR_CANDIDATES = 1000
/** Similar businesses a recommendation is drawn from. */
export const DEFAULT_RECOMMENDATION_PEERS = 25
/** A score at or above this is a strength in analytics; at or below `WEAKNESS_AT` a weakness. */
export const STRENGTH_AT = 3.5
export const WEAKNESS_AT = 2.5

/**
 * Similarity of two businesses over the assessments both took (`shared`), given how many distinct
 * assessments either took (`union`) and the sum of absolute score differences on the shared ones:
 * `0.75 · closeness + 0.25 · overlap`, where closeness = 1 − mean |Δscore| / 4 (scores are 1–5, so
 * 4 is the largest distance) and overlap = shared / union (Jaccard). Rounded to 4 decimals so both
 * backends order ties the same way (then by id). Both backends compute exactly this in their query.
 */
export function similarityOf(sumAbsDiff: number, shared: number, union: number): number {
  if (shared === 0 || union === 0) return 0
  return round(0.75 * (1 - sumAbsDiff / shared / 4) + 0.25 * (shared / union), 4)
}

/**
 * A business's score key: the mean of its scores in units of 1/10,000, from scores rounded to 2 decimals,
 * in integer arithmetic (so SQL, Cypher and TypeScript compute the same integer): ⌊Σ⌊100·s + ½⌋ · 100 / n⌋.
 * Null without scores. Both backends store it on the business and index it with industry and size band.
 */
export function scoreKeyOf(scores: readonly number[]): number | null {
  if (scores.length === 0) return null
  const total = scores.reduce((sum, s) => sum + Math.floor(s * 100 + 0.5), 0)
  return Math.trunc((total * 100) / scores.length)
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** Industry, size band and the like as the graph keys them: trimmed, lower-case, null when empty. */
export function normalizeBand(value: string | null | undefined): string | null {
  const v = (value ?? '').trim().toLowerCase().replace(/\s+/g, ' ')
  return v === '' ? null : v
}

/**
 * From per-group statistics (narrowest first; `undefined` when the caller has no such group), the
 * benchmark of one area: the first group with at least `minGroup` peers, else how many are missing.
 */
export function chooseBenchmark(
  area: string,
  score: number | null,
  groups: Array<
    | {
        group: BenchmarkGroup
        peers: number
        mean: number
        p10: number
        p25: number
        p50: number
        p75: number
        p90: number
        below: number
        equal: number
      }
    | undefined
  >,
  minGroup: number,
): AreaBenchmark {
  for (const g of groups) {
    if (!g || g.peers < minGroup) continue
    return {
      area,
      status: 'ok',
      group: g.group,
      peers: g.peers,
      mean: round(g.mean, 2),
      p10: round(g.p10, 2),
      p25: round(g.p25, 2),
      p50: round(g.p50, 2),
      p75: round(g.p75, 2),
      p90: round(g.p90, 2),
      score,
      percentile: score === null ? null : round((100 * (g.below + g.equal / 2)) / g.peers, 1),
    }
  }
  const widest = [...groups].reverse().find((g) => g && g.peers > 0)
  const peers = widest?.peers ?? 0
  return { area, status: 'insufficient_peers', group: widest?.group ?? null, peers, needed: minGroup - peers, score }
}
