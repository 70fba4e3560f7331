import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { RateLimitedError } from '../../../src/governance/limits/errors.ts'
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { eventually } from '../../helpers/sse.ts'

/**
 * Issue 17, class 6: a queued task runs with its owner's tier (not the free tier's limits), and a
 * task refused by a rate limit waits for the reset instead of failing for good.
 */
describeBackends('queued tasks: tier and rate limits', (backend) => {
  let t: TestApp

  beforeAll(async () => {
    // No retries: without the wait, one refusal would fail the task for good.
    t = await startTestApp(backend, { TASK_RETRY_DELAY_SECONDS: '0', TASK_RETRY_LIMIT: '0' })
    await t.container.queue.startWorkers()
  })
  afterAll(async () => {
    await t?.close()
  })

  const task = (id: string) =>
    t.container.db.query<{
      status: string
      attempts: number
      result: Record<string, unknown> | null
      error: string | null
    }>('select status, attempts, result, error from ai_tasks where id = $1', [id])
  const finished = (id: string) =>
    eventually(
      async () => {
        const [row] = await task(id)
        return row && (row.status === 'completed' || row.status === 'failed') ? row : undefined
      },
      20_000,
      'the task to finish',
    )

  it('runs a task with the tier of its owner', async () => {
    const seen: Array<string | undefined> = []
    t.container.tasks.define({
      type: 'tier_probe_test',
      input: z.object({}),
      async run(_input, context) {
        seen.push(context.tier)
        return { tier: context.tier ?? null }
      },
    })
    const user = await signUp(t.app)
    await t.container.db.query(`update users set tier = 'premium' where id = $1`, [user.user.id])
    const { task: created } = await t.container.tasks.submit(user.user.id, { type: 'tier_probe_test', input: {} })
    const done = await finished(created.id)
    expect(done).toMatchObject({ status: 'completed', result: { tier: 'premium' } })
    expect(seen).toEqual(['premium'])
  })

  it('waits out a rate limit and then completes, without spending an attempt', async () => {
    let runs = 0
    t.container.tasks.define({
      type: 'rate_limited_test',
      input: z.object({}),
      async run() {
        runs += 1
        if (runs === 1)
          throw new RateLimitedError({
            limit: 'user.requests_per_minute',
            scope: 'user',
            max: 1,
            remaining: 0,
            resetAt: new Date(Date.now() + 1_000),
            retryAfterMs: 1_000,
          })
        return { ok: true }
      },
    })
    const user = await signUp(t.app)
    const { task: created } = await t.container.tasks.submit(user.user.id, { type: 'rate_limited_test', input: {} })
    const done = await finished(created.id)
    expect(done).toMatchObject({ status: 'completed', attempts: 1, result: { ok: true } })
    expect(runs).toBe(2)
    const statuses = await t.container.db.query<{ status: string }>(
      `select payload->>'status' as status from events where type = 'task.updated' and payload->>'taskId' = $1 order by id`,
      [created.id],
    )
    expect(statuses.map((s) => s.status)).toEqual(['queued', 'active', 'queued', 'active', 'completed'])
  })
})
