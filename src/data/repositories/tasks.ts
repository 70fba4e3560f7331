import { randomUUID } from 'node:crypto'
import { sql, type SQL } from 'drizzle-orm'
import type { Claims, Database, Executor } from '../db.ts'
import { rows } from '../db.ts'
import { writeRowsWithEvents } from './events.ts'

/**
 * `ai_tasks`: what the user polls. Every status change writes the row and its `task.updated` event
 * (through the one outbox writer, which validates the payload) in one statement; the guarded
 * updates (`where status = …`) make a retried or duplicated job a no-op once the task has finished.
 */

export type TaskStatus = 'queued' | 'active' | 'completed' | 'failed'

/** One `ai_tasks` row. */
export type TaskRecord = {
  id: string
  userId: string | null
  type: string
  status: TaskStatus
  priority: number
  input: Record<string, unknown>
  result: Record<string, unknown> | null
  error: string | null
  attempts: number
  createdAt: Date
  startedAt: Date | null
  completedAt: Date | null
  /** Only on the record a run starts from: the owner's tier. */
  tier?: string | null
}

type TaskRow = {
  id: string
  user_id: string | null
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
  tier?: string | null
}

const date = (v: Date | string) => (v instanceof Date ? v : new Date(v))

const toRecord = (row: TaskRow): TaskRecord => ({
  id: row.id,
  userId: row.user_id,
  type: row.type,
  status: row.status,
  priority: row.priority,
  input: row.input,
  result: row.result,
  error: row.error,
  attempts: row.attempts,
  createdAt: date(row.created_at),
  startedAt: row.started_at === null ? null : date(row.started_at),
  completedAt: row.completed_at === null ? null : date(row.completed_at),
  ...(row.tier !== undefined ? { tier: row.tier } : {}),
})

/** The `task.updated` event of a task after a change. */
const taskEvent = (
  task: Pick<TaskRecord, 'id' | 'userId' | 'type' | 'attempts'>,
  status: TaskStatus,
  error?: string,
) => ({
  type: 'task.updated' as const,
  userId: task.userId,
  payload: { taskId: task.id, type: task.type, status, attempts: task.attempts, ...(error ? { error } : {}) },
})

/** A guarded write of one task (`returning *`) with its event; undefined when the guard matched nothing. */
async function writeTask(
  executor: Executor,
  write: SQL,
  event: ReturnType<typeof taskEvent>,
): Promise<TaskRecord | undefined> {
  const { rows: written } = await writeRowsWithEvents<TaskRow>(executor, write, [event], { returning: 'write' })
  return written[0] ? toRecord(written[0]) : undefined
}

export type NewTask = {
  userId: string
  type: string
  priority: number
  input: Record<string, unknown>
  idempotencyKey?: string | undefined
}

/**
 * Insert a queued task with its event; undefined when the user already has a task under this
 * idempotency key (then nothing is written).
 */
export async function insertTask(tx: Executor, task: NewTask): Promise<TaskRecord | undefined> {
  const id = randomUUID()
  return writeTask(
    tx,
    sql`insert into ai_tasks (id, user_id, type, priority, input, idempotency_key)
        values (${id}, ${task.userId}, ${task.type}, ${task.priority}, ${JSON.stringify(task.input)}::jsonb, ${task.idempotencyKey ?? null})
        on conflict (user_id, idempotency_key) do nothing returning *`,
    taskEvent({ id, userId: task.userId, type: task.type, attempts: 0 }, 'queued'),
  )
}

/** The user's task stored under this idempotency key. */
export async function findTaskByIdempotencyKey(
  tx: Executor,
  userId: string,
  idempotencyKey: string | null,
): Promise<TaskRecord | undefined> {
  const [row] = await rows<TaskRow>(
    tx,
    sql`select * from ai_tasks where user_id = ${userId} and idempotency_key = ${idempotencyKey}`,
  )
  return row ? toRecord(row) : undefined
}

