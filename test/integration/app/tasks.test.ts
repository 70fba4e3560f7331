import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { startTestApp, signUp, errorOf, type TestApp } from '../../helpers/app.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { eventually, openSse } from '../../helpers/sse.ts'

describeBackends('task API and queue workers', (backend) => {
  let t: TestApp
  let base: string

  beforeAll(async () => {
    t = await startTestApp(backend, {
      OPTIMALIQ_ADMIN_EMAILS: 'ops@example.com',
      TASK_RETRY_DELAY_SECONDS: '0',
      TASK_RETRY_LIMIT: '1',
    })
    await t.container.queue.startWorkers() // the in-process worker, as `serve` runs it
    base = await t.app.listen({ host: '127.0.0.1', port: 0 })
  })
  afterAll(async () => {
    await t.close()
  })

  const post = (auth: Record<string, string>, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/ai/process', headers: auth, payload })
  const get = (auth: Record<string, string>, id: string) =>
    t.app.inject({ method: 'GET', url: `/api/ai/tasks/${id}`, headers: auth })
  const taskCount = async () =>
    Number((await t.container.db.query<{ n: string }>('select count(*) as n from ai_tasks'))[0]!.n)
  const analysisInput = {
    assessmentType: 'growth',
    scores: { strategy: 1.5, process: 2.5, technology: 4.5, sales: 3.2 },
  }

  it('rejects an unknown type or a bad input with 400 before anything is queued', async () => {
    const user = await signUp(t.app)
    const before = await taskCount()
    const unknown = await post(user.auth, { type: 'nope', input: {} })
    expect(unknown.statusCode).toBe(400)
    expect(errorOf(unknown).error.code).toBe('unknown_task_type')
    const bad = await post(user.auth, {
      type: 'assessment_analysis',
      input: { assessmentType: 'growth', scores: { strategy: 9 } },
    })
    expect(bad.statusCode).toBe(400)
    expect(errorOf(bad).error.details).toEqual([expect.objectContaining({ field: 'body.input.scores.strategy' })])
    const missing = await post(user.auth, { type: 'assessment_analysis', input: {} })
    expect(missing.statusCode).toBe(400)
    expect((await post({}, { type: 'assessment_analysis', input: analysisInput })).statusCode).toBe(401)
    expect(await taskCount()).toBe(before)
  })

  it('queues a task (202), runs it on the worker and shows every status change live and on GET', async () => {
    const user = await signUp(t.app)
    const stream = await openSse(`${base}/api/realtime/stream`, user.auth)
    await stream.next((m) => m.event === 'ready')
    const response = await post(user.auth, { type: 'assessment_analysis', input: analysisInput, priority: 5 })
    expect(response.statusCode).toBe(202)
    const { taskId, status } = response.json() as { taskId: string; status: string }
    expect(status).toBe('queued')
    const done = await stream.next(
      (m) => m.event === 'task.updated' && (m.json.payload as { status: string }).status === 'completed',
    )
    const statuses = stream
      .events()
      .filter((m) => m.event === 'task.updated')
      .map((m) => m.json.payload as { status: string; taskId: string })
    expect(statuses.map((s) => s.status)).toEqual(['queued', 'active', 'completed'])
    expect(statuses.every((s) => s.taskId === taskId)).toBe(true)
    expect(done.json.userId).toBe(user.user.id)
    stream.close()

    const task = (await get(user.auth, taskId)).json() as Record<string, unknown>
    expect(task).toMatchObject({ id: taskId, type: 'assessment_analysis', status: 'completed', attempts: 1 })
    expect(task.startedAt).toBeTypeOf('string')
    expect(task.completedAt).toBeTypeOf('string')
    const result = task.result as {
      provider: string
      weakestAreas: Array<{ area: string }>
      recommendations: unknown[]
    }
    expect(result.provider).toBe('rules')
    expect(result.weakestAreas.map((a) => a.area)).toEqual(['strategy', 'process', 'sales'])
    expect(result.recommendations).toHaveLength(3)
  })

  it('lets only the owner or an admin read a task', async () => {
    const owner = await signUp(t.app)
    const other = await signUp(t.app)
    const admin = await signUp(t.app, { email: 'ops@example.com' })
    const { taskId } = (await post(owner.auth, { type: 'assessment_analysis', input: analysisInput })).json() as {
      taskId: string
    }
    expect((await get(owner.auth, taskId)).statusCode).toBe(200)
    expect((await get(admin.auth, taskId)).statusCode).toBe(200)
    expect((await get(other.auth, taskId)).statusCode).toBe(404)
    expect((await get(owner.auth, crypto.randomUUID())).statusCode).toBe(404)
  })

  it('returns the same task for a repeated idempotency key and runs it once', async () => {
    const user = await signUp(t.app)
    const body = { type: 'assessment_analysis', input: analysisInput, idempotencyKey: 'analysis-1' }
    const [a, b] = await Promise.all([post(user.auth, body), post(user.auth, body)])
    const idA = (a.json() as { taskId: string }).taskId
    expect((b.json() as { taskId: string }).taskId).toBe(idA)
    await eventually(
      async () => ((await get(user.auth, idA)).json() as { status: string }).status === 'completed',
      15_000,
      'completion',
    )
    const events = await t.container.db.query<{ status: string }>(
      `select payload->>'status' as status from events where type = 'task.updated' and payload->>'taskId' = $1 order by id`,
      [idA],
    )
    expect(events.map((e) => e.status)).toEqual(['queued', 'active', 'completed'])
  })

  it('analyses a stored submission by id, and fails a task whose submission is not the caller’s', async () => {
    const user = await signUp(t.app)
    const [submission] = await t.container.db.query<{ id: string }>(
      `insert into assessment_submissions (user_id, type, bracket_served, answers, score, bracket_key) values ($1, 'sales', '1', '{}', 2.4, '1') returning id`,
      [user.user.id],
    )
    const { taskId } = (
      await post(user.auth, { type: 'assessment_analysis', input: { submissionId: submission!.id } })
    ).json() as { taskId: string }
    const done = await eventually(
      async () => {
        const task = (await get(user.auth, taskId)).json() as {
          status: string
          result?: { assessmentType: string; weakestAreas: Array<{ area: string; score: number }> }
        }
        return task.status === 'completed' ? task : undefined
      },
      15_000,
      'analysis of the submission',
    )
    expect(done.result).toMatchObject({ assessmentType: 'sales', weakestAreas: [{ area: 'sales', score: 2.4 }] })

    const other = await signUp(t.app)
    const { taskId: foreign } = (
      await post(other.auth, { type: 'assessment_analysis', input: { submissionId: submission!.id } })
    ).json() as { taskId: string }
    const failed = await eventually(
      async () => {
        const task = (await get(other.auth, foreign)).json() as { status: string; error?: string; attempts: number }
        return task.status === 'failed' ? task : undefined
      },
      15_000,
      'the foreign submission to fail',
    )
    expect(failed).toMatchObject({ status: 'failed', error: 'Submission not found', attempts: 1 })
  })

  it('retries a failing job with its attempts counted, then completes once', async () => {
    let calls = 0
    const user = await signUp(t.app)
    t.container.tasks.define({
      type: 'flaky_test',
      input: z.object({ n: z.number() }),
      async run(input) {
        calls += 1
        if (calls < 2) throw new Error('transient upstream error')
        return { doubled: input.n * 2 }
      },
    })
    const response = await post(user.auth, { type: 'flaky_test', input: { n: 21 } })
    expect(response.statusCode).toBe(202)
    const { taskId } = response.json() as { taskId: string }
    const done = await eventually(
      async () => {
        const task = (await get(user.auth, taskId)).json() as { status: string; attempts: number; result?: unknown }
        return task.status === 'completed' ? task : undefined
      },
      20_000,
      'the retried task',
    )
    expect(done).toMatchObject({ attempts: 2, result: { doubled: 42 } })
    const events = await t.container.db.query<{ status: string }>(
      `select payload->>'status' as status from events where type = 'task.updated' and payload->>'taskId' = $1 order by id`,
      [taskId],
    )
    expect(events.map((e) => e.status)).toEqual(['queued', 'active', 'queued', 'active', 'completed'])
    // The whole rows, as the stream and the replay carry them.
    const rows = await t.container.db.query<{ user_id: string; audience: string; payload: unknown }>(
      `select user_id, audience, payload from events where type = 'task.updated' and payload->>'taskId' = $1 order by id`,
      [taskId],
    )
    const row = (status: string, attempts: number, error?: string) => ({
      user_id: user.user.id,
      audience: 'user',
      payload: { taskId, type: 'flaky_test', status, attempts, ...(error ? { error } : {}) },
    })
    expect(rows).toEqual([
      row('queued', 0),
      row('active', 1),
      row('queued', 1, 'transient upstream error'),
      row('active', 2),
      row('completed', 2),
    ])
  })

  it('dead-letters a job whose retries are exhausted and marks its task failed', async () => {
    const user = await signUp(t.app)
    t.container.tasks.define({
      type: 'always_failing_test',
      input: z.object({}),
      async run() {
        throw new Error('permanent upstream error')
      },
    })
    const { taskId } = (await post(user.auth, { type: 'always_failing_test', input: {} })).json() as { taskId: string }
    const failed = await eventually(
      async () => {
        const task = (await get(user.auth, taskId)).json() as { status: string; attempts: number; error?: string }
        return task.status === 'failed' ? task : undefined
      },
      30_000,
      'the task to fail',
    )
    expect(failed).toMatchObject({ error: 'permanent upstream error', attempts: 2 })
    const boss = await t.container.queue.boss()
    const dead = await eventually(
      async () => {
        const jobs = await boss.findJobs<{ taskId: string }>('task.always_failing_test.dead', { data: { taskId } })
        return jobs.length > 0 ? jobs : undefined
      },
      10_000,
      'the dead letter',
    )
    expect(dead).toHaveLength(1)
  }, 60_000)
})
