import type { Database } from '../../data/db.ts'

/** What rate-limiter-flexible's Postgres store calls: `query({text, values})` → `{rows, rowCount}`. */
export type LimiterStoreClient = { query(q: { text: string; values?: unknown[]; name?: string }): Promise<{ rows: unknown[]; rowCount: number }> }

export const LIMITER_TABLE = 'rate_limits'

/**
 * The store client for rate-limiter-flexible: the pg Pool itself on PostgreSQL; on PGlite a
 * one-line shim (PGlite has no `rowCount`, which the library reads).
 */
export function limiterStoreClient(db: Database): LimiterStoreClient {
  if (db.driver.kind === 'postgres') return db.driver.pool as unknown as LimiterStoreClient
  const client = db.driver.client
  return {
    async query(q) {
      const result = await client.query(q.text, q.values)
      return { rows: result.rows, rowCount: result.rows.length || (result.affectedRows ?? 0) }
    },
  }
}

/** Create the limiter table once (the library would race itself creating it per limiter). */
export async function ensureLimiterTable(db: Database): Promise<void> {
  await db.exec(`CREATE TABLE IF NOT EXISTS ${LIMITER_TABLE} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`).catch((error: unknown) => {
    // Two processes creating it at once: the loser sees a duplicate type; the table exists.
    if ((error as { code?: string }).code !== '23505') throw error
  })
}

/** Drop expired counters (the retention job calls this; the library's own timer is off). */
export async function clearExpiredLimits(db: Database, now = Date.now()): Promise<number> {
  const rows = await db.query<{ n: string }>(`WITH d AS (DELETE FROM ${LIMITER_TABLE} WHERE expire < $1 RETURNING 1) SELECT count(*)::text AS n FROM d`, [now])
  return Number(rows[0]?.n ?? 0)
}
