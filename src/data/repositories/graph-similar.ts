import { sql } from 'drizzle-orm'
import { rows, type Executor } from '../db.ts'

/**
 * What the peer graph's similarity search reads (src/graph/similar.ts, docs/graph.md "Similarity"): each
 * business row carries its score key and score vector (migration 0012_graph_perf), kept by the writes in
 * ./graph.ts, and candidates are read nearest-first by key from the (demo, …, score_key, id) indexes.
 */

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`

/**
 * Recomputes what similarity reads from the business row (graph/similar.ts): the score key
 * (graph/store.ts `scoreKeyOf`: the mean score in units of 1/10,000, in integer arithmetic) and the
 * score vector (`{assessment: score}`), from these businesses' scores.
 */
export async function refreshScoreKeys(db: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return
  await db.execute(sql`
    update graph_businesses b set score_key = k.key, score_vector = k.vector
    from (
      select x.id::uuid as id, v.key, v.vector
      from jsonb_array_elements_text(${json(ids)}) as x(id)
      cross join lateral (
        select (sum(floor(s.score * 100 + 0.5))::bigint * 100 / count(*))::int as key,
          jsonb_object_agg(s.assessment, s.score) as vector
        from graph_scores s where s.business_id = x.id::uuid
      ) v
    ) k
    where b.id = k.id`)
}

export type KeyedBusinessRow = {
  id: string
  industry: string | null
  sizeBand: string | null
  demo: boolean
  key: number | null
  scores: Record<string, number>
}
type KeyedRaw = {
  id: string
  industry: string | null
  size_band: string | null
  demo: boolean
  key: number | null
  vector: Record<string, number> | null
}
const keyed = (r: KeyedRaw): KeyedBusinessRow => ({
  id: r.id,
  industry: r.industry,
  sizeBand: r.size_band,
  demo: r.demo,
  key: r.key === null ? null : Number(r.key),
  scores: Object.fromEntries(Object.entries(r.vector ?? {}).map(([a, s]) => [a, Number(s)])),
})
const KEYED = sql`b.id::text as id, b.industry, b.size_band, b.demo, b.score_key as key, b.score_vector as vector`

/** The caller of a similarity search: its cohort, bands, score key and scores, from its row. */
export async function getKeyedBusiness(db: Executor, id: string): Promise<KeyedBusinessRow | undefined> {
  const [r] = await rows<KeyedRaw>(db, sql`select ${KEYED} from graph_businesses b where b.id = ${id}`)
  return r && keyed(r)
}

/**
 * One side of one tier of the similarity candidate search (graph/similar.ts): businesses of the cohort
 * nearest to `key` by score key, ties by id, with their score vectors. `band`: same industry and size band;
 * `industry`: same industry, another (or no) band; `rest`: another (or no) industry. Served by the
 * (demo, …, score_key, id) indexes of migration 0012: reads at most `limit` rows of the tier.
 */
export async function nearestByScoreKey(
  db: Executor,
  q: {
    tier: 'band' | 'industry' | 'rest'
    demo: boolean
    industry: string | null
    sizeBand: string | null
    key: number
    excludeId: string
    side: 'up' | 'down'
    limit: number
  },
): Promise<Array<KeyedBusinessRow & { key: number }>> {
  const tier =
    q.tier === 'band'
      ? sql`b.industry = ${q.industry} and b.size_band = ${q.sizeBand}`
      : q.tier === 'industry'
        ? sql`b.industry = ${q.industry} and not coalesce(b.size_band = ${q.sizeBand}::text, false)`
        : sql`not coalesce(b.industry = ${q.industry}::text, false)`
  const side =
    q.side === 'up'
      ? sql`b.score_key >= ${q.key} order by b.score_key asc, b.id asc`
      : sql`b.score_key < ${q.key} order by b.score_key desc, b.id asc`
  const result = await rows<KeyedRaw>(
    db,
    sql`select ${KEYED} from graph_businesses b
        where b.demo = ${q.demo} and ${tier} and b.id <> ${q.excludeId} and ${side} limit ${q.limit}`,
  )
  return result.map((r) => ({ ...keyed(r), key: Number(r.key) }))
}
