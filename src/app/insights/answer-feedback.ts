import type { Claims, Database } from '../../data/db.ts'
import { ownsAiAnswer } from '../../data/repositories/advice.ts'
import { upsertFeedback } from '../../data/repositories/feedback.ts'
import { NotFoundError } from '../../errors.ts'

/**
 * Thumbs (and an optional comment) on any AI answer of the caller's, by the request id of its
 * `ai_log` row: insights, dashboards, levers, commentary, forecasts, recommendations alike.
 * `item` rates one part of the answer ("roadmap.2"); each part keeps its own rating, and rating
 * again replaces the earlier rating of that part.
 */
export async function rateAnswer(
  db: Database,
  claims: Claims,
  requestId: string,
  body: { rating: 'up' | 'down'; comment?: string | undefined; item?: string | undefined },
) {
  const owned = await ownsAiAnswer(db.orm, requestId, claims.sub)
  if (!owned) throw new NotFoundError('AI answer', 'request_not_found')
  const row = await db.asUser(claims, (tx) =>
    upsertFeedback(tx, {
      requestId,
      userId: claims.sub,
      item: body.item ?? null,
      rating: body.rating,
      comment: body.comment ?? null,
    }),
  )
  return { ...row, feature: owned.feature }
}
