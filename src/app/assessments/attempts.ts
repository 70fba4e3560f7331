import type { Database } from '../../data/db.ts'
import { completeAttempt, recordAttemptStart } from '../../data/repositories/advice.ts'

/**
 * The assessment funnel's two moments. Both are measurements, not part of the user's request:
 * a failure to record one is logged and never fails the request that triggered it.
 */
type Log = { warn(obj: unknown, msg: string): void }

/** A user was served an assessment's questions: open an attempt unless one is open. */
export async function noteAssessmentStarted(db: Database, userId: string, type: string, log: Log): Promise<void> {
  try {
    await recordAttemptStart(db.orm, userId, type)
  } catch (error) {
    log.warn({ err: error, type }, 'could not record the assessment start')
  }
}

/** A submission was recorded: complete the open attempt (or count one started and completed now). */
export async function noteAssessmentCompleted(
  db: Database,
  userId: string,
  type: string,
  submissionId: string,
  log: Log,
): Promise<void> {
  try {
    await completeAttempt(db.orm, userId, type, submissionId)
  } catch (error) {
    log.warn({ err: error, type }, 'could not record the assessment completion')
  }
}
