import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { seedDemoCohort } from '../../../src/graph/demo.ts'
import { GRAPH_SYNC_JOB, syncGraphOnEvents } from '../../../src/graph/sync.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts'

/** The graph follows SQL: events queue graph_sync jobs, backfill rebuilds, check finds drift; a graph that is down never fails a request. */

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = await fn()
    if (value) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

describeBackends('graph sync', (backend) => {
  let t: TestApp
  const users: Array<{ id: string; auth: Record<string, string> }> = []

  beforeAll(async () => {
    t = await startTestApp(backend)
    for (let i = 0; i < 3; i++) {
      const s = await signUp(t.app, { industry: ' Retail ', companySize: '1-10', revenueRange: 'under $1m' })
      users.push({ id: s.user.id, auth: s.auth })
    }
    // Scores as a submission would leave them (the submission path itself is covered by the assessments suite).
    await t.database.db.query(
      `update profiles set sales_score = 3.25, sales_last_taken = now(), bpm_score = 2, bpm_last_taken = now(), overall_score = 2.6, updated_at = now() where user_id = $1`,
      [users[0]!.id],
    )
    await t.database.db.query(
      `update profiles set sales_score = 4, sales_last_taken = now(), updated_at = now() where user_id = $1`,
      [users[1]!.id],
    )
  }, 180_000)
  afterAll(async () => t?.close())

  it('backfills every profile and reports no drift afterwards; demo businesses stay', async () => {
    const { store, sync } = t.container.graph
    await seedDemoCohort(store, 3)
    expect((await sync.check()).missing).toBe(3)
    expect(await sync.backfill()).toEqual({ synced: 3, removed: 0 })
    const report = await sync.check()
    expect(report).toMatchObject({ checked: 3, inSync: 3, missing: 0, mismatched: 0, extra: 0 })
    expect((await store.digest([users[0]!.id]))[0]).toEqual({
      id: users[0]!.id,
      industry: 'retail',
      sizeBand: '1-10',
      demo: false,
      scores: { bpm: 2, sales: 3.25 },
    })
    expect((await store.counts()).demoBusinesses).toBe(3)
    expect((await sync.lag()).pending).toBe(0)
  })

  it('finds drift (changed, missing and extra businesses) and backfill repairs it', async () => {
    const { store, sync } = t.container.graph
    await t.database.db.query(
      `update profiles set sales_score = 1.5, updated_at = now() + interval '1 second' where user_id = $1`,
      [users[1]!.id],
    )
    await store.removeBusiness(users[2]!.id)
    const stray = '00000000-0000-4000-8000-00000000abcd'
    await store.upsertBusiness({
      id: stray,
      industry: 'retail',
      sizeBand: null,
      revenueBand: null,
      region: null,
      demo: false,
      overall: null,
    })
    expect(await sync.check()).toMatchObject({ checked: 3, inSync: 1, missing: 1, mismatched: 1, extra: 1 })
    const lag = await sync.lag()
    expect(lag.pending).toBe(1)
    expect(lag.oldestPendingAt).toBeInstanceOf(Date)
    expect(await sync.backfill()).toEqual({ synced: 3, removed: 1 })
    expect(await sync.check()).toMatchObject({ inSync: 3, missing: 0, mismatched: 0, extra: 0 })
    expect((await store.counts()).demoBusinesses).toBe(3)
  })

  it('queues a graph_sync job on profile.updated and the worker brings the graph up to date', async () => {
    const { store, queue, events } = { ...t.container.graph, queue: t.container.queue, events: t.container.events }
    syncGraphOnEvents(events, queue, t.container.logger)
    await queue.startWorkers()
    const response = await t.app.inject({
      method: 'PATCH',
      url: '/api/profile',
      headers: users[2]!.auth,
      payload: { industry: 'SaaS', companySize: '11-50' },
    })
    expect(response.statusCode).toBe(200)
    const synced = await until('the graph to hold the new industry', async () => {
      const [b] = await store.digest([users[2]!.id])
      return b?.industry === 'saas' ? b : undefined
    })
    expect(synced).toMatchObject({ industry: 'saas', sizeBand: '11-50' })
    expect(await t.container.graph.sync.check()).toMatchObject({ inSync: 3, mismatched: 0 })
  })
})

describeBackends('graph sync with Neo4j down', (backend) => {
  let t: TestApp
  beforeAll(async () => {
    // Nothing listens on port 9: every graph write fails.
    t = await startTestApp(backend, { NEO4J_URI: 'bolt://127.0.0.1:9', NEO4J_PASSWORD: 'x' })
  }, 180_000)
  afterAll(async () => t?.close())

  it('still answers profile changes; the sync job fails and waits for a retry', async () => {
    const { queue, events } = t.container
    syncGraphOnEvents(events, queue, t.container.logger)
    await queue.startWorkers()
    const user = await signUp(t.app)
    const response = await t.app.inject({
      method: 'PATCH',
      url: '/api/profile',
      headers: user.auth,
      payload: { industry: 'Retail' },
    })
    expect(response.statusCode).toBe(200)
    const job = await until('a failed graph_sync attempt', async () => {
      const [row] = await t.database.db.query<{ state: string; output: { message?: string } | null }>(
        `select state, output from pgboss.job where name = $1 and singleton_key = $2`,
        [GRAPH_SYNC_JOB, user.user.id],
      )
      return row && row.state === 'retry' ? row : undefined
    })
    expect(job.output?.message).toBeTruthy()
    expect((await t.container.graph.sync.lag()).pending).toBeGreaterThanOrEqual(1)
  })
})