/** A task as the caller may see it: RLS hides everyone else's (admins see all). */
export async function findTaskAsUser(db: Database, claims: Claims, taskId: string): Promise<TaskRecord | undefined> {
  const [row] = await db.asUser(claims, (tx) => rows<TaskRow>(tx, sql`select * from ai_tasks where id = ${taskId}`))
  return row ? toRecord(row) : undefined
}

/**
 * Mark a queued (or interrupted active) task active for one more attempt, with its event.
 * Undefined when it has completed or failed meanwhile (a duplicate or late retry: nothing to do).
 */
export async function startTask(db: Executor, taskId: string): Promise<TaskRecord | undefined> {
  // The event carries the new attempt count and the owner, so the row is read first; the update is
  // guarded on the attempts read, and a concurrent start (which changed them) makes it read again.
  for (let tries = 0; ; tries++) {
    if (tries === 20) throw new Error(`task ${taskId} kept changing while it was being started`)
    const [current] = await rows<TaskRow>(
      db,
      sql`select id, user_id, type, attempts, status, (select u.tier from users u where u.id = ai_tasks.user_id) as tier
          from ai_tasks where id = ${taskId}`,
    )
    if (!current || (current.status !== 'queued' && current.status !== 'active')) return undefined
    const started = await writeTask(
      db,
      sql`update ai_tasks set status = 'active', attempts = attempts + 1, started_at = coalesce(started_at, now()), error = null
          where id = ${taskId} and status in ('queued', 'active') and attempts = ${current.attempts} returning *`,
      taskEvent(
        { id: current.id, userId: current.user_id, type: current.type, attempts: current.attempts + 1 },
        'active',
      ),
    )
    if (started) return { ...started, tier: current.tier ?? null }
  }
}

/**
 * Finish an active attempt: `completed` with its result, `failed` for good, or back to `queued`
 * for a retry (both with the error). A task no longer active is left alone (returns undefined).
 */
export async function finishTask(
  db: Executor,
  task: TaskRecord,
  outcome:
    | { status: 'completed'; result: Record<string, unknown> }
    | { status: 'failed' | 'queued'; error: string; refundAttempt?: boolean },
): Promise<TaskRecord | undefined> {
  const write =
    outcome.status === 'completed'
      ? sql`update ai_tasks set status = 'completed', result = ${JSON.stringify(outcome.result)}::jsonb, completed_at = now(), error = null
            where id = ${task.id} and status = 'active' returning *`
      : outcome.status === 'failed'
        ? sql`update ai_tasks set status = 'failed', error = ${outcome.error}, completed_at = now() where id = ${task.id} and status = 'active' returning *`
        : outcome.refundAttempt
          ? sql`update ai_tasks set status = 'queued', attempts = greatest(attempts - 1, 0), error = ${outcome.error}
                where id = ${task.id} and status = 'active' returning *`
          : sql`update ai_tasks set status = 'queued', error = ${outcome.error} where id = ${task.id} and status = 'active' returning *`
  return writeTask(
    db,
    write,
    taskEvent(
      outcome.status === 'queued' && outcome.refundAttempt
        ? { ...task, attempts: Math.max(task.attempts - 1, 0) }
        : task,
      outcome.status,
      outcome.status === 'completed' ? undefined : outcome.error,
    ),
  )
}

/** Jobs waiting in pg-boss, by queue name (none before pg-boss has created its schema). */
export async function queuedJobCounts(db: Database): Promise<{ name: string; count: number }[]> {
  const [exists] = await db.query<{ t: string | null }>(`select to_regclass('pgboss.job')::text as t`)
  if (!exists?.t) return []
  const list = await db.query<{ name: string; n: string }>(
    `select name, count(*) as n from pgboss.job where state in ('created', 'retry') group by name`,
  )
  return list.map((r) => ({ name: r.name, count: Number(r.n) }))
}
