import type { Claims, Database } from '../../data/db.ts'
import { ownsAiAnswer } from '../../data/repositories/advice.ts'
import { upsertFeedback } from '../../data/repositories/feedback.ts'
import { NotFoundError } from '../../errors.ts'

/**
 * Thumbs (and an optional comment) on any AI answer of the caller's, by the request id of its
 * `ai_log` row: insights, dashboards, levers, commentary, forecasts, recommendations alike.
 * Rating again replaces the earlier rating.
 */
export async function rateAnswer(
  db: Database,
  claims: Claims,
  requestId: string,
  body: { rating: 'up' | 'down'; comment?: string | undefined },
) {
  const owned = await ownsAiAnswer(db.orm, requestId, claims.sub)
  if (!owned) throw new NotFoundError('AI answer', 'request_not_found')
  const row = await db.asUser(claims, (tx) =>
    upsertFeedback(tx, { requestId, userId: claims.sub, rating: body.rating, comment: body.comment ?? null }),
  )
  return { ...row, feature: owned.feature }
}
