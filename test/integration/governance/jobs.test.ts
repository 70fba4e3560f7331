import { afterAll, beforeAll, expect, it } from 'vitest'
import { scheduleGovernanceJobs } from '../../../src/app/admin/governance-jobs.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startTestApp, type TestApp } from '../../helpers/app.ts'

async function until<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describeBackends('governance jobs on the queue', (backend) => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp(backend, { METRICS_TOKEN: 'metrics-token-for-jobs' })
  })
  afterAll(() => t.close())

  it('schedules each job once per slot across callers, runs it, and queues the next slot', async () => {
    const { queue, governance, db } = t.container
    // One clock reading for both calls: read separately, a minute boundary between them would make
    // them schedule different slots (CI once crossed one in the 167 ms this test takes).
    const now = Date.now()
    const first = await scheduleGovernanceJobs(queue, governance, now)
    expect(first.every((id) => typeof id === 'string')).toBe(true)
    // A second process scheduling the same slots makes no new jobs.
    expect(await scheduleGovernanceJobs(queue, governance, now)).toEqual([null, null])

    await db.query(
      `insert into provider_status_history (provider, status, reason) values ('google', 'down', 'probe failed')`,
    )
    await queue.enqueue('alerts.evaluate', { slot: 7 }, { singletonKey: 'alerts.evaluate:7' })
    await queue.startWorkers()
    const alert = await until(
      async () =>
        (
          await db.query<{ scope: string }>(
            `select scope from alerts where rule_id = 'provider_down' and status = 'firing'`,
          )
        )[0],
      'the provider_down alert',
    )
    expect(alert.scope).toBe('provider:google')
    // Slot 7 is long past: the next run is the next slot from now, not slot 8 (no catch-up storm).
    const nextSlot = Math.floor(Date.now() / 1000 / 60) + 1
    const next = await until(
      async () =>
        (
          await db.query<{ slot: string }>(
            `select data->>'slot' as slot from pgboss.job where name = 'alerts.evaluate' and state = 'created' and (data->>'slot')::bigint >= $1`,
            [nextSlot],
          )
        )[0],
      'the next slot',
    )
    expect(Number(next.slot)).toBeLessThanOrEqual(nextSlot + 1)
    expect(
      (await db.query(`select 1 from pgboss.job where name = 'alerts.evaluate' and data->>'slot' = '8'`)).length,
    ).toBe(0)

    const metrics = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-token-for-jobs' } })
    expect(metrics.body).toMatch(/optimaliq_queue_depth\{name="alerts.evaluate"\} \d+/)
    expect(metrics.body).toContain('optimaliq_sse_clients 0')
  })
})
