import neo4j, { type ManagedTransaction } from 'neo4j-driver'
import type { NearestQuery, SimilarPrimitives } from '../similar.ts'

/** The Neo4j side of similarity's bounded candidate search (graph/similar.ts, docs/graph.md "Similarity"). */

type Row = Record<string, unknown>
type Read = <T>(work: (tx: ManagedTransaction) => Promise<T>) => Promise<T>
type Records = (tx: ManagedTransaction, query: string, params?: Row) => Promise<Row[]>

/**
 * What similarity reads from the node (graph/similar.ts): the score key (graph/store.ts `scoreKeyOf`, integer
 * arithmetic, so it equals SQL's and TypeScript's) and the score vector as two parallel lists (`scoreAreas`,
 * `scoreValues`; Neo4j properties cannot be maps), from the business's SCORED relationships.
 */
export const REFRESH_KEYS = `
UNWIND $ids AS id
MATCH (b:Business {id: id})
OPTIONAL MATCH (b)-[s:SCORED]->(a:Assessment)
WITH b, a, s ORDER BY a.type
WITH b, sum(toInteger(floor(s.score * 100 + 0.5))) AS total, count(s) AS n, collect(a.type) AS areas, collect(s.score) AS values
SET b.scoreKey = CASE WHEN n = 0 THEN null ELSE total * 100 / n END, b.scoreAreas = areas, b.scoreValues = values`

/** Businesses written before score keys existed get theirs at start-up, a batch at a time. */
export const MISSING_KEYS = `
MATCH (b:Business) WHERE (b.scoreKey IS NULL OR b.scoreAreas IS NULL) AND EXISTS { (b)-[:SCORED]->() }
WITH b LIMIT 5000
RETURN collect(b.id) AS ids`

const KEYED =
  'b.id AS id, b.industry AS industry, b.sizeBand AS sizeBand, b.demo AS demo, b.scoreKey AS key, b.scoreAreas AS areas, b.scoreValues AS values'

const TIERS: Record<NearestQuery['tier'], string> = {
  band: 'b.industry = $industry AND b.sizeBand = $sizeBand',
  industry: 'b.industry = $industry AND NOT coalesce(b.sizeBand = $sizeBand, false)',
  rest: 'NOT coalesce(b.industry = $industry, false)',
}
/**
 * One side of one tier, nearest by key then id. First the key range that holds the answer: the `limit + 1`
 * nearest keys (the caller may be among them) read from the index alone, no property of the node; then only
 * that range, sorted by key and id. Ordering the whole tier by (key, id) at once reads every node's id — at
 * 100,000 businesses that doubled the query's time.
 */
const nearestQuery = (q: NearestQuery) => {
  const up = q.side === 'up'
  const tier = `b.demo = $demo AND ${TIERS[q.tier]}`
  return `
CALL () {
  MATCH (b:Business) WHERE ${tier} AND b.scoreKey ${up ? '>=' : '<'} $key
  WITH b.scoreKey AS k ORDER BY k ${up ? 'ASC' : 'DESC'} LIMIT $probe
  RETURN ${up ? 'max' : 'min'}(k) AS edge
}
MATCH (b:Business)
WHERE ${tier} AND b.id <> $id AND b.scoreKey ${up ? '>= $key AND b.scoreKey <= edge' : '< $key AND b.scoreKey >= edge'}
RETURN ${KEYED}
ORDER BY b.scoreKey ${up ? 'ASC' : 'DESC'}, b.id ASC
LIMIT $limit`
}

/** Similarity's primitives on Neo4j: the caller and one side of one tier, read from node properties. */
export function neo4jSimilar(read: Read, records: Records): SimilarPrimitives {
  const keyed = (r: Row) => {
    const areas = (r.areas as string[] | null) ?? []
    const values = (r.values as number[] | null) ?? []
    return {
      id: String(r.id),
      industry: (r.industry as string | null) ?? null,
      sizeBand: (r.sizeBand as string | null) ?? null,
      demo: Boolean(r.demo),
      key: r.key === null || r.key === undefined ? null : Number(r.key),
      scores: Object.fromEntries(areas.map((a, i) => [a, Number(values[i])])),
    }
  }
  return {
    async subject(id) {
      const [r] = await read((tx) => records(tx, `MATCH (b:Business {id: $id}) RETURN ${KEYED}`, { id }))
      return r && keyed(r)
    },
    async nearest(q) {
      const list = await read((tx) =>
        records(tx, nearestQuery(q), {
          demo: q.demo,
          industry: q.industry,
          sizeBand: q.sizeBand,
          id: q.excludeId,
          key: neo4j.int(q.key),
          limit: neo4j.int(q.limit),
          probe: neo4j.int(q.limit + 1),
        }),
      )
      return list.map((r) => ({ ...keyed(r), key: Number(r.key) }))
    },
  }
}
