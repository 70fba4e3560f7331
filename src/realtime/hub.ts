import type { ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { Claims, Database } from '../data/db.ts'
import { listStreamEventsAfter } from '../data/repositories/events.ts'
import { OptimaliqError } from '../errors.ts'
import type { EventHub } from '../events/hub.ts'
import type { StoredEvent } from '../contracts/events.ts'
import { KEEP_ALIVE, formatControl, formatEvent, formatRetry } from './sse.ts'

export type RealtimeOptions = {
  db: Database
  events: EventHub
  logger: Logger
  maxStreamsPerUser: number
  keepAliveMs: number
  /** Bytes a stream may have unsent before it is closed as a slow consumer. */
  maxBufferBytes: number
  /** How long a stream may stay over `maxBufferBytes` (a burst) before it is closed. Default 2 s. */
  slowGraceMs?: number
  /** Events held for a stream while its replay runs, before it is closed. */
  maxPendingEvents?: number
  retryMs?: number
}

export type OpenStream = {
  userId: string
  claims: Claims
  /** Also receive admin-audience events (only honoured for admins). */
  admin: boolean
  lastEventId: number | undefined
  res: ServerResponse
  /** The session token's id (jti): a logout of that token closes this stream. */
  tokenId?: string | undefined
  headers?: Record<string, string | number | string[] | undefined>
}

type Stream = {
  userId: string
  tokenId: string | undefined
  admin: boolean
  res: ServerResponse
  /** Highest id written: the SSE id, so a reconnect resumes after it. */
  cursor: number
  /** The Last-Event-ID it resumed from: the client has every (non-late) event up to it. */
  resumeFrom: number
  /** Events that arrived live while the replay ran. */
  pending: Array<{ event: StoredEvent; late: boolean }> | null
  /** Ids sent by the replay, until the hub has read past them (its copies would be duplicates). */
  replayed: Set<number> | null
  replayMax: number
  closed: boolean
  keepAlive: NodeJS.Timeout | undefined
  /** Set while the stream is over its buffer limit: closes it unless it drains in time. */
  slowTimer: NodeJS.Timeout | undefined
}

export class TooManyStreamsError extends OptimaliqError {
  constructor(limit: number) {
    super('too_many_streams', `At most ${limit} open streams per user; close one first`, {
      status: 429,
      details: { limit },
    })
  }
}

/**
 * Per-user fan-out of the events log to Server-Sent Event streams. A stream that reconnects with a
 * Last-Event-ID first gets everything after it from the table (under RLS), in order, while live
 * events wait; then live ones, without duplicates. A stream that cannot keep up is closed with a
 * reason instead of buffering without bound or slowing the others.
 */
export type RealtimeHub = ReturnType<typeof createRealtimeHub>

export function createRealtimeHub(options: RealtimeOptions) {
  const { db, events, logger } = options
  const maxPending = options.maxPendingEvents ?? 10_000
  const byUser = new Map<string, Set<Stream>>()
  const adminStreams = new Set<Stream>()
  /** Streams still holding replayed ids. */
  const deduping = new Set<Stream>()
  let accepting = true

  function write(stream: Stream, event: StoredEvent, frame?: string, late = false) {
    if (stream.closed) return
    // This process's log reader may lag the one the client came from: skip what it already has.
    if (event.id <= stream.resumeFrom && !late) return
    if (stream.pending) {
      stream.pending.push({ event, late })
      if (stream.pending.length > maxPending) close(stream, 'slow_consumer')
      return
    }
    if (stream.replayed?.has(event.id)) return
    // The shared frame is valid when this event moves the cursor (the usual case); a late event is formatted per stream.
    stream.res.write(frame !== undefined && stream.cursor < event.id ? frame : formatEvent(event, stream.cursor))
    stream.cursor = Math.max(stream.cursor, event.id)
    checkBuffer(stream)
  }

  // A burst may overshoot the limit for a moment; a client that stays over it is not reading.
  function checkBuffer(stream: Stream) {
    const unsent = stream.res.writableLength
    if (unsent > options.maxBufferBytes * 16) return close(stream, 'slow_consumer')
    if (unsent <= options.maxBufferBytes || stream.slowTimer) return
    stream.slowTimer = setTimeout(() => {
      stream.slowTimer = undefined
      if (stream.res.writableLength > options.maxBufferBytes) close(stream, 'slow_consumer')
    }, options.slowGraceMs ?? 2_000)
    stream.slowTimer.unref()
  }

  function onEvents(batch: StoredEvent[], late: ReadonlySet<number>) {
    for (const event of batch) {
      const targets = event.audience === 'admin' ? adminStreams : event.userId ? byUser.get(event.userId) : undefined
      if (!targets || targets.size === 0) continue
      const frame = formatEvent(event, 0) // serialised once for all streams: 1,000 admin streams cost 1,000 writes, not 1,000 JSON.stringify
      const isLate = late.has(event.id)
      for (const stream of targets) write(stream, event, frame, isLate)
    }
    for (const stream of deduping) {
      if (events.lastId >= stream.replayMax) {
        stream.replayed = null
        deduping.delete(stream)
      }
    }
  }
  const removeSink = events.addSink(onEvents)

  function unregister(stream: Stream) {
    const set = byUser.get(stream.userId)
    set?.delete(stream)
    if (set?.size === 0) byUser.delete(stream.userId)
    adminStreams.delete(stream)
    deduping.delete(stream)
    if (stream.keepAlive) clearInterval(stream.keepAlive)
    if (stream.slowTimer) clearTimeout(stream.slowTimer)
  }

  function close(stream: Stream, reason: string) {
    if (stream.closed) return
    stream.closed = true
    unregister(stream)
    const { res } = stream
    if (res.writableEnded || res.destroyed) return
    if (reason !== 'client_closed') res.write(formatControl('close', { reason }))
    res.end()
    // A client that does not read will not let `end` finish: drop the socket after a grace period.
    if (reason === 'slow_consumer') setTimeout(() => res.destroy(), 1_000).unref()
    logger.debug({ userId: stream.userId, reason }, 'realtime stream closed')
  }

  async function replay(stream: Stream, claims: Claims, after: number) {
    const sent = new Set<number>()
    let from = after
    for (;;) {
      const page = await listStreamEventsAfter(db, claims, {
        userId: stream.userId,
        admin: stream.admin,
        after: from,
        limit: 1000,
      })
      if (stream.closed) return
      for (const event of page) {
        stream.res.write(formatEvent(event, stream.cursor))
        stream.cursor = Math.max(stream.cursor, event.id)
        sent.add(event.id)
        checkBuffer(stream)
        from = event.id
      }
      if (page.length < 1000) break
    }
    stream.replayed = sent
    stream.replayMax = from
    const pending = stream.pending ?? []
    stream.pending = null
    for (const { event, late } of pending) write(stream, event, undefined, late)
    if (events.lastId >= stream.replayMax) stream.replayed = null
    else deduping.add(stream)
  }

  return {
    /** Streams now open (all users). */
    get size() {
      let n = 0
      for (const set of byUser.values()) n += set.size
      return n
    },
    /** Admin streams open in this process (the usage pulse runs only while there are some). */
    adminStreams(): number {
      return adminStreams.size
    },
    /** Streams this user has open. */
    streamsOf(userId: string): number {
      return byUser.get(userId)?.size ?? 0
    },
    /** Throws TooManyStreamsError when the user is at the cap; call before hijacking the reply. */
    assertCapacity(userId: string) {
      if (!accepting) throw new OptimaliqError('shutting_down', 'The server is shutting down', { status: 503 })
      if ((byUser.get(userId)?.size ?? 0) >= options.maxStreamsPerUser)
        throw new TooManyStreamsError(options.maxStreamsPerUser)
    },

    /** Start streaming on a raw response. Resolves once the replay (if any) is written. */
    async open(params: OpenStream): Promise<void> {
      const stream: Stream = {
        userId: params.userId,
        tokenId: params.tokenId,
        admin: params.admin && params.claims.role === 'admin',
        res: params.res,
        cursor: params.lastEventId ?? 0,
        resumeFrom: params.lastEventId ?? 0,
        pending: params.lastEventId !== undefined ? [] : null,
        replayed: null,
        replayMax: 0,
        closed: false,
        keepAlive: undefined,
        slowTimer: undefined,
      }
      const set = byUser.get(stream.userId) ?? new Set()
      set.add(stream)
      byUser.set(stream.userId, set)
      if (stream.admin) adminStreams.add(stream)

      const { res } = params
      res.on('close', () => close(stream, 'client_closed'))
      res.on('error', () => close(stream, 'client_closed'))
      res.writeHead(200, {
        ...params.headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      res.socket?.setNoDelay(true)
      res.write(formatRetry(options.retryMs ?? 1_000))
      res.write(formatControl('ready', { lastEventId: params.lastEventId ?? null }))
      stream.keepAlive = setInterval(() => {
        if (!stream.closed) res.write(KEEP_ALIVE)
      }, options.keepAliveMs)
      stream.keepAlive.unref()

      if (params.lastEventId !== undefined) {
        try {
          await replay(stream, params.claims, params.lastEventId)
        } catch (error) {
          logger.error({ err: error, userId: stream.userId }, 'realtime replay failed')
          close(stream, 'replay_failed')
        }
      }
    },

    /**
     * End a user's streams at once (their access was revoked): those opened with `tokenId` only,
     * or all of them. Returns how many were closed. The client gets a `close` event with the reason.
     */
    closeUser(userId: string, options: { tokenId?: string | undefined; reason: string }): number {
      let closed = 0
      for (const stream of [...(byUser.get(userId) ?? [])]) {
        if (options.tokenId !== undefined && stream.tokenId !== options.tokenId) continue
        close(stream, options.reason)
        closed += 1
      }
      return closed
    },

    /** End every stream (graceful shutdown): clients reconnect elsewhere with their Last-Event-ID. */
    closeAll(reason = 'server_shutdown') {
      accepting = false
      for (const set of [...byUser.values()]) for (const stream of [...set]) close(stream, reason)
    },

    stop() {
      removeSink()
    },
  }
}
