/**
 * Peer graph: similar businesses, recommendations and benchmarks p50/p99 on PostgreSQL and PGlite (and Neo4j
 * when BENCH_NEO4J_URI is set), plus backfill-style write throughput. BENCH_GRAPH_BUSINESSES (default 10000)
 * businesses from the demo generator (3–12 scores each, real cohort); BENCH_GRAPH_QUERIES (default 100) per query.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openDatabase } from '../src/data/db.ts'
import { migrate } from '../src/data/migrate.ts'
import { demoBusinessId, seedDemoCohort } from '../src/graph/demo.ts'
import { createNeo4jDriver, createNeo4jGraphStore } from '../src/graph/neo4j/store.ts'
import { createSqlGraphStore } from '../src/graph/sql/store.ts'
import type { GraphStore } from '../src/graph/store.ts'

const N = Number(process.env.BENCH_GRAPH_BUSINESSES ?? 10_000)
const Q = Number(process.env.BENCH_GRAPH_QUERIES ?? 100)
const ADMIN = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const AREAS = ['overall', 'strategy', 'process', 'technology', 'sales', 'bpm']

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!
async function time(fn: (i: number) => Promise<unknown>) {
  const xs: number[] = []
  for (let i = 0; i < Q; i++) {
    const t = performance.now()
    await fn(i)
    xs.push(performance.now() - t)
  }
  return `${pct(xs, 0.5).toFixed(1)} / ${pct(xs, 0.99).toFixed(1)}`
}

async function run(name: string, store: GraphStore, cleanup: () => Promise<void>) {
  try {
    await store.init()
    await store.removeAll()
    const t = performance.now()
    await seedDemoCohort(store, N, { demo: false, cohort: 'bench' })
    const writeSeconds = (performance.now() - t) / 1000
    const id = (i: number) => demoBusinessId((i * 7919) % N, 'bench')
    const similar = await time((i) => store.similarBusinesses(id(i), { limit: 10 }))
    const recs = await time((i) => store.recommendedAssessments(id(i), { limit: 5 }))
    const bench = await time((i) => store.benchmarks(id(i), { areas: AREAS }))
    console.log(
      `| ${name} | ${N} | ${similar} | ${recs} | ${bench} | ${(N / writeSeconds).toFixed(0)} businesses/s (${writeSeconds.toFixed(1)} s) |`,
    )
  } finally {
    await cleanup()
  }
}

console.log(`\nPeer graph (${Q} queries each; ms p50 / p99)\n`)
console.log('| backend | businesses | similar | recommendations | benchmarks | write (backfill path) |')
console.log('|---|---|---|---|---|---|')
const name = `oq_bench_graph_${randomBytes(3).toString('hex')}`
const admin = new pg.Client({ connectionString: ADMIN })
await admin.connect()
await admin.query(`create database ${name}`)
const pgDb = await openDatabase({ kind: 'postgres', url: ADMIN.replace(/\/[^/]*$/, `/${name}`), poolSize: 4 })
await migrate(pgDb)
await run('PostgreSQL', createSqlGraphStore({ db: pgDb }), async () => {
  await pgDb.close()
  await admin.query(`drop database if exists ${name} with (force)`)
  await admin.end()
})
if (process.env.BENCH_GRAPH_PGLITE !== 'false') {
  const lite = await openDatabase({ kind: 'pglite' })
  await migrate(lite)
  await run('PGlite', createSqlGraphStore({ db: lite }), () => lite.close())
}
if (process.env.BENCH_NEO4J_URI) {
  const store = createNeo4jGraphStore({
    driver: createNeo4jDriver({
      uri: process.env.BENCH_NEO4J_URI,
      username: 'neo4j',
      password: process.env.BENCH_NEO4J_PASSWORD ?? 'x',
    }),
  })
  await run('Neo4j', store, () => store.close())
} else console.log('| Neo4j | — | not run (set BENCH_NEO4J_URI, e.g. from tools/neo4j/start.sh) | | | |')
