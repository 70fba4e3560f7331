import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNeo4jDriver, createNeo4jGraphStore } from '../../../src/graph/neo4j/store.ts'
import { createSqlGraphStore } from '../../../src/graph/sql/store.ts'
import { byName } from '../../../src/graph/shared.ts'
import { tiersOf } from '../../../src/graph/similar.ts'
import { scoreKeyOf, similarityOf, type BusinessSnapshot, type GraphStore } from '../../../src/graph/store.ts'
import { BACKENDS, createTestDatabase, type TestDatabase } from '../../helpers/backends.ts'
import { startTestNeo4j, type TestNeo4j } from '../../helpers/neo4j.ts'

/**
 * One contract suite for every GraphStore: SQL on PGlite, SQL on PostgreSQL, Neo4j. Each backend gets
 * the same generated data; every answer is checked against a reference computed here in plain
 * TypeScript from that data, and at the end the backends' answers are compared with each other.
 */

const AREAS = ['ai_readiness', 'bpm', 'leadership', 'sales', 'strategy', 'tech_stack', 'technology'] as const

function prng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** Ids sortable and stable: business n of the data set. */
const idOf = (n: number, demo = false) =>
  `${demo ? 'd' : '0'}0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`

function dataset(): BusinessSnapshot[] {
  const rand = prng(42)
  const list: BusinessSnapshot[] = []
  const at = new Date('2026-11-01T00:00:00Z')
  for (let n = 1; n <= 48; n++) {
    // retail: 30 (16 small, 14 large); saas: 14 small; farming: 4 (too few for its own benchmark).
    const industry = n <= 30 ? 'retail' : n <= 44 ? 'saas' : 'farming'
    const sizeBand = industry === 'retail' ? (n <= 16 ? '1-10' : '11-50') : '1-10'
    const taken = AREAS.filter((_, i) => (i + n) % 3 !== 0 || rand() < 0.3)
    list.push({
      business: {
        id: idOf(n),
        industry,
        sizeBand,
        revenueBand: 'under 1m',
        region: n % 2 ? 'eu' : 'us',
        demo: false,
        overall: Math.round((1 + rand() * 4) * 100) / 100,
      },
      scores: taken.map((assessment) => ({ assessment, score: Math.round((1 + rand() * 4) * 4) / 4, takenAt: at })),
    })
  }
  // Two businesses with identical scores: their tie is broken by id.
  list.push({ ...list[0]!, business: { ...list[0]!.business, id: idOf(49) } })
  // A demo cohort in the same industry with extreme scores: it must never show up for real businesses.
  for (let n = 1; n <= 8; n++) {
    list.push({
      business: {
        id: idOf(n, true),
        industry: 'retail',
        sizeBand: '1-10',
        revenueBand: null,
        region: null,
        demo: true,
        overall: 5,
      },
      scores: AREAS.map((assessment) => ({ assessment, score: n % 2 ? 5 : 4.75, takenAt: at })),
    })
  }
  return list
}

const DATA = dataset()
const byId = new Map(DATA.map((s) => [s.business.id, s]))
const scoresOf = (id: string) =>
  Object.fromEntries(byId.get(id)!.scores.map((s) => [s.assessment, s.score])) as Record<string, number>

const keyOf = (id: string) => scoreKeyOf(byId.get(id)!.scores.map((s) => s.score))

/**
 * The candidate rule of docs/graph.md, plainly: `candidates` businesses of the cohort nearest by score key (then
 * id), tier by tier — same industry and size band, rest of the industry, everyone else. Infinity = everyone.
 */
function referenceCandidates(id: string, candidates: number): Set<string> {
  const me = byId.get(id)!.business
  const key = keyOf(id)!
  const pool = DATA.filter((o) => o.business.id !== id && o.business.demo === me.demo && o.scores.length > 0)
  const inTier = {
    band: (o: BusinessSnapshot) => o.business.industry === me.industry && o.business.sizeBand === me.sizeBand,
    industry: (o: BusinessSnapshot) => o.business.industry === me.industry && o.business.sizeBand !== me.sizeBand,
    rest: (o: BusinessSnapshot) => !(me.industry !== null && o.business.industry === me.industry),
  }
  const chosen: string[] = []
  for (const tier of tiersOf(me)) {
    const ranked = pool
      .filter(inTier[tier])
      .map((o) => ({ id: o.business.id, d: Math.abs(keyOf(o.business.id)! - key) }))
      .sort((a, b) => a.d - b.d || byName(a.id, b.id))
    chosen.push(...ranked.slice(0, Math.max(0, candidates - chosen.length)).map((x) => x.id))
  }
  return new Set(chosen)
}

