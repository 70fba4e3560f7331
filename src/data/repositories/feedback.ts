import { sql } from 'drizzle-orm'
import { rows, type Executor } from '../db.ts'

/** Store (or replace) a user's rating of one AI answer or one item of it (`item`; null: the whole answer). Run under `asUser`. */
export async function upsertFeedback(
  tx: Executor,
  input: { requestId: string; userId: string; item: string | null; rating: 'up' | 'down'; comment: string | null },
) {
  const [r] = await rows<{
    request_id: string
    item: string
    rating: 'up' | 'down'
    comment: string | null
    created_at: string | Date
  }>(
    tx,
    sql`insert into ai_feedback (request_id, user_id, item, rating, comment) values (${input.requestId}, ${input.userId}, ${input.item ?? ''}, ${input.rating}, ${input.comment})
        on conflict (request_id, user_id, item) do update set rating = excluded.rating, comment = excluded.comment
        returning request_id, item, rating, comment, created_at`,
  )
  return {
    requestId: r!.request_id,
    item: r!.item === '' ? null : r!.item,
    rating: r!.rating,
    comment: r!.comment,
    createdAt: new Date(r!.created_at).toISOString(),
  }
}
