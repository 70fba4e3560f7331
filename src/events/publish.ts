import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { rows, type Executor } from '../data/db.ts'
import { EVENTS_CHANNEL, eventPayloads, type EventType, type NewEvent } from './types.ts'

/**
 * Append an event inside the caller's transaction (the outbox). NOTIFY carries only the id and
 * is delivered by PostgreSQL at commit, so a rolled-back change leaves neither row nor signal.
 */
export async function publish<T extends EventType>(tx: Executor, event: NewEvent<T>): Promise<number> {
  const payload = eventPayloads[event.type].parse(event.payload)
  // One round trip: the insert and its NOTIFY in one statement.
  const [row] = await rows<{ id: string | number }>(
    tx,
    sql`with event as (
          insert into events (type, user_id, audience, payload)
          values (${event.type}, ${event.userId}, ${event.audience ?? 'user'}, ${JSON.stringify(payload)}::jsonb)
          returning id
        )
        select id, pg_notify(${EVENTS_CHANNEL}, id::text) from event`,
  )
  return Number(row!.id)
}

/**
 * The validated `(type, user_id, audience, payload)` rows of some events, as a `VALUES` list, for a
 * writer that appends them inside its own statement (`insert into events (…) select … from (values …)`).
 * Such a writer must also NOTIFY each inserted id, as `publish` does.
 */
export function eventValues(events: ReadonlyArray<NewEvent>): SQL {
  const values = events.map((event) => {
    const payload = eventPayloads[event.type].parse(event.payload)
    return sql`(${event.type}, ${event.userId}::uuid, ${event.audience ?? 'user'}, ${JSON.stringify(payload)}::jsonb)`
  })
  return sql`values ${sql.join(values, sql`, `)}`
}

/**
 * Run one write and append these events with their NOTIFY in the same statement: atomic without
 * an explicit transaction, and one round trip instead of BEGIN, write, event, COMMIT. The events
 * are appended whatever the write touched (for a write that may touch nothing, see
 * `recordSubmission`). Returns the events' ids, in order.
 */
export async function writeWithEvents(
  executor: Executor,
  write: SQLWrapper,
  events: ReadonlyArray<NewEvent>,
): Promise<number[]> {
  const written = await rows<{ id: string | number }>(
    executor,
    // `getSQL()`: a query builder placed directly in `sql` is wrapped in parentheses, which a
    // data-modifying WITH item does not allow.
    sql`with write as (${write.getSQL()}), event as (
          insert into events (type, user_id, audience, payload)
          select v.type, v.user_id, v.audience, v.payload from (${eventValues(events)}) as v(type, user_id, audience, payload)
          returning id
        )
        select id, pg_notify(${EVENTS_CHANNEL}, id::text) from event order by id`,
  )
  return written.map((r) => Number(r.id))
}
