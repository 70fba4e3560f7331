import { parseArgs } from 'node:util'
import pino from 'pino'
import type { Config } from '../config/env.ts'
import { openDatabase } from '../data/db.ts'
import { migrate } from '../data/migrate.ts'
import { seedDemoCohort } from '../graph/demo.ts'
import { createGraphStore } from '../graph/index.ts'
import { createGraphSync } from '../graph/sync.ts'

/** `optimaliq graph backfill|check` and `optimaliq demo seed`: the graph of Config (Neo4j or SQL) against the main database. */
async function withGraph<T>(
  config: Config,
  fn: (deps: { store: ReturnType<typeof createGraphStore>; sync: ReturnType<typeof createGraphSync> }) => Promise<T>,
): Promise<T> {
  const logger = pino({ level: 'warn' })
  const db = await openDatabase(config.database)
  try {
    await migrate(db)
    const store = createGraphStore({ config, db, logger })
    try {
      await store.init()
      return await fn({ store, sync: createGraphSync({ db, store, logger }) })
    } finally {
      await store.close()
    }
  } finally {
    await db.close()
  }
}

/** Command output goes to stdout (lint allows console only in cli.ts). */
const print = (line: string) => void process.stdout.write(`${line}\n`)

const where = (config: Config) =>
  config.graph.neo4j
    ? `Neo4j at ${config.graph.neo4j.uri}`
    : `the SQL graph in ${config.database.kind === 'postgres' ? 'PostgreSQL' : 'PGlite'}`

export async function graphCommand(config: Config, args: string[]): Promise<number> {
  const [sub] = args
  if (sub === 'backfill') {
    const started = performance.now()
    const result = await withGraph(config, ({ sync }) => sync.backfill())
    print(
      `Backfilled ${where(config)}: ${result.synced} businesses written, ${result.removed} removed, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    )
    return 0
  }
  if (sub === 'check') {
    const report = await withGraph(config, ({ sync }) => sync.check())
    print(
      `Checked ${where(config)} against SQL: ${report.checked} profiles, ${report.inSync} in sync, ${report.missing} missing, ${report.mismatched} different, ${report.extra} extra`,
    )
    for (const e of report.examples) print(`  ${e.problem.padEnd(10)} ${e.id}`)
    const drift = report.missing + report.mismatched + report.extra
    if (drift > 0) print('Run `optimaliq graph backfill` to rebuild the graph from SQL.')
    return drift > 0 ? 1 : 0
  }
  console.error('Usage: optimaliq graph backfill | optimaliq graph check')
  return 2
}

export async function demoCommand(config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args
  if (sub !== 'seed') {
    console.error('Usage: optimaliq demo seed [--businesses N] [--reset]')
    return 2
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      businesses: { type: 'string', default: String(config.graph.demoBusinesses) },
      reset: { type: 'boolean', default: false },
    },
  })
  const count = Number(values.businesses)
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
    console.error(`--businesses must be a whole number from 1 to 1000000 (got "${values.businesses}")`)
    return 2
  }
  await withGraph(config, async ({ store }) => {
    if (values.reset) await store.removeAll({ demo: true })
    await seedDemoCohort(store, count)
  })
  print(
    `Seeded ${count} demo businesses into ${where(config)} (flagged demo: shown as demo peers, never mixed with real ones)`,
  )
  return 0
}
