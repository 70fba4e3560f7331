/**
 * The browser's side of `GET /api/realtime/stream` (the seed's RealtimeManager): subscribe to the
 * dashboard, an assessment or a task; resume after any disconnect from the last event seen, with
 * no duplicates. No Node imports: the web app bundles this file as is.
 */

import type { RealtimeEvent } from '../../../src/contracts/realtime.ts'

export type { RealtimeEvent }

export type RealtimeHandler = (event: RealtimeEvent) => void

/** The part of the browser's EventSource this module uses (so tests can pass a fake). */
export type EventSourceLike = {
  readonly readyState: number
  onopen: ((event: unknown) => void) | null
  onerror: ((event: unknown) => void) | null
  addEventListener(type: string, listener: (event: { data: string; lastEventId: string }) => void): void
  close(): void
}
export type EventSourceFactory = (url: string, init: { withCredentials: boolean }) => EventSourceLike

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed'

export type RealtimeClientOptions = {
  /** Default `/api/realtime/stream`. */
  url?: string
  /** Admins: also receive admin events (alerts). */
  admin?: boolean
  /** Resume after this event id (e.g. kept in sessionStorage across page loads). */
  lastEventId?: number
  /** Defaults to the global EventSource. */
  createEventSource?: EventSourceFactory
  /** Send cookies cross-origin (same-origin requests always do). */
  withCredentials?: boolean
  /** First delay before reopening a stream the browser gave up on; doubles up to `maxReconnectDelayMs`. */
  reconnectDelayMs?: number
  maxReconnectDelayMs?: number
  onStatus?: (status: ConnectionStatus, detail?: { reason?: string }) => void
  /** Timers, for tests. */
  setTimeout?: (fn: () => void, ms: number) => unknown
  clearTimeout?: (handle: unknown) => void
}

const CLOSED = 2
/** Event types the dashboard shows live. */
export const DASHBOARD_EVENTS = [
  'dashboard.updated',
  'profile.updated',
  'assessment.completed',
  'ai.processed',
] as const

export type RealtimeClient = ReturnType<typeof createRealtimeClient>

export function createRealtimeClient(options: RealtimeClientOptions = {}) {
  const url = options.url ?? '/api/realtime/stream'
  const handlers = new Map<string, Set<RealtimeHandler>>()
  const wired = new Set<string>()
  const schedule = options.setTimeout ?? ((fn: () => void, ms: number) => globalThis.setTimeout(fn, ms))
  const cancel =
    options.clearTimeout ?? ((h: unknown) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>))
  const factory: EventSourceFactory =
    options.createEventSource ??
    ((u, init) => {
      const Ctor = (
        globalThis as unknown as { EventSource?: new (u: string, i: { withCredentials: boolean }) => EventSourceLike }
      ).EventSource
      if (!Ctor) throw new Error('EventSource is not available here; pass createEventSource')
      return new Ctor(u, init)
    })
  /** Recently delivered ids: a reconnect or a late commit never delivers an event twice. */
  const recent = new Set<number>()
  let lastEventId = options.lastEventId
  let source: EventSourceLike | undefined
  let timer: unknown
  let attempt = 0
  let stopped = true

  function streamUrl() {
    const params: string[] = []
    if (options.admin) params.push('admin=1')
    // A new EventSource has no Last-Event-ID of its own: pass the cursor in the query.
    if (lastEventId !== undefined) params.push(`lastEventId=${lastEventId}`)
    return params.length ? `${url}${url.includes('?') ? '&' : '?'}${params.join('&')}` : url
  }

  function deliver(type: string, raw: { data: string; lastEventId: string }) {
    let event: RealtimeEvent
    try {
      event = JSON.parse(raw.data) as RealtimeEvent
    } catch {
      return
    }
    const cursor = Number(raw.lastEventId)
    if (Number.isSafeInteger(cursor) && cursor > 0) lastEventId = Math.max(lastEventId ?? 0, cursor)
    if (recent.has(event.id)) return
    recent.add(event.id)
    if (recent.size > 2_000) recent.delete(recent.values().next().value!)
    for (const handler of [...(handlers.get(type) ?? []), ...(handlers.get('*') ?? [])]) {
      try {
        handler(event)
      } catch (error) {
        // One component's bug must not stop the others' updates.
        console.error('realtime handler failed', error)
      }
    }
  }

  function wire(es: EventSourceLike, type: string) {
    if (type !== '*') es.addEventListener(type, (e) => deliver(type, e))
  }

  function open() {
    if (stopped) return
    options.onStatus?.(attempt === 0 ? 'connecting' : 'reconnecting')
    const es = factory(streamUrl(), { withCredentials: options.withCredentials ?? false })
    source = es
    for (const type of wired) wire(es, type)
    es.addEventListener('close', (e) => {
      let reason: string | undefined
      try {
        reason = (JSON.parse(e.data) as { reason?: string }).reason
      } catch {
        reason = undefined
      }
      options.onStatus?.('reconnecting', { reason })
    })
    es.onopen = () => {
      attempt = 0
      options.onStatus?.('open')
    }
    es.onerror = () => {
      // The browser retries by itself (sending Last-Event-ID) unless it closed the source for good
      // (an HTTP error such as 429 or 503): then we open a new one after a backoff.
      if (es.readyState !== CLOSED || source !== es || stopped) return
      es.close()
      const base = options.reconnectDelayMs ?? 1_000
      const delay = Math.min(options.maxReconnectDelayMs ?? 30_000, base * 2 ** attempt)
      attempt += 1
      options.onStatus?.('reconnecting')
      timer = schedule(() => {
        timer = undefined
        open()
      }, delay)
    }
  }

  function on(type: string, handler: RealtimeHandler): () => void {
    const set = handlers.get(type) ?? new Set()
    set.add(handler)
    handlers.set(type, set)
    if (type === '*') for (const t of DASHBOARD_EVENTS) ensureWired(t)
    else ensureWired(type)
    return () => void set.delete(handler)
  }

  function ensureWired(type: string) {
    if (wired.has(type)) return
    wired.add(type)
    if (source) wire(source, type)
  }

  return {
    /** Open the stream (subscriptions may come before or after). */
    connect() {
      if (!stopped) return
      stopped = false
      attempt = 0
      open()
    },
    /** Close for good (e.g. on sign-out). */
    close() {
      stopped = true
      if (timer !== undefined) cancel(timer)
      timer = undefined
      source?.close()
      source = undefined
      options.onStatus?.('closed')
    },
    /** Every event of one type (e.g. `task.updated`). */
    on,
    /** The dashboard: profile, scores, new assessments and AI results of the signed-in user. */
    subscribeToDashboard(handler: RealtimeHandler): () => void {
      const offs = DASHBOARD_EVENTS.map((type) => on(type, handler))
      return () => offs.forEach((off) => off())
    },
    /** Completed submissions of one assessment type. */
    subscribeToAssessment(assessmentType: string, handler: RealtimeHandler): () => void {
      return on('assessment.completed', (event) => {
        if (event.payload.type === assessmentType) handler(event)
      })
    },
    /** Progress of one queued task (`queued`, `active`, `completed`, `failed`). */
    subscribeToTask(taskId: string, handler: RealtimeHandler): () => void {
      return on('task.updated', (event) => {
        if (event.payload.taskId === taskId) handler(event)
      })
    },
    /** The resume cursor: store it to resume across page loads. */
    get lastEventId(): number | undefined {
      return lastEventId
    },
  }
}
