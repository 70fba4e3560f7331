import type { Database } from '../../data/db.ts'
import { clearExpiredLimits } from '../limits/pg-store.ts'

/**
 * Retention: delete `ai_log` rows older than `aiLogDays` and `events` older than `eventsDays`, in
 * batches so a large backlog never holds one long lock. The queue runs this daily
 * (`retention.run`); it also clears expired rate-limit counters.
 */
export type RetentionResult = { aiLog: number; events: number; rateLimits: number }

async function deleteInBatches(db: Database, table: 'ai_log' | 'events', cutoff: string, batch: number): Promise<number> {
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

export async function runRetention(db: Database, options: { aiLogDays: number; eventsDays: number; now?: Date; batch?: number }): Promise<RetentionResult> {
  const now = options.now ?? new Date()
  const batch = options.batch ?? 5_000
  const day = 86_400_000
  const aiLog = options.aiLogDays > 0 ? await deleteInBatches(db, 'ai_log', new Date(now.getTime() - options.aiLogDays * day).toISOString(), batch) : 0
  const events = options.eventsDays > 0 ? await deleteInBatches(db, 'events', new Date(now.getTime() - options.eventsDays * day).toISOString(), batch) : 0
  const rateLimits = await clearExpiredLimits(db, now.getTime()).catch(() => 0)
  return { aiLog, events, rateLimits }
}
