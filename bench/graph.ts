/**
 * Peer graph: similar businesses, recommendations and benchmarks p50/p99 on PostgreSQL and PGlite (and Neo4j
 * when BENCH_NEO4J_URI is set), backfill-path write throughput, and sync throughput through the graph_sync
 * job's path. BENCH_GRAPH_BUSINESSES (default 10000) businesses from the demo generator (3–12 scores each,
 * real cohort); BENCH_GRAPH_QUERIES (default 100) per query; BENCH_GRAPH_SYNC (default 1000) profiles created
 * in SQL, then synced through the queued `graph_sync` job (one job per `assessment.completed` event), then
 * `graph backfill` over them on top of the seeded graph.
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import pino from 'pino'
import { openDatabase, type Database } from '../src/data/db.ts'
import { migrate } from '../src/data/migrate.ts'
import { createUser } from '../src/data/repositories/users.ts'
import { demoBusiness, demoBusinessId, seedDemoCohort } from '../src/graph/demo.ts'
import { createNeo4jDriver, createNeo4jGraphStore } from '../src/graph/neo4j/store.ts'
import { createSqlGraphStore } from '../src/graph/sql/store.ts'
import type { GraphStore } from '../src/graph/store.ts'
import { createGraphSync, GRAPH_SYNC_JOB, registerGraphSyncJob } from '../src/graph/sync.ts'
import { createQueue } from '../src/queue/queue.ts'

const N = Number(process.env.BENCH_GRAPH_BUSINESSES ?? 10_000)
const Q = Number(process.env.BENCH_GRAPH_QUERIES ?? 100)
const S = Number(process.env.BENCH_GRAPH_SYNC ?? 1000)
const ADMIN = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const AREAS = ['overall', 'strategy', 'process', 'technology', 'sales', 'bpm']
const TARGET_P99_MS = 50
const TARGET_SYNC_PER_S = 1000

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!
async function time(fn: (i: number) => Promise<unknown>) {
  await fn(Q) // one warm-up call, not counted
  const xs: number[] = []
  for (let i = 0; i < Q; i++) {
    const t = performance.now()
    await fn(i)
    xs.push(performance.now() - t)
  }
  const p99 = pct(xs, 0.99)
  return `${pct(xs, 0.5).toFixed(1)} / ${p99.toFixed(1)}${p99 <= TARGET_P99_MS ? '' : ' ✗'}`
}

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
const GROWTH = new Set(['strategy', 'process', 'technology'])

/** S users whose profiles carry demo-generator scores, as submissions would leave them. */
async function createProfiles(db: Database): Promise<string[]> {
  const ids: string[] = []
  const tag = randomBytes(3).toString('hex')
  for (let n = 0; n < S; n++) {
    const b = demoBusiness(N + n, { demo: false, cohort: 'bench-sync' })
    const profile: Record<string, unknown> = {
      industry: b.business.industry,
      companySize: b.business.sizeBand,
      overallScore: b.business.overall,
    }
    for (const s of b.scores) {
      profile[`${camel(s.assessment)}Score`] = s.score
      profile[GROWTH.has(s.assessment) ? 'growthLastTaken' : `${camel(s.assessment)}LastTaken`] = s.takenAt
    }
    const user = await createUser(db.orm, {
      email: `graph-bench-${tag}-${n}@example.test`,
      passwordHash: null,
      role: 'user',
      profile,
    })
    ids.push(user.id)
  }
  return ids
}

/**
 * The event path: S `graph_sync` jobs (one per `assessment.completed` event, as `syncGraphOnEvents` queues them)
 * stored, then drained by the real queue worker (pg-boss; QUEUE_CONCURRENCY 2, the default; the job's batch of 100)
 * until SQL and the graph agree; then `graph backfill`'s rebuild of the same profiles.
 */
