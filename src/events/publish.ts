import { sql, type SQL } from 'drizzle-orm'
import { rows, type Executor } from '../data/db.ts'
import { EVENTS_CHANNEL, eventPayloads, type EventType, type NewEvent } from './types.ts'

/**
 * Append an event inside the caller's transaction (the outbox). NOTIFY carries only the id and
 * is delivered by PostgreSQL at commit, so a rolled-back change leaves neither row nor signal.
 */
export async function publish<T extends EventType>(tx: Executor, event: NewEvent<T>): Promise<number> {
  const payload = eventPayloads[event.type].parse(event.payload)
  const [row] = await rows<{ id: string | number }>(
    tx,
    sql`insert into events (type, user_id, audience, payload)
        values (${event.type}, ${event.userId}, ${event.audience ?? 'user'}, ${JSON.stringify(payload)}::jsonb)
        returning id`,
  )
  const id = Number(row!.id)
  await tx.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${String(id)})`)
  return id
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
