import { sql } from 'drizzle-orm'
import {
  PgBoss,
  fromDrizzle,
  fromPglite,
  type Job,
  type JobResult,
  type JobWithMetadata,
  type QueuePolicy,
} from 'pg-boss'
import type { Logger } from 'pino'
import type { z } from 'zod'
import type { Database, Executor } from '../data/db.ts'
import { ValidationError } from '../errors.ts'

/** What a handler learns about the job it runs. */
export type JobContext = {
  id: string
  name: string
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number
  /** True when a failure now will not be retried (the job goes to the dead-letter queue). */
  lastAttempt: boolean
  /** Aborted when the job expires or the worker stops. */
  signal: AbortSignal
}

/** Throw this from a handler when retrying cannot help: the job goes straight to its dead-letter queue. */
export class NonRetryableJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'NonRetryableJobError'
  }
}

export type JobHandler<T> = (payload: T, job: JobContext) => Promise<unknown>

export type RegisterOptions = {
  /** Retries after the first failure. Default 3. */
  retryLimit?: number
  /** Seconds before the first retry; doubled each time with jitter when `retryBackoff` (default true). */
  retryDelaySeconds?: number
  retryBackoff?: boolean
  retryDelayMaxSeconds?: number
  /** A job still active after this long is treated as failed (its worker died) and retried. Default 900. */
  expireInSeconds?: number
  /**
   * pg-boss queue policy. `exclusive`: at most one queued-or-active job per `singletonKey`, so a
   * duplicate enqueue returns null. `standard` (default) does not deduplicate.
   */
  policy?: QueuePolicy
  /** Failed jobs (retries exhausted) are copied to `<name>.dead`. Default true. */
  deadLetter?: boolean
  /** Jobs fetched per round trip. Defaults to the queue's configured batch size. */
  batchSize?: number
  /** Parallel fetch loops in this process. */
  concurrency?: number
  /** Completed jobs are deleted after this long. Default 1 day. */
  deleteAfterSeconds?: number
}

export type EnqueueOptions = {
  /** Higher runs first. */
  priority?: number
  /** With an `exclusive` queue, a second job with the same key is not created while one is queued or active. */
  singletonKey?: string
  startAfter?: Date | number
  /**
   * Store the job in this transaction: it exists only if the transaction commits (and its NOTIFY
   * fires at commit). Call `ready(name)` before opening the transaction: on PGlite (one connection)
   * pg-boss must not need the connection while the transaction holds it.
   */
  tx?: Executor
}

export type QueueOptions = {
  db: Database
  logger: Logger
  batchSize?: number
  concurrency?: number
  /** How often pg-boss looks for expired (dead-worker) jobs. */
  superviseSeconds?: number
  schema?: string
}

type Definition = { name: string; schema: z.ZodType; handler: JobHandler<never>; options: RegisterOptions }

export type Queue = ReturnType<typeof createQueue>

/** Whether a stored queue's options differ from the configured ones. */
function differs(
  stored: {
    retryLimit?: number
    retryDelay?: number
    retryBackoff?: boolean
    expireInSeconds?: number
    deleteAfterSeconds?: number
    retryDelayMax?: number | null
    deadLetter?: string | null
  },
  wanted: {
    retryLimit: number
    retryDelay: number
    retryBackoff: boolean
    expireInSeconds: number
    deleteAfterSeconds: number
  },
  retryDelayMax: number | null,
  deadLetter: string | null,
): boolean {
  return (
    stored.retryLimit !== wanted.retryLimit ||
    stored.retryDelay !== wanted.retryDelay ||
    stored.retryBackoff !== wanted.retryBackoff ||
    stored.expireInSeconds !== wanted.expireInSeconds ||
    stored.deleteAfterSeconds !== wanted.deleteAfterSeconds ||
    (stored.retryDelayMax ?? null) !== retryDelayMax ||
    (stored.deadLetter ?? null) !== deadLetter
  )
}

/** The dead-letter queue of a job name. */
export const deadLetterName = (name: string) => `${name}.dead`

/**
 * pg-boss behind a small typed API: `register` a job name with a zod schema and a handler,
 * `enqueue` a payload (validated before it is stored), `start` to produce, `startWorkers` to
 * consume. Workers wake on LISTEN/NOTIFY (milliseconds), with a slow poll as a backstop.
 */
