import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulator } from '../../../src/simulator/index.ts'
import { publish } from '../../../src/events/publish.ts'
import { BACKENDS, createTestDatabase, type TestDatabase } from '../../helpers/backends.ts'
import { startProcess, type OptimaliqProcess } from '../../helpers/process.ts'
import { eventually, openSse } from '../../helpers/sse.ts'

/**
 * Scale-out on one PostgreSQL with real processes (`node src/main/cli.ts serve|worker`): events
 * cross processes through the log, jobs run once, a killed worker's job is retried once, and a
 * client resumes across a server restart.
 */
describe.runIf(BACKENDS.includes('postgres'))('several processes on one PostgreSQL', () => {
  let database: TestDatabase
  let env: Record<string, string>
  const processes: OptimaliqProcess[] = []

  const start = async (args: string[], extra: Record<string, string> = {}) => {
    const p = await startProcess(args, { ...env, ...extra })
    processes.push(p)
    return p
  }
  async function signUp(base: string) {
    const response = await fetch(`${base}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `mp.${crypto.randomUUID()}@example.com`, password: 'correct horse battery' }),
    })
    const json = (await response.json()) as { token: string; user: { id: string } }
    return { token: json.token, userId: json.user.id, auth: { authorization: `Bearer ${json.token}` } }
  }
  async function postTask(
    base: string,
    auth: Record<string, string>,
    scores: Record<string, number> = { strategy: 2, sales: 3 },
  ) {
    const response = await fetch(`${base}/api/ai/process`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'assessment_analysis', input: { assessmentType: 'growth', scores } }),
    })
    expect(response.status).toBe(202)
    return ((await response.json()) as { taskId: string }).taskId
  }
  const statusEvents = async (taskId: string) =>
    (
      await database.db.query<{ status: string }>(
        `select payload->>'status' as status from events where type = 'task.updated' and payload->>'taskId' = $1 order by id`,
        [taskId],
      )
    ).map((r) => r.status)
  const task = async (taskId: string) =>
    (
      await database.db.query<{ status: string; attempts: number }>(
        'select status, attempts from ai_tasks where id = $1',
        [taskId],
      )
    )[0]

  beforeAll(async () => {
    database = await createTestDatabase('postgres')
    env = {
      DATABASE_URL: database.url!,
      DATABASE_POOL_SIZE: '5',
      JWT_SECRET: 'multi-process-secret-that-is-long-enough-0123456789',
      QUEUE_SUPERVISE_SECONDS: '1',
      TASK_TIMEOUT_SECONDS: '3',
      TASK_RETRY_DELAY_SECONDS: '0',
      EVENTS_HEARTBEAT_SECONDS: '1',
    }
  }, 60_000)
  afterAll(async () => {
    for (const p of processes) await p.kill9()
    await database.drop()
  })

  let a: OptimaliqProcess
  let b: OptimaliqProcess

  it('carries an event published through one process to a stream on the other', async () => {
    ;[a, b] = await Promise.all([start(['serve']), start(['serve'])])
    const user = await signUp(a.address!)
    const stream = await openSse(`${b.address}/api/realtime/stream`, user.auth)
    await stream.next((m) => m.event === 'ready')
    const taskId = await postTask(a.address!, user.auth)
    await stream.next(
      (m) => m.event === 'task.updated' && (m.json.payload as { status: string }).status === 'completed',
      20_000,
    )
    expect(stream.events().map((m) => (m.json.payload as { taskId: string; status: string }).status)).toEqual([
      'queued',
      'active',
      'completed',
    ])
    expect(stream.events().every((m) => (m.json.payload as { taskId: string }).taskId === taskId)).toBe(true)
    stream.close()
  }, 90_000)

  it('shares AI rate limits between two app processes: never over the limit, exactly the limit once leases are back', async () => {
    const sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    try {
      const max = 300
      const aiEnv = {
        ...sim.env(['openai']),
        AI_PROVIDER: 'openai',
        AI_RATE_LIMITS: JSON.stringify({ free: { perMinute: max, perHour: 10_000, perDay: 10_000 } }),
      }
      const [p, q] = await Promise.all([start(['serve', '--no-worker'], aiEnv), start(['serve', '--no-worker'], aiEnv)])
      const user = await signUp(p.address!)
      const keyResponse = await fetch(`${p.address}/api/keys`, {
        method: 'POST',
        headers: { ...user.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'mp' }),
      })
      const key = ((await keyResponse.json()) as { key: string }).key
      const ask = (base: string) =>
        fetch(`${base}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'hi' }] }),
        })
      // Bursts on both processes at once: leases may refuse some early, never let one too many through.
      let allowed = 0
      for (let round = 0; round < 10; round++) {
        const statuses = await Promise.all(
          Array.from({ length: 20 }, async (_, i) => (await ask(i % 2 ? p.address! : q.address!)).status),
        )
        expect(statuses.every((s) => s === 200 || s === 429)).toBe(true)
        allowed += statuses.filter((s) => s === 200).length
      }
      expect(allowed).toBeLessThanOrEqual(max)
      // Unused leases go back within a second; then the window fills to exactly the limit.
      await eventually(
        async () =>
          (
            await database.db.query<{ n: number }>(
              "select coalesce(sum(leased), 0)::int as n from rate_limits where key like 'ai_minute_free:%'",
            )
          )[0]!.n === 0,
        10_000,
        'leases to come back',
      )
      // A process refused while the other held a lease blocks the key from memory for at most a second.
      await new Promise((resolve) => setTimeout(resolve, 1_100))
      let refused: Response | undefined
      for (let i = 0; !refused; i++) {
        const response = await ask(i % 2 ? p.address! : q.address!)
        if (response.status === 429) refused = response
        else {
          expect(response.status).toBe(200)
          allowed++
        }
      }
      expect(allowed).toBe(max)
      // `/v1` speaks OpenAI's error shape; the message names the limit.
      const body = (await refused.json()) as { error: { code: string; type: string; message: string } }
      expect(body.error).toMatchObject({ code: 'rate_limited', type: 'rate_limit_error' })
      expect(body.error.message).toContain(`user.requests_per_minute reached (${max})`)
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(1)
      expect(refused.headers.get('x-ratelimit-remaining')).toBe('0')
    } finally {
      await sim.close()
    }
  }, 90_000)

  it('runs each job exactly once with workers in both processes', async () => {
    const user = await signUp(b.address!)
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        postTask(i % 2 ? a.address! : b.address!, user.auth, { strategy: (i % 5) + 0.5 }),
      ),
    )
    await eventually(
      async () => (await Promise.all(ids.map(task))).every((t) => t?.status === 'completed'),
      30_000,
      'all tasks completed',
    )
    for (const id of ids) {
      expect(await statusEvents(id)).toEqual(['queued', 'active', 'completed'])
      expect((await task(id))!.attempts).toBe(1)
    }
  }, 60_000)

  it('retries the job of a worker killed with SIGKILL mid-job, and its side effect happens once', async () => {
    await Promise.all([a.stop(), b.stop()])
    const api = await start(['serve', '--no-worker'])
    const slow = await start(['worker'], { TASK_SIMULATED_DELAY_MS: '60000' })
    const user = await signUp(api.address!)
    const taskId = await postTask(api.address!, user.auth)
    await eventually(async () => (await task(taskId))?.status === 'active', 20_000, 'the slow worker to take the job')
    await slow.kill9()
    await start(['worker'])
    await eventually(async () => (await task(taskId))?.status === 'completed', 30_000, 'the retried job to complete')
    expect(await task(taskId)).toMatchObject({ status: 'completed', attempts: 2 })
    expect(await statusEvents(taskId)).toEqual(['queued', 'active', 'active', 'completed'])
    await api.stop()
  }, 90_000)

  it('lets a streaming client resume after the server restarts and miss nothing', async () => {
    const server = await start(['serve', '--no-worker'])
    const user = await signUp(server.address!)
    const send = () =>
      database.db.transaction((tx) =>
        publish(tx, { type: 'dashboard.updated', userId: user.userId, payload: { provider: 'rules' } }),
      )
    const stream = await openSse(`${server.address}/api/realtime/stream`, user.auth)
    const first = await send()
    await stream.next((m) => m.id === String(first))
    await server.stop() // SIGTERM: graceful shutdown ends the stream
    await stream.ended
    const missed = [await send(), await send(), await send()]
    const restarted = await start(['serve', '--no-worker'])
    const resumed = await openSse(`${restarted.address}/api/realtime/stream`, {
      ...user.auth,
      'last-event-id': stream.events().at(-1)!.id!,
    })
    const live = await send()
    await resumed.next((m) => m.id === String(live))
    expect(resumed.events().map((m) => Number(m.id))).toEqual([...missed, live])
    resumed.close()
  }, 90_000)
})
