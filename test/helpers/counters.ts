import { afterAll, beforeAll } from 'vitest'
import { createCounterPool, type CounterPool } from '../../src/governance/limits/counters.ts'
import { openDatabase, type Database } from '../../src/data/db.ts'
import { createTestDatabase, type BackendKind, type TestDatabase } from './backends.ts'

type PoolOptions = Parameters<typeof createCounterPool>[1]

export type CounterProcesses = {
  readonly database: TestDatabase
  readonly db: Database
  /** A second, separate connection pool on the same PostgreSQL (what another process has); on PGlite the same database. */
  readonly other: Database
  /** A counter pool, as one process holds it (its own leases); closed after the suite. */
  pool(db: Database, options?: PoolOptions): CounterPool
}

/** A fresh database for a suite of shared-counter tests, with counter pools standing for processes. */
export function useCounterProcesses(backend: BackendKind, defaults?: PoolOptions): CounterProcesses {
  let database: TestDatabase | undefined
  let second: Database | undefined
  const pools: CounterPool[] = []
  beforeAll(async () => {
    database = await createTestDatabase(backend)
    second = database.url ? await openDatabase({ kind: 'postgres', url: database.url, poolSize: 4 }) : undefined
  })
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()))
    await second?.close()
    await database?.drop()
  })
  return {
    get database() {
      return database!
    },
    get db() {
      return database!.db
    },
    get other() {
      return second ?? database!.db
    },
    pool(db, options = defaults) {
      const p = createCounterPool(db, options)
      pools.push(p)
      return p
    },
  }
}
