import { setTimeout as sleep } from 'node:timers/promises'
import { sql, type SQL } from 'drizzle-orm'
import type { Logger } from 'pino'
import { z } from 'zod'
import type { Tier } from '../../contracts/common.ts'
import { rows, type Claims, type Database, type Executor } from '../../data/db.ts'
import { OptimaliqError, ValidationError } from '../../errors.ts'
import { EVENTS_CHANNEL } from '../../events/types.ts'
import { NonRetryableJobError, type Queue } from '../../queue/queue.ts'

export type TaskStatus = 'queued' | 'active' | 'completed' | 'failed'

/** A task as the API shows it. */
export type TaskView = {
  id: string
  type: string
  status: TaskStatus
  attempts: number
  result?: Record<string, unknown>
  error?: string
  createdAt: string
  startedAt?: string
  completedAt?: string
}

export type TaskContext = {
  db: Database
  userId: string
  /** The user's tier when the task runs: AI calls of the task count against that tier's limits. */
  tier?: Tier | undefined
  taskId: string
  attempt: number
  signal: AbortSignal
}

/**
 * One kind of task: its input schema and the function that computes its result. Swapping the
 * implementation (e.g. the AI feature for `assessment_analysis`) is `tasks.define({...})` with the
 * same name before the workers start.
 */
export type TaskDefinition<I = unknown> = {
  type: string
  input: z.ZodType<I>
  run(input: I, context: TaskContext): Promise<Record<string, unknown>>
}

export type TaskServiceOptions = {
  db: Database
  queue: Queue
  logger: Logger
  timeoutSeconds: number
  retryLimit: number
  retryDelaySeconds: number
  /** Wait this long inside each run (fault tests and demos of live progress). */
  simulatedDelayMs?: number
}

type TaskRow = {
  id: string
  user_id: string
  type: string
  status: TaskStatus
  priority: number
  input: Record<string, unknown>
  result: Record<string, unknown> | null
  error: string | null
  attempts: number
  created_at: Date | string
  started_at: Date | string | null
  completed_at: Date | string | null
  /** Only on the row a run starts from: the owner's tier. */
  tier?: Tier | null
}

/**
 * How long to wait before running again when a task was refused by a rate limit (its window's
 * reset, from the refusal's Retry-After), or undefined for any other error. A refusal is not a
 * failure of the task: it waits for the reset instead of spending a retry or failing for good.
 */
export function rateLimitWaitMs(error: unknown): number | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof OptimaliqError && e.code === 'rate_limited') {
      const seconds = Number(e.headers?.['retry-after'])
      return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000
    }
  }
  return undefined
}

const iso = (v: Date | string) => (v instanceof Date ? v : new Date(v)).toISOString()

export function toTaskView(row: TaskRow): TaskView {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    ...(row.result ? { result: row.result } : {}),
    ...(row.error ? { error: row.error } : {}),
    createdAt: iso(row.created_at),
    ...(row.started_at ? { startedAt: iso(row.started_at) } : {}),
    ...(row.completed_at ? { completedAt: iso(row.completed_at) } : {}),
  }
}

/** The job that runs a task of this type. */
export const taskJobName = (type: string) => `task.${type}`

const taskJob = z.object({ taskId: z.uuid() })

export type TaskService = ReturnType<typeof createTaskService>

/**
 * Tasks: rows in `ai_tasks` the user can poll, run by queue jobs. Every status change updates the
 * row and publishes `task.updated` in one statement; the guarded updates (`where status = …`)
 * make a retried or duplicated job a no-op once the task has completed.
 */
