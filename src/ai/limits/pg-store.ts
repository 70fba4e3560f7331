import type { Database } from '../../data/db.ts'

/** What rate-limiter-flexible's Postgres store calls: `query({text, values})` → `{rows, rowCount}`. */
export type LimiterStoreClient = { query(q: { text: string; values?: unknown[]; name?: string }): Promise<{ rows: unknown[]; rowCount: number }> }

/** Created by migration `0002_rate_limits` (one creator, under the migration lock). */
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

/** Drop expired counters (the retention job calls this; the library's own timer is off). */
export async function clearExpiredLimits(db: Database, now = Date.now()): Promise<number> {
  const rows = await db.query<{ n: string }>(`WITH d AS (DELETE FROM ${LIMITER_TABLE} WHERE expire < $1 RETURNING 1) SELECT count(*)::text AS n FROM d`, [now])
  return Number(rows[0]?.n ?? 0)
}
