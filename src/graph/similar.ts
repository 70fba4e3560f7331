import { byName, clampLimit } from './shared.ts'
import {
  DEFAULT_SIMILAR_LIMIT,
  MAX_SIMILAR_CANDIDATES,
  MAX_SIMILAR_LIMIT,
  SIMILAR_CANDIDATES,
  similarityOf,
  type BusinessDigest,
  type Cohort,
  type SimilarBusiness,
} from './store.ts'

/**
 * Similar businesses with a bounded candidate search, the same on every backend (docs/graph.md "Similarity"):
 *
 * 1. Candidates: the caller's `candidates` (default 200) nearest businesses of the cohort by score key
 *    (`scoreKeyOf`, the mean score as an integer), ties by id, taken tier by tier — same industry and
 *    size band first, then the rest of the industry, then everyone else — widening only while fewer than
 *    `candidates` were found. Each tier is two index range scans (key ≥ the caller's, key < the
 *    caller's), so the cost does not grow with the cohort.
 * 2. Among the candidates sharing at least one assessment, `similarityOf` (computed here, in TypeScript,
 *    from the score vectors the backend stores on each business, so backends agree by construction),
 *    highest first, ties by id.
 */

/** The peer tiers, narrowest first. `band`: same industry and size band; `industry`: same industry, other band; `rest`: other industries. */
export const SIMILAR_TIERS = ['band', 'industry', 'rest'] as const
export type SimilarTier = (typeof SIMILAR_TIERS)[number]

export type NearestQuery = {
  tier: SimilarTier
  demo: boolean
  industry: string | null
  sizeBand: string | null
  key: number
  /** The caller, never a candidate. */
  excludeId: string
  /** `up`: key ≥ `key` by key ascending, then id; `down`: key < `key` by key descending, then id. */
  side: 'up' | 'down'
  limit: number
}

/** A business with its score key and score vector, both stored on the business (so one index scan reads a tier). */
export type KeyedBusiness = BusinessDigest & { key: number | null }

/** What a backend provides: the caller, and one side of one tier by key (with each candidate's scores). */
export type SimilarPrimitives = {
  subject(id: string): Promise<KeyedBusiness | undefined>
  nearest(query: NearestQuery): Promise<Array<KeyedBusiness & { key: number }>>
}

/** Which tiers a caller has: without a size band no `band`, without an industry only `rest` (everyone). */
export function tiersOf(subject: { industry: string | null; sizeBand: string | null }): SimilarTier[] {
  if (!subject.industry) return ['rest']
  if (!subject.sizeBand) return ['industry', 'rest']
  return [...SIMILAR_TIERS]
}

/** Up to `limit` businesses nearest to `key` from the two sides of a tier, by |Δkey| then id. */
export function mergeNearest<T extends { id: string; key: number }>(
  key: number,
  up: T[],
  down: T[],
  limit: number,
): T[] {
  return [...up, ...down]
    .sort((a, b) => Math.abs(a.key - key) - Math.abs(b.key - key) || byName(a.id, b.id))
    .slice(0, limit)
}

export async function similarFrom(
  backend: SimilarPrimitives,
  id: string,
  options: { limit?: number; cohort?: Cohort; candidates?: number } = {},
): Promise<SimilarBusiness[]> {
  const limit = clampLimit(options.limit, DEFAULT_SIMILAR_LIMIT, MAX_SIMILAR_LIMIT)
  const wanted = clampLimit(options.candidates, SIMILAR_CANDIDATES, MAX_SIMILAR_CANDIDATES)
  const me = await backend.subject(id)
  if (!me || me.key === null) return []
  const demo = options.cohort === 'demo' ? true : me.demo
  const candidates: BusinessDigest[] = []
  for (const tier of tiersOf(me)) {
    const need = wanted - candidates.length
    if (need <= 0) break
    const query = { tier, demo, industry: me.industry, sizeBand: me.sizeBand, key: me.key, excludeId: id, limit: need }
    const [up, down] = await Promise.all([
      backend.nearest({ ...query, side: 'up' }),
      backend.nearest({ ...query, side: 'down' }),
    ])
    candidates.push(...mergeNearest(me.key, up, down, need))
  }
  const mine = me.scores
  const myAreas = Object.keys(mine)
  const found: SimilarBusiness[] = []
  for (const other of candidates) {
    const shared = myAreas.filter((a) => a in other.scores).sort(byName)
    if (shared.length === 0) continue
    const diff = shared.reduce((sum, a) => sum + Math.abs(mine[a]! - other.scores[a]!), 0)
    const union = myAreas.length + Object.keys(other.scores).length - shared.length
    found.push({
      id: other.id,
      industry: other.industry,
      sizeBand: other.sizeBand,
      demo: other.demo,
      similarity: similarityOf(diff, shared.length, union),
      sharedAssessments: shared,
    })
  }
  return found.sort((a, b) => b.similarity - a.similarity || byName(a.id, b.id)).slice(0, limit)
}