export function createTaskService(options: TaskServiceOptions) {
  const { db, queue, logger } = options
  const definitions = new Map<string, TaskDefinition>()

  /**
   * Write a task row (`write` returns `*`: zero or one row) and, when it wrote one, its
   * `task.updated` event with the NOTIFY — in ONE statement, so atomic without an explicit
   * transaction and one round trip instead of five (BEGIN, write, event, NOTIFY, COMMIT).
   * The payload is built from the written row: `{ taskId, type, status, attempts, error? }`,
   * the `task.updated` schema (a uuid, a text, a TaskStatus, an integer, a text).
   */
  async function writeWithEvent(
    executor: Executor,
    write: SQL,
    status: TaskStatus,
    error?: string,
  ): Promise<TaskRow | undefined> {
    const [row] = await rows<TaskRow>(
      executor,
      sql`with task as (${write}), event as (
            insert into events (type, user_id, audience, payload)
            select 'task.updated', task.user_id, 'user',
                   jsonb_build_object('taskId', task.id, 'type', task.type, 'status', ${status}::text, 'attempts', task.attempts)${error ? sql` || jsonb_build_object('error', ${error}::text)` : sql``}
              from task
            returning id
          )
          select task.*, pg_notify(${EVENTS_CHANNEL}, event.id::text)::text as notified from task, event`,
    )
    return row
  }

  async function runTask(
    def: TaskDefinition,
    taskId: string,
    job: { attempt: number; lastAttempt: boolean; signal: AbortSignal },
  ) {
    const started = await writeWithEvent(
      db.orm,
      sql`update ai_tasks set status = 'active', attempts = attempts + 1, started_at = coalesce(started_at, now()), error = null
          where id = ${taskId} and status in ('queued', 'active')
          returning *, (select u.tier from users u where u.id = ai_tasks.user_id) as tier`,
      'active',
    )
    // Already completed or failed (a duplicate or late retry): nothing to do, nothing to repeat.
    if (!started) return { skipped: true }
    try {
      if (options.simulatedDelayMs) await sleep(options.simulatedDelayMs, undefined, { signal: job.signal })
      const input = def.input.parse(started.input)
      const result = await def.run(input, {
        db,
        userId: started.user_id,
        tier: started.tier ?? undefined,
        taskId,
        attempt: job.attempt,
        signal: job.signal,
      })
      await writeWithEvent(
        db.orm,
        sql`update ai_tasks set status = 'completed', result = ${JSON.stringify(result)}::jsonb, completed_at = now(), error = null
            where id = ${taskId} and status = 'active' returning *`,
        'completed',
      )
      return { taskId }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      const waitMs = rateLimitWaitMs(error)
      if (waitMs !== undefined && !job.signal.aborted) {
        // Run again once the limit resets (a new job: this one completes), without counting an attempt.
        const startAfter = new Date(Date.now() + waitMs + Math.floor(Math.random() * 250))
        await queue.enqueue(
          taskJobName(def.type),
          { taskId },
          { priority: started.priority, singletonKey: `${taskId}:after:${startAfter.getTime()}`, startAfter },
        )
        await writeWithEvent(
          db.orm,
          sql`update ai_tasks set status = 'queued', attempts = greatest(attempts - 1, 0), error = ${message}
              where id = ${taskId} and status = 'active' returning *`,
          'queued',
          message,
        )
        logger.info({ taskId, waitMs }, 'task refused by a rate limit: runs again after the reset')
        return { taskId, waitedForRateLimitMs: waitMs }
      }
      const final = job.lastAttempt || (error instanceof OptimaliqError && error.status < 500)
      logger.warn({ err: error, taskId, attempt: job.attempt, final }, 'task failed')
      await writeWithEvent(
        db.orm,
        final
          ? sql`update ai_tasks set status = 'failed', error = ${message}, completed_at = now() where id = ${taskId} and status = 'active' returning *`
          : sql`update ai_tasks set status = 'queued', error = ${message} where id = ${taskId} and status = 'active' returning *`,
        final ? 'failed' : 'queued',
        message,
      )
      // A client error (bad submission id) will not improve with a retry: dead-letter it now.
      if (!job.lastAttempt && final) throw new NonRetryableJobError(message, { cause: error })
      throw error
    }
  }

  function define<I>(def: TaskDefinition<I>) {
    const known = definitions.has(def.type)
    definitions.set(def.type, def as TaskDefinition)
    if (known) return // the job is registered already and looks the definition up on each run
    queue.register(
      taskJobName(def.type),
      taskJob,
      (payload, job) => runTask(definitions.get(def.type)!, payload.taskId, job),
      {
        policy: 'exclusive',
        expireInSeconds: options.timeoutSeconds,
        retryLimit: options.retryLimit,
        retryDelaySeconds: options.retryDelaySeconds,
        retryBackoff: true,
      },
    )
  }

  return {
    define,
    get types(): string[] {
      return [...definitions.keys()]
    },

    /** Validate, store and enqueue a task (one transaction). An idempotency key returns the existing task. */
    async submit(
      userId: string,
      request: { type: string; input: unknown; priority?: number | undefined; idempotencyKey?: string | undefined },
    ) {
      const def = definitions.get(request.type)
      if (!def)
        throw new OptimaliqError('unknown_task_type', `Unknown task type "${request.type}"`, {
          status: 400,
          details: { types: [...definitions.keys()] },
        })
      const parsed = def.input.safeParse(request.input)
      if (!parsed.success)
        throw new ValidationError(
          parsed.error.issues.map((i) => ({
            field: ['body', 'input', ...i.path.map(String)].join('.'),
            message: i.message,
          })),
        )
      const name = taskJobName(def.type)
      await queue.ready(name)
      return db.transaction(async (tx) => {
        const priority = request.priority ?? 0
        const row = await writeWithEvent(
          tx,
          sql`insert into ai_tasks (user_id, type, priority, input, idempotency_key)
              values (${userId}, ${def.type}, ${priority}, ${JSON.stringify(parsed.data)}::jsonb, ${request.idempotencyKey ?? null})
              on conflict (user_id, idempotency_key) do nothing returning *`,
          'queued',
        )
        if (!row) {
          const [existing] = await rows<TaskRow>(
            tx,
            sql`select * from ai_tasks where user_id = ${userId} and idempotency_key = ${request.idempotencyKey ?? null}`,
          )
          if (!existing)
            throw new OptimaliqError('task_conflict', 'The task could not be stored; retry', { status: 409 })
          return { task: toTaskView(existing), created: false }
        }
        await queue.enqueue(name, { taskId: row.id }, { priority, singletonKey: row.id, tx })
        return { task: toTaskView(row), created: true }
      })
    },

    /** A task as its owner (or an admin) may see it; RLS hides everyone else's. */
    async get(claims: Claims, taskId: string): Promise<TaskView | undefined> {
      const [row] = await db.asUser(claims, (tx) => rows<TaskRow>(tx, sql`select * from ai_tasks where id = ${taskId}`))
      return row ? toTaskView(row) : undefined
    },
  }
}
