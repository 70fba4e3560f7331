import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import { z } from 'zod'
import type { Tier } from '../../contracts/common.ts'
import type { Claims, Database } from '../../data/db.ts'
import {
  findTaskAsUser,
  findTaskByIdempotencyKey,
  finishTask,
  insertTask,
  startTask,
  type TaskRecord,
  type TaskStatus,
} from '../../data/repositories/tasks.ts'
import { OptimaliqError, ValidationError } from '../../errors.ts'
import { NonRetryableJobError, type Queue } from '../../queue/queue.ts'

export type { TaskStatus }

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

export function toTaskView(task: TaskRecord): TaskView {
  return {
    id: task.id,
    type: task.type,
    status: task.status,
    attempts: task.attempts,
    ...(task.result ? { result: task.result } : {}),
    ...(task.error ? { error: task.error } : {}),
    createdAt: task.createdAt.toISOString(),
    ...(task.startedAt ? { startedAt: task.startedAt.toISOString() } : {}),
    ...(task.completedAt ? { completedAt: task.completedAt.toISOString() } : {}),
  }
}

/** The job that runs a task of this type. */
export const taskJobName = (type: string) => `task.${type}`

const taskJob = z.object({ taskId: z.uuid() })

export type TaskService = ReturnType<typeof createTaskService>

/**
 * Tasks: rows in `ai_tasks` the user can poll, run by queue jobs. Every status change writes the
 * row and its `task.updated` event together (`data/repositories/tasks.ts`); the guarded updates
 * make a retried or duplicated job a no-op once the task has completed.
 */
export function createTaskService(options: TaskServiceOptions) {
  const { db, queue, logger } = options
  const definitions = new Map<string, TaskDefinition>()

  async function runTask(
    def: TaskDefinition,
    taskId: string,
    job: { attempt: number; lastAttempt: boolean; signal: AbortSignal },
  ) {
    const started = await startTask(db.orm, taskId)
    // Already completed or failed (a duplicate or late retry): nothing to do, nothing to repeat.
    if (!started) return { skipped: true }
    try {
      if (options.simulatedDelayMs) await sleep(options.simulatedDelayMs, undefined, { signal: job.signal })
      const input = def.input.parse(started.input)
      const result = await def.run(input, {
        db,
        userId: started.userId!,
        tier: (started.tier as Tier | null | undefined) ?? undefined,
        taskId,
        attempt: job.attempt,
        signal: job.signal,
      })
      await finishTask(db.orm, started, { status: 'completed', result })
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
        await finishTask(db.orm, started, { status: 'queued', error: message, refundAttempt: true })
        logger.info({ taskId, waitMs }, 'task refused by a rate limit: runs again after the reset')
        return { taskId, waitedForRateLimitMs: waitMs }
      }
      const final = job.lastAttempt || (error instanceof OptimaliqError && error.status < 500)
      logger.warn({ err: error, taskId, attempt: job.attempt, final }, 'task failed')
      await finishTask(db.orm, started, { status: final ? 'failed' : 'queued', error: message })
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
        const row = await insertTask(tx, {
          userId,
          type: def.type,
          priority,
          input: parsed.data as Record<string, unknown>,
          idempotencyKey: request.idempotencyKey,
        })
        if (!row) {
          const existing = await findTaskByIdempotencyKey(tx, userId, request.idempotencyKey ?? null)
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
      const row = await findTaskAsUser(db, claims, taskId)
      return row ? toTaskView(row) : undefined
    },
  }
}
