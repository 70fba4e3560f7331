import pg from 'pg'
import type { Logger } from 'pino'
import type { Database } from '../data/db.ts'
import { listenForEvents, pingConnection } from '../data/repositories/events.ts'
import { EVENTS_CHANNEL } from '../contracts/events.ts'

/**
 * One dedicated LISTEN connection per process. NOTIFY is only a latency hint: every signal makes
 * the hub read the `events` table, and so does every (re)connect, so a dropped connection or a
 * lost notification delays events but never loses them.
 */
export type NotificationListener = {
  /** Connect, LISTEN and keep the connection alive; `onSignal` is called on NOTIFY and after each (re)connect. */
  start(onSignal: (reason: 'notify' | 'connected') => void): Promise<void>
  stop(): Promise<void>
  readonly connected: boolean
  /** Server process id of the LISTEN connection (PostgreSQL only), for diagnostics and fault tests. */
  readonly backendPid: number | undefined
}

export type ListenerOptions = {
  heartbeatMs: number
  /** First reconnect delay; doubles per failed attempt up to `maxBackoffMs`, with jitter. */
  minBackoffMs?: number
  maxBackoffMs?: number
  applicationName?: string
}

export function createNotificationListener(
  db: Database,
  logger: Logger,
  options: ListenerOptions,
): NotificationListener {
  return db.driver.kind === 'postgres'
    ? createPgListener(db.driver.url, logger, options)
    : createPgliteListener(db.driver.client)
}

function createPgliteListener(client: Extract<Database['driver'], { kind: 'pglite' }>['client']): NotificationListener {
  let unlisten: (() => Promise<void>) | undefined
  return {
    async start(onSignal) {
      unlisten = await client.listen(EVENTS_CHANNEL, () => onSignal('notify'))
      onSignal('connected')
    },
    async stop() {
      const fn = unlisten
      unlisten = undefined
      if (fn && !client.closed) await fn().catch(() => undefined)
    },
    get connected() {
      return unlisten !== undefined
    },
    backendPid: undefined,
  }
}

function createPgListener(url: string, logger: Logger, options: ListenerOptions): NotificationListener {
  const minBackoff = options.minBackoffMs ?? 100
  const maxBackoff = options.maxBackoffMs ?? 5_000
  let client: pg.Client | undefined
  let heartbeat: NodeJS.Timeout | undefined
  let retry: NodeJS.Timeout | undefined
  let failures = 0
  let stopped = true
  let isConnected = false
  let signal: (reason: 'notify' | 'connected') => void = () => {}

  function teardown() {
    isConnected = false
    if (heartbeat) clearInterval(heartbeat)
    heartbeat = undefined
    const old = client
    client = undefined
    if (old) {
      old.removeAllListeners('notification')
      old.on('error', () => {}) // a late socket error on a dropped client must not crash the process
      void old.end().catch(() => undefined)
    }
  }

  function scheduleReconnect(error: unknown) {
    if (stopped || retry) return
    teardown()
    const delay = Math.min(maxBackoff, minBackoff * 2 ** failures) * (0.75 + Math.random() * 0.5)
    failures += 1
    logger.warn(
      { err: error, attempt: failures, delayMs: Math.round(delay) },
      'events LISTEN connection lost; reconnecting',
    )
    retry = setTimeout(() => {
      retry = undefined
      connect().catch((e: unknown) => scheduleReconnect(e))
    }, delay)
    retry.unref()
  }

  async function connect() {
    const next = new pg.Client({
      connectionString: url,
      application_name: options.applicationName ?? 'optimaliq-listen',
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    })
    next.on('error', (error) => (client === next ? scheduleReconnect(error) : undefined))
    next.on('end', () => (client === next ? scheduleReconnect(new Error('connection ended')) : undefined))
    next.on('notification', (message) => {
      if (message.channel === EVENTS_CHANNEL) signal('notify')
    })
    client = next
    try {
      await next.connect()
      await listenForEvents(next)
    } catch (error) {
      if (client === next) client = undefined
      next.on('error', () => {})
      await next.end().catch(() => undefined)
      throw error
    }
    if (stopped) return teardown()
    isConnected = true
    failures = 0
    heartbeat = setInterval(() => void beat(next), options.heartbeatMs)
    heartbeat.unref()
    signal('connected')
  }

  // A silent drop (no FIN, e.g. a network partition) only shows when a query hangs.
  async function beat(current: pg.Client) {
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        pingConnection(current),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error('LISTEN heartbeat timed out')),
            Math.max(1_000, options.heartbeatMs),
          )
        }),
      ])
      // The heartbeat doubles as a slow safety poll: a NOTIFY lost in transit is picked up here.
      if (client === current) signal('notify')
    } catch (error) {
      if (client === current) scheduleReconnect(error)
    } finally {
      clearTimeout(timer)
    }
  }

  return {
    async start(onSignal) {
      signal = onSignal
      stopped = false
      try {
        await connect()
      } catch (error) {
        scheduleReconnect(error)
      }
    },
    async stop() {
      stopped = true
      if (retry) clearTimeout(retry)
      retry = undefined
      teardown()
    },
    get connected() {
      return isConnected
    },
    get backendPid() {
      return (client as unknown as { processID?: number } | undefined)?.processID
    },
  }
}
