import type { Database } from '../db.ts'

/** Delete rows created before `cutoff`, `batch` at a time, so a backlog never holds one long lock. */
export async function deleteInBatches(
  db: Database,
  table: 'ai_log' | 'events' | 'ai_responses',
  cutoff: string,
  batch: number,
): Promise<number> {
  let total = 0
  for (;;) {
    const [r] = await db.query<{ n: string }>(
      `with d as (delete from ${table} where id in (select id from ${table} where created_at < $1 limit ${batch}) returning 1) select count(*) as n from d`,
      [cutoff],
    )
    const n = Number(r?.n ?? 0)
    total += n
    if (n < batch) return total
  }
}

/** Prune monitoring rollup rows that are empty or whose period ended before `cutoff`; returns rows pruned. */
export async function pruneRollups(db: Database, cutoff: string): Promise<number> {
  const [r] = await db.query<{ n: string }>(
    `with a as (
        delete from ai_log_rollup where requests = 0
          or grain = 'hour' and period_start <= $1::timestamptz - interval '1 hour' or grain = 'day' and period_start <= $1::timestamptz - interval '1 day'
        returning 1
      ), b as (
        delete from ai_log_error_rollup where errors = 0
          or grain = 'hour' and period_start <= $1::timestamptz - interval '1 hour' or grain = 'day' and period_start <= $1::timestamptz - interval '1 day'
        returning 1
      ), c as (
        delete from ai_log_user_daily where requests = 0 or day <= $1::timestamptz - interval '1 day' returning 1
      )
      select (select count(*) from a) + (select count(*) from b) + (select count(*) from c) as n`,
    [cutoff],
  )
  return Number(r?.n ?? 0)
}
