import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import {
  EVENTS_CHANNEL,
  eventPayloads,
  type EventType,
  type NewEvent,
  type StoredEvent,
} from '../../contracts/events.ts'
import { OptimaliqError } from '../../errors.ts'
import { rows, type Claims, type Database, type Executor } from '../db.ts'

/**
 * The events log (`events`, the outbox) and the ONE writer of it. Every event is validated against
 * its type's payload schema before anything is written, and appended with `pg_notify(id)` in the
 * same statement: NOTIFY is delivered at commit, so a rolled-back change leaves neither row nor
 * signal, and the id alone goes through NOTIFY (payloads can exceed its 8,000-byte limit).
 */

/** An event whose type is unknown or whose payload does not match its type's schema: a bug in the publisher. */
export class InvalidEventError extends OptimaliqError {
  constructor(type: string, issues: Array<{ field: string; message: string }>) {
    super('invalid_event', `Event ${type} refused: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, {
      status: 500,
      details: { type, issues },
    })
  }
}

/** The payload as its type's schema parses it; throws InvalidEventError otherwise. */
export function validateEvent<T extends EventType>(event: NewEvent<T>): NewEvent<T> {
  const schema = eventPayloads[event.type] as (typeof eventPayloads)[EventType] | undefined
  if (!schema) throw new InvalidEventError(String(event.type), [{ field: 'type', message: 'unknown event type' }])
  const parsed = schema.safeParse(event.payload)
  if (!parsed.success)
    throw new InvalidEventError(
      event.type,
      parsed.error.issues.map((i) => ({ field: ['payload', ...i.path.map(String)].join('.'), message: i.message })),
    )
  return { ...event, payload: parsed.data as NewEvent<T>['payload'] }
}

/** The validated `(type, user_id, audience, payload)` rows of some events, as a `VALUES` list. */
function eventValues(events: ReadonlyArray<NewEvent>): SQL {
  const values = events.map((event) => {
    const valid = validateEvent(event)
    return sql`(${valid.type}, ${valid.userId}::uuid, ${valid.audience ?? 'user'}, ${JSON.stringify(valid.payload)}::jsonb)`
  })
  return sql`values ${sql.join(values, sql`, `)}`
}

/** A data-modifying CTE item: `name as (statement)`. */
const cte = (name: string, statement: SQLWrapper) =>
  // `getSQL()`: a query builder placed directly in `sql` is wrapped in parentheses, which a
  // data-modifying WITH item does not allow.
  sql`${sql.identifier(name)} as (${statement.getSQL()})`

/**
 * Append events inside the caller's executor (a transaction, or alone: one statement is atomic).
 * Returns their ids, in order.
 */
export async function appendEvents(executor: Executor, events: ReadonlyArray<NewEvent>): Promise<number[]> {
  if (events.length === 0) return []
  return writeWithEvents(executor, {}, events)
}

/** Append one event inside the caller's transaction (the outbox); returns its id. */
export async function publish<T extends EventType>(tx: Executor, event: NewEvent<T>): Promise<number> {
  const [id] = await appendEvents(tx, [event as NewEvent])
  return id!
}

/**
 * Run some writes and append these events with their NOTIFY in ONE statement: atomic without an
 * explicit transaction, and one round trip instead of BEGIN, write, event, COMMIT.
 *
 * `writes` is one statement, or several named ones (`{ profile: update…, submission: insert… from
 * profile }`: each becomes a WITH item under its name, in order, so later ones may read earlier
 * ones). With `onlyIf`, the events are appended only when that item returned a row (a guarded
 * update that matched nothing appends nothing); otherwise whatever the writes touched. Every
 * payload is validated before the statement is sent. Returns the events' ids, in order (empty when
 * `onlyIf` matched nothing).
 */
export async function writeWithEvents(
  executor: Executor,
  writes: SQLWrapper | Readonly<Record<string, SQLWrapper>>,
  events: ReadonlyArray<NewEvent>,
  options: { onlyIf?: string } = {},
): Promise<number[]> {
  const items = withItems(writes, events, options.onlyIf)
  if (!items) return []
  const written = await rows<{ id: string | number }>(
    executor,
    events.length === 0
      ? sql`with ${items} select 1 as id where false`
      : sql`with ${items} select id, pg_notify(${EVENTS_CHANNEL}, id::text) from event order by id`,
  )
  return written.map((r) => Number(r.id))
}

/**
 * `writeWithEvents` for a write whose rows the caller needs: the rows `returning` (a WITH item's
 * name; `write` for a single statement) produced, and the events' ids. The events are appended
 * only when that item returned a row.
 */
export async function writeRowsWithEvents<T>(
  executor: Executor,
  writes: SQLWrapper | Readonly<Record<string, SQLWrapper>>,
  events: ReadonlyArray<NewEvent>,
  options: { returning: string },
): Promise<{ rows: T[]; eventIds: number[] }> {
  const items = withItems(writes, events, options.returning)
  if (!items) return { rows: [], eventIds: [] }
  const source = sql.identifier(options.returning)
  const written = await rows<T & { event_ids?: Array<string | number> | null }>(
    executor,
    events.length === 0
      ? sql`with ${items} select * from ${source}`
      : // The NOTIFYs run in a subquery joined to every returned row; with no row there is no event to announce.
        sql`with ${items} select w.*, n.event_ids from ${source} w cross join (
              select coalesce(array_agg(id order by id), '{}') as event_ids
                from (select id, pg_notify(${EVENTS_CHANNEL}, id::text) from event) e
            ) n`,
  )
  const eventIds = (written[0]?.event_ids ?? []).map(Number)
  return {
    rows: written.map((row) => {
      const { event_ids: _, ...rest } = row
      return rest as T
    }),
    eventIds,
  }
}

/** The WITH items of some writes plus the events' insert (payloads validated here); null when there is nothing to run. */
function withItems(
  writes: SQLWrapper | Readonly<Record<string, SQLWrapper>>,
  events: ReadonlyArray<NewEvent>,
  onlyIf: string | undefined,
): SQL | null {
  const named: Array<[string, SQLWrapper]> =
    'getSQL' in writes && typeof writes.getSQL === 'function'
      ? [['write', writes as SQLWrapper]]
      : Object.entries(writes as Record<string, SQLWrapper>)
  const items = named.map(([name, statement]) => cte(name, statement))
  if (events.length > 0) {
    const gate = onlyIf ? sql` where exists (select 1 from ${sql.identifier(onlyIf)})` : sql``
    items.push(sql`event as (
          insert into events (type, user_id, audience, payload)
          select v.type, v.user_id, v.audience, v.payload from (${eventValues(events)}) as v(type, user_id, audience, payload)${gate}
          returning id
        )`)
  }
  return items.length === 0 ? null : sql.join(items, sql`, `)
}

// ---- reading the log ----

type EventRow = {
  id: string | number
  type: string
  user_id: string | null
  audience: StoredEvent['audience']
  payload: Record<string, unknown>
  created_at: Date | string
}

const COLUMNS = 'id, type, user_id, audience, payload, created_at'

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: Number(row.id),
    type: row.type as EventType,
    userId: row.user_id,
    audience: row.audience,
    payload: row.payload,
    createdAt: row.created_at instanceof Date ? row.created_at.toISOString() : new Date(row.created_at).toISOString(),
  }
}

/**
 * Events after `cursor` in id order (at most `limit`), plus any of the ids in `holes` that have
 * become visible since (one round trip). Run as the owner: the hub reads every user's events.
 */
export async function readEventsAfter(
  db: Database,
  cursor: number,
  limit: number,
  holes: readonly number[] = [],
): Promise<StoredEvent[]> {
  const found =
    holes.length > 0
      ? await db.query<EventRow>(
          `select ${COLUMNS} from events where id > $1 or id = any($3::bigint[]) order by id limit $2`,
          [cursor, limit, holes],
        )
      : await db.query<EventRow>(`select ${COLUMNS} from events where id > $1 order by id limit $2`, [cursor, limit])
  return found.map(toStoredEvent)
}

/** The highest event id written so far (0 when none). */
export async function latestEventId(db: Database): Promise<number> {
  const [row] = await db.query<{ max: string | number | null }>('select max(id) as max from events')
  return Number(row?.max ?? 0)
}

/** Delete events older than `retentionSeconds`; returns how many. */
export async function deleteEventsOlderThan(db: Database, retentionSeconds: number): Promise<number> {
  const deleted = await db.query<{ n: string | number }>(
    `with gone as (delete from events where created_at < now() - make_interval(secs => $1) returning 1) select count(*) as n from gone`,
    [retentionSeconds],
  )
  return Number(deleted[0]?.n ?? 0)
}

/**
 * One page of a stream's replay: the events after `after` that this user may see (their own
 * user-audience events, and admin events when `admin`), in id order, under RLS with the caller's claims.
 */
export async function listStreamEventsAfter(
  db: Database,
  claims: Claims,
  query: { userId: string; admin: boolean; after: number; limit: number },
): Promise<StoredEvent[]> {
  const { userId, after, limit } = query
  const page = await db.asUser(claims, (tx) =>
    rows<EventRow>(
      tx,
      query.admin
        ? sql`select id, type, user_id, audience, payload, created_at from events
              where id > ${after} and ((user_id = ${userId} and audience = 'user') or audience = 'admin') order by id limit ${limit}`
        : sql`select id, type, user_id, audience, payload, created_at from events
              where id > ${after} and user_id = ${userId} and audience = 'user' order by id limit ${limit}`,
    ),
  )
  return page.map(toStoredEvent)
}

// ---- the LISTEN connection's statements (the connection itself is events/listener.ts) ----

/** Anything that runs one statement on a dedicated connection (a `pg.Client`). */
export type ListenConnection = { query(text: string): Promise<unknown> }

/** Subscribe a dedicated connection to the events channel. */
export async function listenForEvents(connection: ListenConnection): Promise<void> {
  await connection.query(`LISTEN ${EVENTS_CHANNEL}`)
}

/** The cheapest round trip: proves a LISTEN connection is still alive. */
export async function pingConnection(connection: ListenConnection): Promise<void> {
  await connection.query('select 1')
}

export { EVENTS_CHANNEL }
