import type { Database } from '../db.ts'

/**
 * USD spent since `start`: one user's from the per-user day rollup, or everyone's from the global
 * day rollup (both kept by `ai_log`'s triggers, migration 0004, so as fresh as the ledger). A month
 * is at most 31 rows per user, and the global figure a few per model.
 */
export async function spentSince(db: Database, q: { userId?: string | undefined; start: string }): Promise<number> {
  const rows = q.userId
    ? await db.query<{ spent: string | number | null }>(
        'select coalesce(sum(cost_usd), 0) as spent from ai_log_user_daily where user_id = $1 and day >= $2',
        [q.userId, q.start],
      )
    : await db.query<{ spent: string | number | null }>(
        "select coalesce(sum(cost_usd), 0) as spent from ai_log_rollup where grain = 'day' and period_start >= $1",
        [q.start],
      )
  return Number(rows[0]?.spent ?? 0)
}
