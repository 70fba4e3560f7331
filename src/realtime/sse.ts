import type { StoredEvent } from '../contracts/events.ts'
import type { RealtimeEvent } from '../contracts/realtime.ts'

/** What a client receives as `data` of each SSE message (the `event` field is the type). */
export type StreamMessage = RealtimeEvent

/**
 * One SSE message. `id` is the stream's resume cursor: the event id, or the highest id already sent
 * when an event committed late (its own id is in `data`), so a reconnect never re-sends what the
 * client has seen.
 */
export function formatEvent(event: StoredEvent, cursor: number): string {
  // Streams receive user and admin events only (the hub never routes `system` ones to a stream).
  const message: StreamMessage = {
    id: event.id,
    type: event.type,
    userId: event.userId,
    audience: event.audience === 'admin' ? 'admin' : 'user',
    payload: event.payload,
    createdAt: event.createdAt,
  }
  // JSON has no raw newlines, so `data` stays a single line.
  return `id: ${Math.max(cursor, event.id)}\nevent: ${event.type}\ndata: ${JSON.stringify(message)}\n\n`
}

/** A control message that is not an event (no id: it does not move the resume cursor). */
export function formatControl(event: string, data: Record<string, unknown>): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

/** A comment line: keeps proxies and load balancers from closing an idle stream. */
export const KEEP_ALIVE = ': keep-alive\n\n'

/** The reconnect delay browsers should use, sent once at the start. */
export function formatRetry(ms: number): string {
  return `retry: ${Math.round(ms)}\n\n`
}

/** The resume cursor of a request: `Last-Event-ID` header (what EventSource sends) or `lastEventId` query. */
export function parseLastEventId(
  header: string | string[] | undefined,
  query: string | number | undefined,
): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header
  for (const value of [raw, query]) {
    if (value === undefined || value === '') continue
    const n = Number(value)
    if (Number.isSafeInteger(n) && n >= 0) return n
  }
  return undefined
}
