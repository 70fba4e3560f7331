import { sql } from 'drizzle-orm'
import { rows, type Executor } from '../db.ts'

/** Store (or replace) a user's rating of one AI answer. Run under `asUser`. */
export async function upsertFeedback(
  tx: Executor,
  input: { requestId: string; userId: string; rating: 'up' | 'down'; comment: string | null },
) {
  const [r] = await rows<{
    request_id: string
    rating: 'up' | 'down'
    comment: string | null
    created_at: string | Date
  }>(
    tx,
    sql`insert into ai_feedback (request_id, user_id, rating, comment) values (${input.requestId}, ${input.userId}, ${input.rating}, ${input.comment})
        on conflict (request_id, user_id) do update set rating = excluded.rating, comment = excluded.comment
        returning request_id, rating, comment, created_at`,
  )
  return {
    requestId: r!.request_id,
    rating: r!.rating,
    comment: r!.comment,
    createdAt: new Date(r!.created_at).toISOString(),
  }
}