function referenceSimilar(id: string, limit: number, candidates = Infinity) {
  const me = byId.get(id)!
  const mine = scoresOf(id)
  const allowed = Number.isFinite(candidates) ? referenceCandidates(id, candidates) : null
  const out: Array<{ id: string; similarity: number; shared: string[] }> = []
  for (const other of DATA) {
    if (other.business.id === id || other.business.demo !== me.business.demo) continue
    if (allowed && !allowed.has(other.business.id)) continue
    const theirs = scoresOf(other.business.id)
    const shared = Object.keys(mine)
      .filter((a) => a in theirs)
      .sort(byName)
    if (shared.length === 0) continue
    const diff = shared.reduce((sum, a) => sum + Math.abs(mine[a]! - theirs[a]!), 0)
    const union = new Set([...Object.keys(mine), ...Object.keys(theirs)]).size
    out.push({ id: other.business.id, similarity: similarityOf(diff, shared.length, union), shared })
  }
  return out.sort((a, b) => b.similarity - a.similarity || byName(a.id, b.id)).slice(0, limit)
}

/** PostgreSQL's percentile_cont: linear interpolation at (n − 1) · p. */
function percentileCont(values: number[], p: number) {
  const v = [...values].sort((a, b) => a - b)
  const i = (v.length - 1) * p
  const lo = Math.floor(i)
  const hi = Math.ceil(i)
  return v[lo]! + (v[hi]! - v[lo]!) * (i - lo)
}

type Backend = { name: string; open(): Promise<{ store: GraphStore; close(): Promise<void> }> }

let neo: TestNeo4j | undefined = await startTestNeo4j()
afterAll(async () => {
  await neo?.stop()
  neo = undefined
})

const backends: Backend[] = [
  ...BACKENDS.map((kind) => ({
    name: `sql/${kind}`,
    async open() {
      const test: TestDatabase = await createTestDatabase(kind)
      return { store: createSqlGraphStore({ db: test.db }), close: () => test.drop() }
    },
  })),
  ...(neo
    ? [
        {
          name: 'neo4j',
          async open() {
            const store = createNeo4jGraphStore({ driver: createNeo4jDriver(neo!), database: neo!.database })
            await store.init()
            await store.removeAll()
            return { store, close: () => store.close() }
          },
        },
      ]
    : []),
]

/** Every backend's answers to the same questions, compared at the end. */
const answers = new Map<string, Record<string, unknown>>()