async function syncThroughput(db: Database, store: GraphStore) {
  const sync = createGraphSync({ db, store, logger: { info() {}, warn() {} } })
  const ids = await createProfiles(db)
  const queue = createQueue({ db, logger: pino({ level: 'error' }), batchSize: 20, concurrency: 2 })
  try {
    registerGraphSyncJob(queue, sync)
    await queue.ready(GRAPH_SYNC_JOB)
    const boss = await queue.boss()
    await boss.insert(
      GRAPH_SYNC_JOB,
      ids.map((id) => ({ data: { businessId: id }, singletonKey: id })),
    )
    await db.exec('analyze') // DESIGN §3: ANALYZE after bulk loads (the seeded graph, the profiles, the jobs)
    const t = performance.now()
    await queue.startWorkers()
    while ((await sync.lag()).pending > 0) await sleep(20)
    const perSecond = ids.length / ((performance.now() - t) / 1000)
    await queue.stop(2_000)
    // `graph backfill`'s rebuild from SQL (its second pass, removing graph businesses without a profile, would
    // here delete the seeded cohort, which has no profiles).
    const b = performance.now()
    for (let i = 0; i < ids.length; i += 500) await sync.syncIds(ids.slice(i, i + 500))
    const backfill = (performance.now() - b) / 1000
    return { perSecond, backfill }
  } finally {
    await queue.stop(2_000).catch(() => {})
  }
}

async function run(name: string, store: GraphStore, db: Database, cleanup: () => Promise<void>) {
  try {
    await store.init()
    await store.removeAll()
    const t = performance.now()
    await seedDemoCohort(store, N, { demo: false, cohort: 'bench' })
    const writeSeconds = (performance.now() - t) / 1000
    await db.exec('analyze')
    const id = (i: number) => demoBusinessId((i * 7919) % N, 'bench')
    const similar = await time((i) => store.similarBusinesses(id(i), { limit: 10 }))
    const recs = await time((i) => store.recommendedAssessments(id(i), { limit: 5 }))
    const bench = await time((i) => store.benchmarks(id(i), { areas: AREAS }))
    const s = S > 0 ? await syncThroughput(db, store) : undefined
    const syncCell = s
      ? `${s.perSecond.toFixed(0)}/s${s.perSecond >= TARGET_SYNC_PER_S ? '' : ' ✗'} | ${s.backfill.toFixed(1)} s`
      : 'not run | not run'
    console.log(
      `| ${name} | ${N} | ${similar} | ${recs} | ${bench} | ${(N / writeSeconds).toFixed(0)}/s (${writeSeconds.toFixed(1)} s) | ${syncCell} |`,
    )
  } finally {
    await cleanup()
  }
}

async function postgres() {
  const name = `oq_bench_graph_${randomBytes(3).toString('hex')}`
  const admin = new pg.Client({ connectionString: ADMIN })
  await admin.connect()
  await admin.query(`create database ${name}`)
  const db = await openDatabase({ kind: 'postgres', url: ADMIN.replace(/\/[^/]*$/, `/${name}`), poolSize: 4 })
  await migrate(db)
  const drop = async () => {
    await db.close()
    await admin.query(`drop database if exists ${name} with (force)`)
    await admin.end()
  }
  return { db, drop }
}

console.log(`\nPeer graph (${Q} queries each; ms p50 / p99; ✗ = target missed)\n`)
console.log(
  `| backend | businesses | similar | recommendations | benchmarks | backfill path (seed) | sync, ${S} graph_sync jobs | backfill from SQL, ${S} profiles |`,
)
console.log('|---|---|---|---|---|---|---|---|')
console.log(
  `| target | 100000 | p99 ≤ ${TARGET_P99_MS} | p99 ≤ ${TARGET_P99_MS} | p99 ≤ ${TARGET_P99_MS} | | ≥ ${TARGET_SYNC_PER_S}/s | |`,
)
const backends = (process.env.BENCH_GRAPH_BACKENDS ?? 'postgres,pglite,neo4j').split(',')
if (backends.includes('postgres')) {
  const { db, drop } = await postgres()
  await run('PostgreSQL', createSqlGraphStore({ db }), db, drop)
}
if (backends.includes('pglite') && process.env.BENCH_GRAPH_PGLITE !== 'false') {
  const lite = await openDatabase({ kind: 'pglite' })
  await migrate(lite)
  await run('PGlite', createSqlGraphStore({ db: lite }), lite, () => lite.close())
}
if (backends.includes('neo4j') && process.env.BENCH_NEO4J_URI) {
  const { db, drop } = await postgres() // the SQL side of the sync: profiles are read from PostgreSQL
  const store = createNeo4jGraphStore({
    driver: createNeo4jDriver({
      uri: process.env.BENCH_NEO4J_URI,
      username: 'neo4j',
      password: process.env.BENCH_NEO4J_PASSWORD ?? 'x',
    }),
  })
  await run('Neo4j', store, db, async () => {
    await store.close()
    await drop()
  })
} else console.log('| Neo4j | — | not run (set BENCH_NEO4J_URI, e.g. from tools/neo4j/start.sh) | | | | | |')
