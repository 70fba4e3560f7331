import type { Database } from '../../data/db.ts'
import { clearExpiredLimits } from '../limits/counters.ts'

/**
 * Retention: delete `ai_log` rows older than `aiLogDays` and `events` older than `eventsDays`, in
 * batches so a large backlog never holds one long lock. The queue runs this daily
 * (`retention.run`); it also clears expired rate-limit counters.
 *
 * The monitoring rollups keep the retention of `ai_log`: its DELETE trigger takes the deleted
 * rows out of them, so an hour or day left with no requests is a row of zeros, pruned here with
 * every period that ended before the cutoff (`rollups`: rows pruned in the three tables).
 */
export type RetentionResult = { aiLog: number; events: number; rateLimits: number; rollups: number }

async function deleteInBatches(
  db: Database,
  table: 'ai_log' | 'events',
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

async function pruneRollups(db: Database, cutoff: string): Promise<number> {
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

export async function runRetention(
  db: Database,
  options: { aiLogDays: number; eventsDays: number; now?: Date; batch?: number },
): Promise<RetentionResult> {
  const now = options.now ?? new Date()
  const batch = options.batch ?? 5_000
  const day = 86_400_000
  const aiLog =
    options.aiLogDays > 0
      ? await deleteInBatches(db, 'ai_log', new Date(now.getTime() - options.aiLogDays * day).toISOString(), batch)
      : 0
  const events =
    options.eventsDays > 0
      ? await deleteInBatches(db, 'events', new Date(now.getTime() - options.eventsDays * day).toISOString(), batch)
      : 0
  const rollups =
    options.aiLogDays > 0 ? await pruneRollups(db, new Date(now.getTime() - options.aiLogDays * day).toISOString()) : 0
  const rateLimits = await clearExpiredLimits(db, now.getTime()).catch(() => 0)
  return { aiLog, events, rateLimits, rollups }
}