export function createQueue(options: QueueOptions) {
  const { db, logger } = options
  const definitions = new Map<string, Definition>()
  const created = new Map<string, Promise<void>>()
  let boss: PgBoss | undefined
  let starting: Promise<PgBoss> | undefined
  let working = false
  let stopped = false

  function build(): PgBoss {
    const common = {
      schema: options.schema ?? 'pgboss',
      useListenNotify: true,
      superviseIntervalSeconds: options.superviseSeconds ?? 60,
      // Expired jobs (a worker that died mid-job) are found on monitor passes, gated by this interval.
      monitorIntervalSeconds: options.superviseSeconds ?? 60,
      schedule: false,
      persistWarnings: false,
      instanceName: `optimaliq-${process.pid}`,
    }
    return db.driver.kind === 'postgres'
      ? new PgBoss({ ...common, connectionString: db.driver.url, max: 6, application_name: 'optimaliq-queue' })
      : new PgBoss({ ...common, db: fromPglite(db.driver.client), backend: 'pglite' })
  }

  async function ensureQueue(instance: PgBoss, def: Definition) {
    let done = created.get(def.name)
    if (!done) {
      done = (async () => {
        const o = def.options
        const dead = o.deadLetter === false ? undefined : deadLetterName(def.name)
        if (dead && !(await instance.getQueue(dead)))
          await instance.createQueue(dead, { retentionSeconds: 14 * 86_400 })
        const settings = {
          retryLimit: o.retryLimit ?? 3,
          retryDelay: o.retryDelaySeconds ?? 1,
          retryBackoff: o.retryBackoff ?? true,
          expireInSeconds: o.expireInSeconds ?? 900,
          deleteAfterSeconds: o.deleteAfterSeconds ?? 86_400,
        }
        const existing = await instance.getQueue(def.name)
        if (!existing) {
          await instance.createQueue(def.name, {
            policy: o.policy ?? 'standard',
            notify: true,
            ...settings,
            ...(o.retryDelayMaxSeconds ? { retryDelayMax: o.retryDelayMaxSeconds } : {}),
            ...(dead ? { deadLetter: dead } : {}),
          })
        } else if (differs(existing, settings, o.retryDelayMaxSeconds ?? null, dead ?? null)) {
          // The queue was created by an earlier start with other options (TASK_TIMEOUT_SECONDS,
          // TASK_RETRY_LIMIT, …): bring it to what this start configures. Jobs created from now on
          // take the new values; jobs already stored keep theirs.
          await instance.updateQueue(def.name, {
            ...settings,
            retryDelayMax: o.retryDelayMaxSeconds ?? null,
            deadLetter: dead ?? null,
          })
          logger.info({ name: def.name, ...settings }, 'queue options updated to this configuration')
        }
      })()
      created.set(def.name, done)
      done.catch(() => created.delete(def.name))
    }
    return done
  }

  async function start(): Promise<PgBoss> {
    starting ??= (async () => {
      const instance = build()
      instance.on('error', (error) => logger.error({ err: error }, 'queue error'))
      instance.on('warning', (warning) => logger.warn({ warning }, 'queue warning'))
      await instance.start()
      boss = instance
      for (const def of definitions.values()) await ensureQueue(instance, def)
      return instance
    })()
    return starting
  }

  async function runJob(def: Definition, job: JobWithMetadata<unknown>): Promise<JobResult> {
    const parsed = def.schema.safeParse(job.data)
    if (!parsed.success) {
      logger.error({ job: job.id, name: def.name, issues: parsed.error.issues }, 'job payload invalid; dead-lettered')
      return { id: job.id, status: 'deadletter', output: { error: 'invalid payload' } }
    }
    const context: JobContext = {
      id: job.id,
      name: def.name,
      attempt: job.retryCount + 1,
      lastAttempt: job.retryCount >= job.retryLimit,
      signal: job.signal,
    }
    try {
      const output = await (def.handler as JobHandler<unknown>)(parsed.data, context)
      return { id: job.id, status: 'completed', output: output && typeof output === 'object' ? output : {} }
    } catch (error) {
      logger.warn({ err: error, job: job.id, name: def.name, attempt: context.attempt }, 'job failed')
      return {
        id: job.id,
        status: error instanceof NonRetryableJobError ? 'deadletter' : 'failed',
        output: { message: error instanceof Error ? error.message : String(error) },
      }
    }
  }

  async function work(instance: PgBoss, def: Definition) {
    await ensureQueue(instance, def)
    await instance.work(
      def.name,
      {
        batchSize: def.options.batchSize ?? options.batchSize ?? 20,
        localConcurrency: def.options.concurrency ?? options.concurrency ?? 2,
        includeMetadata: true,
        perJobResults: true,
        burstWhenBatchFull: true,
        pollingIntervalSeconds: 2,
        notifyPollingIntervalSeconds: 2, // NOTIFY wakes workers for new jobs; the poll finds retries that come due
      },
      async (jobs: JobWithMetadata<unknown>[]) => Promise.all(jobs.map((job) => runJob(def, job))),
    )
  }

  return {
    /** Declare a job type. Call before `start`/`startWorkers` (later calls work too). */
    register<S extends z.ZodType>(
      name: string,
      schema: S,
      handler: JobHandler<z.output<S>>,
      registerOptions: RegisterOptions = {},
    ) {
      if (definitions.has(name)) throw new Error(`job "${name}" is already registered`)
      const def: Definition = { name, schema, handler: handler as JobHandler<never>, options: registerOptions }
      definitions.set(name, def)
      if (boss)
        void ensureQueue(boss, def).catch((error: unknown) =>
          logger.error({ err: error, name }, 'creating queue failed'),
        )
      if (boss && working)
        void work(boss, def).catch((error: unknown) => logger.error({ err: error, name }, 'starting worker failed'))
    },

    /** Validate and store a job; resolves to its id, or null when a singleton key deduplicated it. */
    async enqueue<T>(name: string, payload: T, enqueueOptions: EnqueueOptions = {}): Promise<string | null> {
      const def = definitions.get(name)
      if (!def) throw new Error(`job "${name}" is not registered`)
      const parsed = def.schema.safeParse(payload)
      if (!parsed.success)
        throw new ValidationError(
          parsed.error.issues.map((i) => ({ field: ['payload', ...i.path].join('.'), message: i.message })),
        )
      let instance = boss
      if (!enqueueOptions.tx || !instance || !created.has(name)) {
        if (enqueueOptions.tx && db.kind === 'pglite')
          throw new Error(`call queue.ready("${name}") before enqueueing inside a transaction`)
        instance = await start()
        await ensureQueue(instance, def)
      }
      return instance.send(name, parsed.data as object, {
        ...(enqueueOptions.tx
          ? { db: fromDrizzle(enqueueOptions.tx as unknown as Parameters<typeof fromDrizzle>[0], sql) }
          : {}),
        ...(enqueueOptions.priority !== undefined ? { priority: enqueueOptions.priority } : {}),
        ...(enqueueOptions.singletonKey ? { singletonKey: enqueueOptions.singletonKey } : {}),
        ...(enqueueOptions.startAfter !== undefined ? { startAfter: enqueueOptions.startAfter } : {}),
      })
    },

    /** Start pg-boss and create this job's queue if needed (before enqueueing inside a transaction). */
    async ready(name: string) {
      const def = definitions.get(name)
      if (!def) throw new Error(`job "${name}" is not registered`)
      await ensureQueue(await start(), def)
    },

    /** Connect and install pg-boss's schema (idempotent); producers only. */
    async start() {
      await start()
    },

    /** Start consuming every registered job type in this process. */
    async startWorkers() {
      const instance = await start()
      if (working) return
      working = true
      for (const def of definitions.values()) await work(instance, def)
      logger.info({ jobs: [...definitions.keys()] }, 'queue workers started')
    },

    /** Stop fetching, wait for running jobs (up to `timeoutMs`), close connections. */
    async stop(timeoutMs = 10_000) {
      if (stopped) return
      stopped = true
      if (!starting) return
      const instance = await starting.catch(() => undefined)
      await instance?.stop({ graceful: true, timeout: timeoutMs, close: true })
    },

    /** The pg-boss instance (for administration: queue stats, redrive of dead letters). */
    async boss(): Promise<PgBoss> {
      return start()
    },

    get registered(): string[] {
      return [...definitions.keys()]
    },
  }
}

export type { Job }
