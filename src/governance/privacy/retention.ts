import type { Database } from '../../data/db.ts'
import { clearExpiredLimits } from '../../data/repositories/rate-limits.ts'
import { deleteInBatches, pruneRollups } from '../../data/repositories/retention.ts'

/**
 * Retention: delete `ai_log` rows older than `aiLogDays`, `events` older than `eventsDays` and
 * stored `/v1/responses` (`ai_responses`) older than `responsesDays`, in
 * batches so a large backlog never holds one long lock. The queue runs this daily
 * (`retention.run`); it also clears expired rate-limit counters.
 *
 * The monitoring rollups keep the retention of `ai_log`: its DELETE trigger takes the deleted
 * rows out of them, so an hour or day left with no requests is a row of zeros, pruned here with
 * every period that ended before the cutoff (`rollups`: rows pruned in the three tables).
 */
export type RetentionResult = {
  aiLog: number
  events: number
  rateLimits: number
  rollups: number
  /** Stored `/v1/responses` older than `responsesDays` (AI_RESPONSES_RETENTION_DAYS). */
  responses: number
}

export async function runRetention(
  db: Database,
  options: { aiLogDays: number; eventsDays: number; responsesDays?: number; now?: Date; batch?: number },
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
  const responsesDays = options.responsesDays ?? 0
  const responses =
    responsesDays > 0
      ? await deleteInBatches(db, 'ai_responses', new Date(now.getTime() - responsesDays * day).toISOString(), batch)
      : 0
  const rollups =
    options.aiLogDays > 0 ? await pruneRollups(db, new Date(now.getTime() - options.aiLogDays * day).toISOString()) : 0
  const rateLimits = await clearExpiredLimits(db, now.getTime()).catch(() => 0)
  return { aiLog, events, rateLimits, rollups, responses }
}
