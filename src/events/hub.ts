import type { Logger } from 'pino'
import type { Database } from '../data/db.ts'
import { deleteEventsOlderThan, latestEventId, readEventsAfter } from '../data/repositories/events.ts'
import { createNotificationListener, type NotificationListener } from './listener.ts'
import type { EventType, StoredEvent } from '../contracts/events.ts'

/** A local handler: runs once per event in this process; a failure is logged and isolated. */
export type EventHandler<T extends EventType = EventType> = (event: StoredEvent & { type: T }) => void | Promise<void>

/**
 * Receives every new event in id order. `late` holds the ids of events that committed after a
 * higher id had been read (they arrive after it).
 */
export type EventSink = (events: StoredEvent[], late: ReadonlySet<number>) => void

export type EventHubOptions = {
  db: Database
  logger: Logger
  heartbeatMs?: number
  retentionDays?: number
  /** Rows per read. */
  batchSize?: number
  /**
   * How long a hole in the id sequence is re-checked. Ids are taken at insert but become visible at
   * commit, so id 10 can commit after id 11 was read; rolled-back inserts leave permanent holes.
   */
  gapWindowMs?: number
  /** How often the retention job runs. */
  retentionIntervalMs?: number
}

/**
 * The process's view of the events log. It reads `events` (the truth) whenever NOTIFY hints at new
 * rows or the LISTEN connection comes back, from the last id it saw, and hands each event once to
 * local handlers and sinks (the SSE hub). It never publishes what it receives: other processes
 * read the same log themselves, so there is no echo between instances.
 */
export type EventHub = {
  start(): Promise<void>
  stop(): Promise<void>
  /** Run `handler` for every event of this type (or `'*'`) seen by this process. Returns an unsubscribe. */
  subscribe<T extends EventType>(type: T | '*', handler: EventHandler<T>): () => void
  /** Raw fan-out for the realtime hub: called synchronously with each batch. */
  addSink(sink: EventSink): () => void
  /** Read now (after a NOTIFY this happens by itself). Resolves when caught up. */
  poll(): Promise<void>
  /** The highest event id this process has read. */
  readonly lastId: number
  readonly listener: NotificationListener
  /** Delete events older than the retention period; returns how many. */
  purgeExpired(): Promise<number>
}

export function createEventHub(options: EventHubOptions): EventHub {
  const { db, logger } = options
  const batchSize = options.batchSize ?? 500
  const gapWindowMs = options.gapWindowMs ?? 10_000
  const retentionDays = options.retentionDays ?? 7
  const listener = createNotificationListener(db, logger, { heartbeatMs: options.heartbeatMs ?? 10_000 })
  const handlers = new Map<string, Set<EventHandler>>()
  const sinks = new Set<EventSink>()
  /** Ids skipped over, with when the hole was first seen. */
  const gaps = new Map<number, number>()
  let cursor = 0
  let started = false
  let stopped = false
  let reading: Promise<void> | undefined
  let again = false
  let retentionTimer: NodeJS.Timeout | undefined

  const NO_LATE: ReadonlySet<number> = new Set()
  function dispatch(events: StoredEvent[], late: ReadonlySet<number>) {
    if (events.length === 0) return
    for (const sink of sinks) {
      try {
        sink(events, late)
      } catch (error) {
        logger.error({ err: error }, 'event sink failed')
      }
    }
    for (const event of events) {
      for (const key of [event.type, '*']) {
        for (const handler of handlers.get(key) ?? []) {
          // Each handler on its own promise: one failing or slow handler does not affect the others.
          void Promise.resolve()
            .then(() => handler(event))
            .catch((error: unknown) =>
              logger.error({ err: error, eventId: event.id, type: event.type }, 'event handler failed'),
            )
        }
      }
    }
  }

  async function readOnce(): Promise<boolean> {
    const now = Date.now()
    for (const [id, since] of gaps) if (now - since > gapWindowMs) gaps.delete(id)
    const holes = [...gaps.keys()]
    // One round trip: rows after the cursor, plus any hole that has been filled since.
    const found = await readEventsAfter(db, cursor, batchSize, holes)
    const events: StoredEvent[] = []
    let late: Set<number> | undefined
    let fresh = 0
    for (const event of found) {
      if (event.id <= cursor) {
        if (!gaps.delete(event.id)) continue // already delivered
        ;(late ??= new Set()).add(event.id)
      } else {
        fresh++
        // A hole of plausible size is remembered; a huge jump (restored backup, sequence reset) is not.
        if (event.id > cursor + 1 && event.id - cursor <= 10_000)
          for (let id = cursor + 1; id < event.id; id++) gaps.set(id, now)
        cursor = event.id
      }
      events.push(event)
    }
    dispatch(events, late ?? NO_LATE)
    return fresh > 0 && found.length === batchSize
  }

  /** One reader at a time; a signal during a read schedules exactly one more read. */
  function read(): Promise<void> {
    if (reading) {
      again = true
      return reading
    }
    reading = (async () => {
      try {
        do {
          again = false
          while (!stopped && (await readOnce())) {
            // a full page: keep reading
          }
        } while (again && !stopped)
      } catch (error) {
        if (!stopped) logger.error({ err: error }, 'reading events failed')
      } finally {
        reading = undefined
      }
    })()
    return reading
  }

  async function purgeExpired(): Promise<number> {
    return deleteEventsOlderThan(db, retentionDays * 86_400)
  }

  return {
    async start() {
      if (started) return
      started = true
      cursor = await latestEventId(db)
      await listener.start(() => void read())
      const runRetention = () =>
        stopped ||
        void purgeExpired()
          .then((n) => (n > 0 ? logger.info({ deleted: n, retentionDays }, 'expired events deleted') : undefined))
          .catch((error: unknown) => (stopped ? undefined : logger.error({ err: error }, 'event retention failed')))
      retentionTimer = setInterval(runRetention, options.retentionIntervalMs ?? 3_600_000)
      retentionTimer.unref()
      setTimeout(runRetention, 5_000).unref()
    },
    async stop() {
      stopped = true
      if (retentionTimer) clearInterval(retentionTimer)
      await listener.stop()
      await reading
    },
    subscribe(type, handler) {
      const set = handlers.get(type) ?? new Set()
      set.add(handler as EventHandler)
      handlers.set(type, set)
      return () => void set.delete(handler as EventHandler)
    },
    addSink(sink) {
      sinks.add(sink)
      return () => void sinks.delete(sink)
    },
    poll: () => read(),
    get lastId() {
      return cursor
    },
    listener,
    purgeExpired,
  }
}
