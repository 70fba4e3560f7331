import neo4j, { type Driver, type ManagedTransaction } from 'neo4j-driver'
import { analyticsFrom, benchmarksFrom, byName, recommendationsFrom, type GroupStats } from '../shared.ts'
import { similarFrom } from '../similar.ts'
import { MISSING_KEYS, neo4jSimilar, REFRESH_KEYS } from './similar.ts'
import {
  MIN_GROUP,
  STRENGTH_AT,
  WEAKNESS_AT,
  type BenchmarkGroup,
  type BusinessDigest,
  type BusinessProfile,
  type GraphStore,
} from '../store.ts'

/**
 * The GraphStore on Neo4j 5.26 (docs/graph.md):
 * `(:Business {id, demo, industry, sizeBand, revenueBand, region, overall})-[:SCORED {score, takenAt}]->(:Assessment {type})`
 * and `(:Business)-[:IN_INDUSTRY]->(:Industry {name})`. Unique constraints on the three keys are
 * created by `init`; every write MERGEs; integers go as `neo4j.int`; every query runs in a managed
 * transaction (retried by the driver on transient errors) in a session closed in `finally`.
 * One driver per process: the container creates it, this store owns and closes it.
 */

export type Neo4jConnection = { uri: string; username: string; password: string; database?: string | undefined }

export function createNeo4jDriver(connection: Neo4jConnection): Driver {
  return neo4j.driver(connection.uri, neo4j.auth.basic(connection.username, connection.password), {
    // Counts and ids come back as JS numbers; parameters still go as neo4j.int where Cypher wants integers.
    disableLosslessIntegers: true,
    maxConnectionPoolSize: 50,
    connectionAcquisitionTimeout: 10_000,
    maxTransactionRetryTime: 10_000,
  })
}

const SCHEMA = [
  'CREATE CONSTRAINT business_id IF NOT EXISTS FOR (b:Business) REQUIRE b.id IS UNIQUE',
  'CREATE CONSTRAINT industry_name IF NOT EXISTS FOR (i:Industry) REQUIRE i.name IS UNIQUE',
  'CREATE CONSTRAINT assessment_type IF NOT EXISTS FOR (a:Assessment) REQUIRE a.type IS UNIQUE',
  'CREATE INDEX business_cohort IF NOT EXISTS FOR (b:Business) ON (b.demo, b.industry, b.sizeBand)',
  // Similarity's bounded candidate search (graph/similar.ts): nearest by score key within a tier.
  'CREATE INDEX business_band_key IF NOT EXISTS FOR (b:Business) ON (b.demo, b.industry, b.sizeBand, b.scoreKey)',
  'CREATE INDEX business_industry_key IF NOT EXISTS FOR (b:Business) ON (b.demo, b.industry, b.scoreKey)',
  'CREATE INDEX business_key IF NOT EXISTS FOR (b:Business) ON (b.demo, b.scoreKey)',
]

const UPSERT_BUSINESSES = `
UNWIND $rows AS r
MERGE (b:Business {id: r.id})
SET b.industry = r.industry, b.sizeBand = r.sizeBand, b.revenueBand = r.revenueBand, b.region = r.region,
    b.demo = r.demo, b.overall = r.overall
WITH b, r
OPTIONAL MATCH (b)-[old:IN_INDUSTRY]->(i:Industry)
WHERE r.industry IS NULL OR i.name <> r.industry
DELETE old
WITH DISTINCT b, r
FOREACH (name IN CASE WHEN r.industry IS NULL THEN [] ELSE [r.industry] END |
  MERGE (i:Industry {name: name})
  MERGE (b)-[:IN_INDUSTRY]->(i))`

const RECORD_SCORE = `
MERGE (b:Business {id: $id}) ON CREATE SET b.demo = false
MERGE (a:Assessment {type: $assessment})
MERGE (b)-[s:SCORED]->(a)
WITH s WHERE s.takenAt IS NULL OR s.takenAt <= $takenAt
SET s.score = $score, s.takenAt = $takenAt`

