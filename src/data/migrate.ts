import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { sql } from 'drizzle-orm'
import { rows, type Database } from './db.ts'

/**
 * Applies drizzle-kit's migration folder (its `meta/_journal.json` order, statements split on
 * `--> statement-breakpoint`) in one transaction under an advisory lock, so two processes
 * starting together on one PostgreSQL do not both migrate: the second waits, then finds
 * nothing to do. The same runner serves PGlite.
 */

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url)
const LOCK_KEY = 0x6f71_6d67 // "oqmg"

type JournalEntry = { idx: number; tag: string }
export type Migration = { tag: string; hash: string; statements: string[] }

let cached: Promise<Migration[]> | undefined

/** The migrations shipped with this build, in order. */
export function loadMigrations(): Promise<Migration[]> {
  cached ??= (async () => {
    const journal = JSON.parse(await readFile(new URL('meta/_journal.json', MIGRATIONS_DIR), 'utf8')) as {
      entries: JournalEntry[]
    }
    const entries = [...journal.entries].sort((a, b) => a.idx - b.idx)
    return Promise.all(
      entries.map(async ({ tag }) => {
        const text = await readFile(new URL(`${tag}.sql`, MIGRATIONS_DIR), 'utf8')
        const statements = text
          .split('--> statement-breakpoint')
          .map((s) => s.trim())
          .filter((s) => s.replace(/--.*$/gm, '').trim() !== '')
        return { tag, hash: createHash('sha256').update(text).digest('hex'), statements }
      }),
    )
  })()
  return cached
}

const BOOTSTRAP = `CREATE TABLE IF NOT EXISTS optimaliq_migrations (
  tag text PRIMARY KEY,
  hash text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`

export type MigrationResult = { applied: string[]; alreadyApplied: number }

/** Apply every pending migration. Safe to call from several processes at once. */
export async function migrate(db: Database): Promise<MigrationResult> {
  const migrations = await loadMigrations()
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEY})`)
    await tx.execute(sql.raw(BOOTSTRAP))
    const done = new Set((await rows<{ tag: string }>(tx, sql`select tag from optimaliq_migrations`)).map((r) => r.tag))
    const applied: string[] = []
    for (const migration of migrations) {
      if (done.has(migration.tag)) continue
      for (const statement of migration.statements) await tx.execute(sql.raw(statement))
      await tx.execute(sql`insert into optimaliq_migrations (tag, hash) values (${migration.tag}, ${migration.hash})`)
      applied.push(migration.tag)
    }
    return { applied, alreadyApplied: done.size }
  })
}

/** Whether every shipped migration has been applied (for `/readyz`). */
export async function pendingMigrations(db: Database): Promise<string[]> {
  const migrations = await loadMigrations()
  const exists = await db.query<{ ok: boolean }>(`select to_regclass('optimaliq_migrations') is not null as ok`)
  if (!exists[0]?.ok) return migrations.map((m) => m.tag)
  const done = new Set((await db.query<{ tag: string }>('select tag from optimaliq_migrations')).map((r) => r.tag))
  return migrations.filter((m) => !done.has(m.tag)).map((m) => m.tag)
}
