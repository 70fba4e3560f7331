import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BACKENDS, createTestDatabase, type TestDatabase } from '../../helpers/backends.ts'
import { startProcess, type OptimaliqProcess } from '../../helpers/process.ts'
import { eventually, openSse, type SseClient } from '../../helpers/sse.ts'

/**
 * The process-kill part of the reliability campaign (issue 17, docs/RELIABILITY.md), with real
 * processes on one PostgreSQL: queued tasks are worked by `optimaliq worker` processes that are
 * killed with SIGKILL mid-task, again and again, while every database connection of every
 * OptimaliQ process (pools, pg-boss, LISTEN) is cut with pg_terminate_backend. Promise: every
 * accepted task completes exactly once (one `completed` event, its result once), and a live stream
 * receives every event of its user exactly once — across a SIGKILL of the API process too, resuming
 * with Last-Event-ID on a new one.
 * `CHAOS_TASKS`, `CHAOS_KILLS`, `CHAOS_TERMINATIONS` make it larger for `npm run chaos`.
 * (One worker kill with its retry, and LISTEN reconnects, are also in main/multiprocess.test.ts and
 * events/events.test.ts.)
 */
const TASKS = Number(process.env.CHAOS_TASKS ?? 16)
const KILLS = Number(process.env.CHAOS_KILLS ?? 3)
const SERVER_KILLS = Number(process.env.CHAOS_SERVER_KILLS ?? 2)
const TERMINATIONS = Number(process.env.CHAOS_TERMINATIONS ?? 12)
const OBSERVER = 'campaign-observer'