const DROP_UNLISTED_SCORES = `
UNWIND $rows AS r
MATCH (:Business {id: r.id})-[s:SCORED]->(a:Assessment)
WHERE NOT a.type IN r.types
DELETE s`

const SET_SCORES = `
UNWIND $scores AS x
MATCH (b:Business {id: x.id})
MERGE (a:Assessment {type: x.assessment})
MERGE (b)-[s:SCORED]->(a)
SET s.score = x.score, s.takenAt = x.takenAt`

const PEERS: Record<BenchmarkGroup, string> = {
  industry_size:
    'MATCH (p:Business {demo: coalesce($demo, me.demo), industry: me.industry, sizeBand: me.sizeBand}) WHERE p <> me',
  industry: 'MATCH (p:Business {demo: coalesce($demo, me.demo), industry: me.industry}) WHERE p <> me',
  everyone: 'MATCH (p:Business {demo: coalesce($demo, me.demo)}) WHERE p <> me',
}

const STATS = `count(*) AS peers, avg(score) AS mean,
  percentileCont(score, 0.1) AS p10, percentileCont(score, 0.25) AS p25, percentileCont(score, 0.5) AS p50,
  percentileCont(score, 0.75) AS p75, percentileCont(score, 0.9) AS p90,
  sum(CASE WHEN score < $mine[area] THEN 1 ELSE 0 END) AS below,
  sum(CASE WHEN score = $mine[area] THEN 1 ELSE 0 END) AS equal`

const groupAreaStats = (group: BenchmarkGroup) => `
MATCH (me:Business {id: $id})
${PEERS[group]}
MATCH (p)-[s:SCORED]->(a:Assessment) WHERE a.type IN $areas
WITH a.type AS area, s.score AS score
RETURN area, ${STATS}`

const groupOverallStats = (group: BenchmarkGroup) => `
MATCH (me:Business {id: $id})
${PEERS[group]} AND p.overall IS NOT NULL
WITH 'overall' AS area, p.overall AS score
RETURN area, ${STATS}`

const INDUSTRY_SCORES = `
MATCH (:Industry {name: $industry})<-[:IN_INDUSTRY]-(b:Business {demo: $demo})-[s:SCORED]->(a:Assessment)
WITH b, a.type AS area, s.score AS score`

const INDUSTRY_COUNTS = `${INDUSTRY_SCORES}
RETURN count(DISTINCT b) AS businesses,
  [x IN collect(CASE WHEN score >= $strengthAt THEN area END) WHERE x IS NOT NULL] AS strengths,
  [x IN collect(CASE WHEN score <= $weaknessAt THEN area END) WHERE x IS NOT NULL] AS weaknesses`

const INDUSTRY_CLUSTERS = `${INDUSTRY_SCORES}
WITH b, max(score) AS hi, min(score) AS lo, collect({area: area, score: score}) AS xs
WITH hi, lo, [x IN xs WHERE x.score = hi | x.area] AS his, [x IN xs WHERE x.score = lo | x.area] AS los
WITH hi, lo,
  reduce(m = head(his), x IN his | CASE WHEN x < m THEN x ELSE m END) AS strongest,
  reduce(m = head(los), x IN los | CASE WHEN x < m THEN x ELSE m END) AS weakest
WHERE strongest <> weakest
WITH strongest, weakest, count(*) AS businesses, avg(hi) AS strongestAverage, avg(lo) AS weakestAverage
WHERE businesses >= $minGroup
RETURN strongest, weakest, businesses, strongestAverage, weakestAverage`

const DIGEST = `
UNWIND $ids AS id
MATCH (b:Business {id: id})
OPTIONAL MATCH (b)-[s:SCORED]->(a:Assessment)
RETURN b.id AS id, b.industry AS industry, b.sizeBand AS sizeBand, b.demo AS demo, b.overall AS overall,
  collect(CASE WHEN a IS NULL THEN NULL ELSE [a.type, s.score] END) AS scores`

type Row = Record<string, unknown>

const businessParams = (b: BusinessProfile) => ({
  id: b.id,
  industry: b.industry,
  sizeBand: b.sizeBand,
  revenueBand: b.revenueBand,
  region: b.region,
  demo: b.demo,
  overall: b.overall,
})

