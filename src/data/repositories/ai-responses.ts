import { sql } from 'drizzle-orm'
import { rows, type Executor } from '../db.ts'

/**
 * Stored Responses API responses (`ai_responses`). Every function runs under `asUser` with the key
 * owner's claims: RLS keeps each user to their own rows, so another user's id reads as absent.
 */

export type StoredResponseInsert = {
  id: string
  userId: string
  apiKeyId: string | undefined
  previousResponseId: string | undefined
  model: string
  /** The request's own input items (item references resolved). */
  input: unknown[]
  output: unknown[]
  /** The response object as `GET /v1/responses/{id}` returns it. */
  response: unknown
}

export async function insertStoredResponse(tx: Executor, row: StoredResponseInsert): Promise<void> {
  await tx.execute(
    sql`insert into ai_responses (id, user_id, api_key_id, previous_response_id, model, input, output, response)
        values (${row.id}, ${row.userId}, ${row.apiKeyId ?? null}, ${row.previousResponseId ?? null}, ${row.model},
                ${JSON.stringify(row.input)}::jsonb, ${JSON.stringify(row.output)}::jsonb, ${JSON.stringify(row.response)}::jsonb)`,
  )
}

/** The response object stored under `id`, or undefined (absent, expired, or another user's). */
export async function findStoredResponse(tx: Executor, id: string): Promise<unknown> {
  const [row] = await rows<{ response: unknown }>(tx, sql`select response from ai_responses where id = ${id}`)
  return row?.response
}

/**
 * The conversation up to and including `id`: each response's input and output items, oldest
 * first, following `previous_response_id` (at most `depth` links). Empty when `id` is not found.
 */
export async function storedConversation(
  tx: Executor,
  id: string,
  depth = 1_000,
): Promise<Array<{ id: string; input: unknown[]; output: unknown[] }>> {
  return rows(
    tx,
    sql`with recursive chain as (
          select id, previous_response_id, input, output, 0 as depth from ai_responses where id = ${id}
          union all
          select r.id, r.previous_response_id, r.input, r.output, c.depth + 1
            from ai_responses r join chain c on r.id = c.previous_response_id
           where c.depth < ${depth}
        )
        select id, input, output from chain order by depth desc`,
  )
}

/** Output items with these ids from the user's stored responses (for `item_reference` inputs). */
export async function findStoredItems(tx: Executor, ids: readonly string[]): Promise<Map<string, unknown>> {
  const found = new Map<string, unknown>()
  for (const id of new Set(ids)) {
    // `output @> [{id}]` narrows by the GIN index; the lateral unnest picks the item itself.
    const [row] = await rows<{ item: unknown }>(
      tx,
      sql`select item from ai_responses r cross join lateral jsonb_array_elements(r.output) as item
           where r.output @> ${JSON.stringify([{ id }])}::jsonb and item->>'id' = ${id}
           order by r.created_at desc limit 1`,
    )
    if (row) found.set(id, row.item)
  }
  return found
}

/** Delete the user's response `id`; whether one was deleted. */
export async function deleteStoredResponse(tx: Executor, id: string): Promise<boolean> {
  const deleted = await rows<{ id: string }>(tx, sql`delete from ai_responses where id = ${id} returning id`)
  return deleted.length > 0
}