for (const backend of backends) {
  describe(`GraphStore [${backend.name}]`, () => {
    let store: GraphStore
    let close: () => Promise<void>
    const record: Record<string, unknown> = {}
    answers.set(backend.name, record)

    beforeAll(async () => {
      ;({ store, close } = await backend.open())
      await store.syncBusinesses(DATA.slice(0, 20))
      await store.syncBusinesses(DATA.slice(20))
    }, 180_000) // a fresh database or a warming JVM on a busy two-core machine
    afterAll(async () => close?.())

    it('keeps one current score per business and assessment, the newest by taken-at', async () => {
      const id = randomUUID()
      await store.upsertBusiness({
        id,
        industry: 'retail',
        sizeBand: '1-10',
        revenueBand: null,
        region: null,
        demo: false,
        overall: null,
      })
      await store.recordScore({ businessId: id, assessment: 'sales', score: 2, takenAt: new Date('2026-10-01') })
      await store.recordScore({ businessId: id, assessment: 'sales', score: 4, takenAt: new Date('2026-10-03') })
      await store.recordScore({ businessId: id, assessment: 'sales', score: 1, takenAt: new Date('2026-10-02') })
      expect((await store.digest([id]))[0]).toEqual({
        id,
        industry: 'retail',
        sizeBand: '1-10',
        demo: false,
        scores: { sales: 4 },
      })
      // A sync writes exactly the scores it lists; the business moves industry.
      await store.syncBusinesses([
        {
          business: { id, industry: 'saas', sizeBand: null, revenueBand: null, region: null, demo: false, overall: 3 },
          scores: [{ assessment: 'bpm', score: 3.5, takenAt: new Date() }],
        },
      ])
      expect((await store.digest([id]))[0]).toEqual({
        id,
        industry: 'saas',
        sizeBand: null,
        demo: false,
        scores: { bpm: 3.5 },
      })
      await store.removeBusiness(id)
      expect(await store.digest([id])).toEqual([])
      // recordScore on an unknown business creates it (real cohort).
      const fresh = randomUUID()
      await store.recordScore({ businessId: fresh, assessment: 'sales', score: 3, takenAt: new Date() })
      expect((await store.digest([fresh]))[0]).toMatchObject({ id: fresh, demo: false, scores: { sales: 3 } })
      await store.removeBusiness(fresh)
    })

    it('counts the data set', async () => {
      const counts = await store.counts()
      expect(counts).toEqual({
        businesses: 57,
        demoBusinesses: 8,
        scores: DATA.reduce((n, s) => n + s.scores.length, 0),
        industries: 3,
      })
      record.counts = counts
    })

    it('finds similar businesses exactly as the formula says, ties by id, within the cohort', async () => {
      for (const n of [1, 17, 31, 45]) {
        const id = idOf(n)
        const got = await store.similarBusinesses(id, { limit: 12 })
        const want = referenceSimilar(id, 12)
        expect(got.map((g) => ({ id: g.id, similarity: g.similarity, shared: g.sharedAssessments }))).toEqual(want)
        expect(got.every((g) => !g.demo)).toBe(true)
        record[`similar:${n}`] = got
      }
      // Business 1 and 49 have identical scores: each is the other's most similar (similarity 1).
      const [top] = await store.similarBusinesses(idOf(1), { limit: 1 })
      expect(top).toMatchObject({ id: idOf(49), similarity: 1 })
      // Demo businesses only see demo businesses.
      const demo = await store.similarBusinesses(idOf(1, true), { limit: 50 })
      expect(demo.map((d) => d.id)).toEqual(referenceSimilar(idOf(1, true), 50).map((r) => r.id))
      expect(demo).toHaveLength(7)
      expect(demo.every((d) => d.demo)).toBe(true)
      expect(await store.similarBusinesses(randomUUID())).toEqual([])
      // A real business can be compared with the demo cohort (all of the answer demo, nothing mixed).
      const asDemo = await store.similarBusinesses(idOf(1), { limit: 50, cohort: 'demo' })
      expect(asDemo).toHaveLength(8)
      expect(asDemo.every((d) => d.demo)).toBe(true)
      const [sales] = await store.benchmarks(idOf(2), { areas: ['sales'], cohort: 'demo' })
      expect(sales).toMatchObject({ status: 'ok', group: 'industry_size', peers: 8, mean: 4.88, p50: 4.88 })
    })

    it('searches a bounded candidate set: nearest by score key, same band first, widening to industry then everyone', async () => {
      // 20 candidates (1: 16 in its band and 4 more from retail; 17: 13 in band, 7 from the rest of retail;
      // 45: 3 farming businesses, then 17 from other industries), 10 results each.
      for (const n of [1, 17, 45]) {
        const id = idOf(n)
        const got = await store.similarBusinesses(id, { limit: 10, candidates: 20 })
        const want = referenceSimilar(id, 10, 20)
        expect(got.map((g) => ({ id: g.id, similarity: g.similarity, shared: g.sharedAssessments }))).toEqual(want)
        // The bound changes the answer here (it is not the unbounded one), so the rule itself is what is checked.
        record[`bounded:${n}`] = got
      }
      expect(referenceSimilar(idOf(45), 10, 20)).not.toEqual(referenceSimilar(idOf(45), 10))
      // The score key is the same integer on every backend and in TypeScript.
      expect(scoreKeyOf([2.675, 3, 4.125])).toBe(32700)
    })

    it('recommends assessments the caller has not taken, with support and a k-anonymous expected score', async () => {
      const id = idOf(3)
      const mine = scoresOf(id)
      const peers = referenceSimilar(id, 25)
      const got = await store.recommendedAssessments(id, { limit: 10, peers: 25 })
      expect(got.length).toBeGreaterThan(0)
      for (const rec of got) {
        expect(mine[rec.assessment]).toBeUndefined()
        const takers = peers.filter((p) => rec.assessment in scoresOf(p.id))
        expect(rec.support).toBe(takers.length)
        expect(rec.share).toBeCloseTo(takers.length / peers.length, 4)
        if (takers.length < 5) expect(rec.expectedScore).toBeNull()
        else {
          const w = takers.reduce((s, p) => s + p.similarity, 0)
          expect(rec.expectedScore).toBeCloseTo(
            takers.reduce((s, p) => s + p.similarity * scoresOf(p.id)[rec.assessment]!, 0) / w,
            2,
          )
        }
      }
      expect(got.map((r) => r.support)).toEqual([...got.map((r) => r.support)].sort((a, b) => b - a))
      record.recommendations = got
    })

    it('benchmarks within industry and size band, widening to industry and everyone, k-anonymous', async () => {
      const id = idOf(2) // retail 1-10: 15 peers in its band, minus those without a score per area
      const areas = ['overall', ...AREAS]
      const got = await store.benchmarks(id, { areas })
      for (const b of got) {
        const peers = DATA.filter(
          (s) =>
            !s.business.demo &&
            s.business.id !== id &&
            s.business.industry === 'retail' &&
            s.business.sizeBand === '1-10',
        )
        const values =
          b.area === 'overall'
            ? peers.map((p) => p.business.overall!)
            : peers.flatMap((p) => p.scores.filter((x) => x.assessment === b.area).map((x) => x.score))
        expect(b.status).toBe('ok')
        if (b.status !== 'ok') continue
        expect(b.group).toBe('industry_size')
        expect(b.peers).toBe(values.length)
        // Rounded to 2 decimals: within half a cent of the exact value.
        for (const [p, got] of [
          [0.1, b.p10],
          [0.25, b.p25],
          [0.5, b.p50],
          [0.75, b.p75],
          [0.9, b.p90],
        ] as const)
          expect(Math.abs(got - percentileCont(values, p))).toBeLessThanOrEqual(0.005 + 1e-9)
        const mine = b.area === 'overall' ? byId.get(id)!.business.overall! : scoresOf(id)[b.area]
        if (mine === undefined) expect(b.percentile).toBeNull()
        else
          expect(b.percentile).toBeCloseTo(
            (100 * (values.filter((v) => v < mine).length + values.filter((v) => v === mine).length / 2)) /
              values.length,
            1,
          )
      }
      record.benchmarks = got

      // Farming has 4 businesses: its groups are too small, so the benchmark comes from everyone.
      const farm = await store.benchmarks(idOf(45), { areas: ['overall'] })
      expect(farm[0]).toMatchObject({ area: 'overall', status: 'ok', group: 'everyone', peers: 48 })
      record.farm = farm

      // With a minimum above every group, the answer says how many more peers are needed.
      const none = await store.benchmarks(idOf(45), { areas: ['overall', 'no_such_area'], minGroup: 60 })
      expect(none).toEqual([
        {
          area: 'overall',
          status: 'insufficient_peers',
          group: 'everyone',
          peers: 48,
          needed: 12,
          score: byId.get(idOf(45))!.business.overall,
        },
        { area: 'no_such_area', status: 'insufficient_peers', group: null, peers: 0, needed: 60, score: null },
      ])
      // An unknown business gets an explained empty answer, not an error.
      expect(await store.benchmarks(randomUUID(), { areas: ['overall'] })).toEqual([
        { area: 'overall', status: 'insufficient_peers', group: null, peers: 0, needed: 5, score: null },
      ])
    })

    it('analyses an industry: common strengths and weaknesses, clusters of at least 5, nothing for small industries', async () => {
      const got = await store.industryAnalytics('retail', { top: 14 })
      expect(got.status).toBe('ok')
      if (got.status !== 'ok') return
      expect(got.businesses).toBe(31) // 30 plus business 49, a copy of business 1
      const retail = DATA.filter((s) => s.business.industry === 'retail' && !s.business.demo)
      for (const s of got.strengths)
        expect(s.businesses).toBe(
          retail.filter((r) => r.scores.some((x) => x.assessment === s.area && x.score >= 3.5)).length,
        )
      for (const w of got.weaknesses)
        expect(w.businesses).toBe(
          retail.filter((r) => r.scores.some((x) => x.assessment === w.area && x.score <= 2.5)).length,
        )
      expect(got.strengths.length).toBeGreaterThan(0)
      for (const c of got.clusters) expect(c.businesses).toBeGreaterThanOrEqual(5)
      record.analytics = got
      expect(await store.industryAnalytics('farming')).toEqual({
        industry: 'farming',
        status: 'insufficient_peers',
        businesses: 4,
        needed: 1,
      })
      // The demo cohort is analysed on its own: 8 businesses, all strong everywhere.
      const demo = await store.industryAnalytics('retail', { demo: true })
      expect(demo).toMatchObject({ status: 'ok', businesses: 8, weaknesses: [] })
    })

    it('lists ids in pages', async () => {
      const first = await store.listIds({ limit: 10 })
      const next = await store.listIds({ after: first.at(-1), limit: 100 })
      expect([...first, ...next]).toEqual(DATA.map((d) => d.business.id).sort(byName))
    })
  })
}

describe('GraphStore backends agree', () => {
  it('gives the same answers on every backend', () => {
    // A backend whose setup failed has already failed its own tests; compare the ones that answered.
    const [first, ...rest] = [...answers].filter(([, record]) => Object.keys(record).length > 0)
    expect(first).toBeDefined()
    expect(rest.length).toBeGreaterThan(0)
    for (const [name, record] of rest) expect({ name, record }).toEqual({ name, record: first![1] })
  })
})