export function createNeo4jGraphStore(options: { driver: Driver; database?: string | undefined }): GraphStore {
  const { driver, database } = options
  const sessionConfig = database ? { database } : {}

  async function read<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = driver.session({ ...sessionConfig, defaultAccessMode: neo4j.session.READ })
    try {
      return await session.executeRead(work)
    } finally {
      await session.close()
    }
  }
  async function write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = driver.session({ ...sessionConfig, defaultAccessMode: neo4j.session.WRITE })
    try {
      return await session.executeWrite(work)
    } finally {
      await session.close()
    }
  }
  const records = async (tx: ManagedTransaction, query: string, params: Row = {}) =>
    (await tx.run(query, params)).records.map((r) => r.toObject() as Row)

  async function digestOf(ids: readonly string[]) {
    if (ids.length === 0) return []
    const list = await read((tx) => records(tx, DIGEST, { ids: [...ids] }))
    return list
      .map((r) => ({
        id: String(r.id),
        industry: (r.industry as string | null) ?? null,
        sizeBand: (r.sizeBand as string | null) ?? null,
        demo: Boolean(r.demo),
        overall: r.overall === null || r.overall === undefined ? null : Number(r.overall),
        scores: Object.fromEntries((r.scores as Array<[string, number]>).map(([a, s]) => [a, Number(s)])) as Record<
          string,
          number
        >,
      }))
      .sort((a, b) => byName(a.id, b.id))
  }

  const similar = neo4jSimilar(read, records)

  const toStats = (r: Row): GroupStats => ({
    area: String(r.area),
    peers: Number(r.peers),
    mean: Number(r.mean),
    p10: Number(r.p10),
    p25: Number(r.p25),
    p50: Number(r.p50),
    p75: Number(r.p75),
    p90: Number(r.p90),
    below: Number(r.below),
    equal: Number(r.equal),
  })

  const store: GraphStore = {
    kind: 'neo4j',
    async init() {
      for (const statement of SCHEMA) await write((tx) => tx.run(statement))
      for (;;) {
        const [row] = await read((tx) => records(tx, MISSING_KEYS))
        const ids = (row?.ids as string[] | undefined) ?? []
        if (ids.length === 0) break
        await write((tx) => tx.run(REFRESH_KEYS, { ids }))
      }
    },
    async upsertBusiness(business) {
      await write((tx) => tx.run(UPSERT_BUSINESSES, { rows: [businessParams(business)] }))
    },
    async recordScore(score) {
      await write(async (tx) => {
        await tx.run(RECORD_SCORE, {
          id: score.businessId,
          assessment: score.assessment,
          score: score.score,
          takenAt: neo4j.int(score.takenAt.getTime()),
        })
        await tx.run(REFRESH_KEYS, { ids: [score.businessId] })
      })
    },
    async syncBusinesses(snapshots) {
      if (snapshots.length === 0) return
      await write(async (tx) => {
        await tx.run(UPSERT_BUSINESSES, { rows: snapshots.map((s) => businessParams(s.business)) })
        await tx.run(DROP_UNLISTED_SCORES, {
          rows: snapshots.map((s) => ({ id: s.business.id, types: s.scores.map((x) => x.assessment) })),
        })
        const scores = snapshots.flatMap((s) =>
          s.scores.map((x) => ({
            id: s.business.id,
            assessment: x.assessment,
            score: x.score,
            takenAt: neo4j.int(x.takenAt.getTime()),
          })),
        )
        if (scores.length > 0) await tx.run(SET_SCORES, { scores })
        await tx.run(REFRESH_KEYS, { ids: snapshots.map((s) => s.business.id) })
      })
    },
    async removeBusiness(id) {
      await write((tx) => tx.run('MATCH (b:Business {id: $id}) DETACH DELETE b', { id }))
    },
    async removeAll(opts = {}) {
      // In batches, so a large graph does not need one huge transaction.
      const filter = opts.demo === undefined ? '' : 'WHERE b.demo = $demo'
      for (;;) {
        const [row] = await write((tx) =>
          records(tx, `MATCH (b:Business) ${filter} WITH b LIMIT 5000 DETACH DELETE b RETURN count(*) AS n`, {
            demo: opts.demo ?? null,
          }),
        )
        if (!row || Number(row.n) === 0) break
      }
    },
    similarBusinesses: (id, opts) => similarFrom(similar, id, opts),
    recommendedAssessments: (id, opts) => recommendationsFrom(store, id, opts),
    async benchmarks(id, opts) {
      const [me] = await digestOf([id])
      const mine: Record<string, number> = { ...(me?.scores ?? {}) }
      if (me?.overall !== null && me?.overall !== undefined) mine.overall = me.overall
      const demo = opts.cohort === 'demo' ? true : null
      return benchmarksFrom(me ?? null, opts.areas, opts.minGroup ?? MIN_GROUP, (group, areas) =>
        read(async (tx) => {
          const list = areas.some((a) => a !== 'overall')
            ? await records(tx, groupAreaStats(group), { id, areas: areas.filter((a) => a !== 'overall'), mine, demo })
            : []
          const overall = areas.includes('overall')
            ? await records(tx, groupOverallStats(group), { id, mine, demo })
            : []
          return [...list, ...overall].filter((r) => Number(r.peers) > 0).map(toStats)
        }),
      )
    },
    async industryAnalytics(industry, opts = {}) {
      const minGroup = opts.minGroup ?? MIN_GROUP
      const params = {
        industry,
        demo: opts.demo ?? false,
        strengthAt: STRENGTH_AT,
        weaknessAt: WEAKNESS_AT,
        minGroup: neo4j.int(minGroup),
      }
      const [counts, clusters] = await read(
        async (tx) =>
          [await records(tx, INDUSTRY_COUNTS, params), await records(tx, INDUSTRY_CLUSTERS, params)] as const,
      )
      const tally = (areas: unknown) => {
        const m = new Map<string, number>()
        for (const a of (areas as string[] | undefined) ?? []) m.set(a, (m.get(a) ?? 0) + 1)
        return [...m].map(([area, businesses]) => ({ area, businesses }))
      }
      const head = counts[0]
      return analyticsFrom(
        industry,
        {
          businesses: Number(head?.businesses ?? 0),
          strengths: tally(head?.strengths),
          weaknesses: tally(head?.weaknesses),
          clusters: clusters.map((c) => ({
            strongest: String(c.strongest),
            weakest: String(c.weakest),
            businesses: Number(c.businesses),
            strongestAverage: Number(c.strongestAverage),
            weakestAverage: Number(c.weakestAverage),
          })),
        },
        minGroup,
        opts.top ?? 5,
      )
    },
    async counts() {
      const [r] = await read((tx) =>
        records(
          tx,
          `CALL () { MATCH (b:Business) RETURN count(b) AS businesses, count(CASE WHEN b.demo THEN 1 END) AS demo }
           CALL () { MATCH (:Business)-[s:SCORED]->() RETURN count(s) AS scores }
           CALL () { MATCH (i:Industry) WHERE EXISTS { (i)<-[:IN_INDUSTRY]-() } RETURN count(i) AS industries }
           RETURN businesses, demo, scores, industries`,
        ),
      )
      return {
        businesses: Number(r?.businesses ?? 0),
        demoBusinesses: Number(r?.demo ?? 0),
        scores: Number(r?.scores ?? 0),
        industries: Number(r?.industries ?? 0),
      }
    },
    async digest(ids) {
      const list = await digestOf(ids)
      return list.map((b): BusinessDigest => ({
        id: b.id,
        industry: b.industry,
        sizeBand: b.sizeBand,
        demo: b.demo,
        scores: b.scores,
      }))
    },
    async listIds(opts) {
      const list = await read((tx) =>
        records(
          tx,
          'MATCH (b:Business) WHERE $after IS NULL OR b.id > $after RETURN b.id AS id ORDER BY id LIMIT $limit',
          { after: opts.after ?? null, limit: neo4j.int(opts.limit) },
        ),
      )
      return list.map((r) => String(r.id))
    },
    async close() {
      await driver.close()
    },
  }
  return store
}