describe.runIf(BACKENDS.includes('postgres'))('process kills and cut database connections', () => {
  let database: TestDatabase
  let observer: pg.Pool
  let env: Record<string, string>
  const processes: OptimaliqProcess[] = []
  const tally = { tasks: 0, kills: 0, serverKills: 0, terminated: 0, events: 0, restarts: 0 }

  /** Start a process; one whose connection is cut while it starts exits (fail fast): start it again. */
  const start = async (args: string[], extra: Record<string, string> = {}) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const p = await startProcess(args, { ...env, ...extra })
        processes.push(p)
        return p
      } catch (error) {
        if (attempt >= 10) throw error
        tally.restarts += 1
      }
    }
  }
  const query = async <T>(text: string, values: unknown[] = []) => (await observer.query(text, values)).rows as T[]

  beforeAll(async () => {
    database = await createTestDatabase('postgres')
    // Our own connections carry a name the terminator spares; the test database's pool is not used.
    observer = new pg.Pool({ connectionString: database.url!, max: 2, application_name: OBSERVER })
    env = {
      DATABASE_URL: database.url!,
      DATABASE_POOL_SIZE: '4',
      JWT_SECRET: 'campaign-kill-secret-that-is-long-enough-0123456789',
      QUEUE_SUPERVISE_SECONDS: '1',
      TASK_TIMEOUT_SECONDS: '3',
      TASK_RETRY_DELAY_SECONDS: '0',
      TASK_RETRY_LIMIT: '50',
      EVENTS_HEARTBEAT_SECONDS: '1',
      AUTH_SIGNUPS_PER_ADDRESS_PER_HOUR: '1000',
    }
  }, 60_000)
  afterAll(async () => {
    console.warn(
      `[campaign] kills: ${tally.tasks} tasks, ${tally.kills} workers killed mid-task, ${tally.serverKills} API servers killed mid-stream, ${tally.terminated} connections terminated, ${tally.events} events streamed, ${tally.restarts} start-ups cut short and restarted`,
    )
    for (const p of processes) await p.kill9()
    await observer?.end()
    await database?.drop()
  })

  it('loses and duplicates nothing: tasks complete once, the stream gets every event once', async () => {
    const api = await start(['serve', '--no-worker'])
    const signup = await fetch(`${api.address}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `kill.${crypto.randomUUID()}@example.com`, password: 'correct horse battery' }),
    })
    const user = (await signup.json()) as { token: string; user: { id: string } }
    const auth = { authorization: `Bearer ${user.token}` }
    const stream: SseClient = await openSse(`${api.address}/api/realtime/stream`, auth)
    await stream.next((m) => m.event === 'ready')

    const taskIds: string[] = []
    for (let i = 0; i < TASKS; i++) {
      const response = await fetch(`${api.address}/api/ai/process`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'assessment_analysis',
          input: { assessmentType: 'growth', scores: { strategy: (i % 8) * 0.5 + 1, process: 2 } },
        }),
      })
      expect(response.status).toBe(202)
      taskIds.push(((await response.json()) as { taskId: string }).taskId)
    }
    tally.tasks = taskIds.length
    const statusOf = async () =>
      query<{ status: string; n: number }>(
        `select status, count(*)::int as n from ai_tasks where id = any($1::uuid[]) group by status`,
        [taskIds],
      )

    // Cut every OptimaliQ connection (API and workers: pools, pg-boss, LISTEN) a dozen times meanwhile.
    let cutting = true
    const cutter = (async () => {
      // At least TERMINATIONS rounds, and for as long as workers are being killed.
      for (let i = 0; i < TERMINATIONS || cutting; i++) {
        const [row] = await query<{ n: number }>(
          `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid() and application_name like 'optimaliq%'`,
        )
        tally.terminated += row!.n
        await new Promise((r) => setTimeout(r, 400))
      }
    })()

    // Slow workers, killed as soon as they hold a task.
    try {
      for (let k = 0; k < KILLS; k++) {
        const worker = await start(['worker'], { TASK_SIMULATED_DELAY_MS: '1500' })
        await eventually(
          async () => (await statusOf()).some((r) => r.status === 'active'),
          90_000,
          'a worker to take a task',
        )
        await worker.kill9()
        tally.kills += 1
      }
    } finally {
      cutting = false
      await cutter
    }
    // Healthy workers finish the rest, retries of the killed ones included, while the API process
    // is killed with SIGKILL mid-stream, again and again; the client resumes on a new one each time
    // from its last SSE id, as EventSource does.
    await start(['worker'], { TASK_SIMULATED_DELAY_MS: '400' })
    await start(['worker'], { TASK_SIMULATED_DELAY_MS: '400' })
    const streams: SseClient[] = [stream]
    let server = api
    for (let k = 0; k < SERVER_KILLS; k++) {
      const current = streams.at(-1)!
      const seen = current.events().length
      // Kill it once it has streamed something more (events are flowing), or after two seconds anyway.
      for (const until = Date.now() + 2_000; Date.now() < until && current.events().length <= seen;)
        await new Promise((r) => setTimeout(r, 20))
      await server.kill9()
      await current.ended
      tally.serverKills += 1
      const cursor = streams.flatMap((s) => s.events()).at(-1)?.id ?? '0'
      server = await start(['serve', '--no-worker'])
      const resumed = await openSse(`${server.address}/api/realtime/stream`, { ...auth, 'last-event-id': cursor })
      await resumed.next((m) => m.event === 'ready')
      streams.push(resumed)
    }
    await eventually(
      async () => (await statusOf()).every((r) => r.status === 'completed' || r.status === 'failed') || undefined,
      90_000,
      'every task to finish',
    )

    expect(await statusOf()).toEqual([{ status: 'completed', n: TASKS }])
    const completions = await query<{ task: string; n: number }>(
      `select payload->>'taskId' as task, count(*)::int as n from events
        where type = 'task.updated' and payload->>'status' = 'completed' and user_id = $1 group by 1`,
      [user.user.id],
    )
    expect(completions).toHaveLength(TASKS)
    expect(completions.every((c) => c.n === 1)).toBe(true)

    // The stream, before and after the API's kill: every event of the user, once, in order.
    const logged = await query<{ id: string }>(
      'select e.id::text as id from events e where e.user_id = $1 order by e.id',
      [user.user.id],
    )
    const last = logged.at(-1)!.id
    // The event's own id is in `data`; the SSE id is the resume cursor (a late commit carries the highest id sent).
    const streamedIds = () => streams.flatMap((s) => s.events()).map((m) => String(m.json.id))
    await eventually(() => streamedIds().includes(last), 30_000, 'the stream to catch up')
    const streamed = streamedIds()
    tally.events = streamed.length
    const ids = logged.map((r) => r.id)
    expect({
      missing: ids.filter((id) => !streamed.includes(id)),
      duplicated: streamed.filter((id, i) => streamed.indexOf(id) !== i),
      unknown: streamed.filter((id) => !ids.includes(id)),
    }).toEqual({ missing: [], duplicated: [], unknown: [] })
    // In id order, but for events that committed after a higher id was sent (delivered late, once).
    const late = streamed.filter((id, i) => i > 0 && Number(id) < Number(streamed[i - 1]))
    expect(streamed.filter((id) => !late.includes(id))).toEqual(ids.filter((id) => !late.includes(id)))
    for (const s of streams) s.close()
    expect(tally.kills).toBe(KILLS)
    expect(tally.terminated).toBeGreaterThan(0)
  }, 300_000)
})
