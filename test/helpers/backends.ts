import { randomBytes } from 'node:crypto'
import { describe } from 'vitest'
import pg from 'pg'
import { loadConfig, type Config } from '../../src/config/env.ts'
import { openDatabase, type Database } from '../../src/data/db.ts'
import { migrate } from '../../src/data/migrate.ts'

/**
 * Runs integration suites against both backends: PGlite (in memory) and the real PostgreSQL on
 * this machine. Each suite gets its own database. With CI=true PostgreSQL is mandatory: an
 * unreachable server fails the run instead of skipping.
 */

export type BackendKind = 'pglite' | 'postgres'

export const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

const ci = process.env.CI === 'true' || process.env.CI === '1'
const reachable = await postgresReachable()
if (!reachable && ci) throw new Error(`PostgreSQL is required in CI but ${POSTGRES_ADMIN_URL} is unreachable`)
if (!reachable) console.warn(`PostgreSQL at ${POSTGRES_ADMIN_URL} is unreachable: running PGlite suites only`)

/** The backends this run covers. */
export const BACKENDS: BackendKind[] = reachable ? ['pglite', 'postgres'] : ['pglite']

/** `describe` once per backend: `describeBackends('auth', (backend) => { ... })`. */
export function describeBackends(title: string, fn: (backend: BackendKind) => void) {
  for (const backend of BACKENDS) describe(`${title} [${backend}]`, () => fn(backend))
}

export type TestDatabase = { db: Database; url: string | undefined; name: string; drop(): Promise<void> }

async function adminQuery(text: string) {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** A fresh, migrated database of this kind (PostgreSQL: a new database, dropped by `drop`). */
export async function createTestDatabase(
  kind: BackendKind,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const name = `oq_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  if (kind === 'pglite') {
    const db = await openDatabase({ kind: 'pglite' })
    if (options.migrate !== false) await migrate(db)
    return { db, url: undefined, name, drop: () => db.close() }
  }
  await adminQuery(`create database ${name}`)
  const url = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`)
  const db = await openDatabase({ kind: 'postgres', url, poolSize: 10 })
  if (options.migrate !== false) await migrate(db)
  return {
    db,
    url,
    name,
    async drop() {
      await db.close()
      await adminQuery(`drop database if exists ${name} with (force)`)
    },
  }
}

/** A Config for tests: quiet logs, a fixed JWT secret, plus any overrides (env-variable names). */
export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    OPTIMALIQ_DATA_DIR: '/tmp/optimaliq-test',
    // Every test signs up from 127.0.0.1; the throttle's own tests set these low.
    AUTH_SIGNUPS_PER_ADDRESS_PER_HOUR: '1000000',
    AUTH_LOGIN_ADDRESS_FAILURES: '1000000',
    ...env,
  })
}
