import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { fireAlert } from '../../../src/data/repositories/alerts.ts'
import { errorOf, signUp, startTestApp, type TestApp } from '../../helpers/app.ts'
import { describeBackends } from '../../helpers/backends.ts'

describeBackends('admin console: alert acknowledgement, budgets', (backend) => {
  let t: TestApp
  let admin: Awaited<ReturnType<typeof signUp>>
  beforeAll(async () => {
    t = await startTestApp(backend, {
      OPTIMALIQ_ADMIN_EMAILS: 'ack-admin@example.com',
      AI_BUDGETS: JSON.stringify({ global: { dailyUsd: 25, monthlyUsd: 500 } }),
    })
    admin = await signUp(t.app, { email: 'ack-admin@example.com' })
  })
  afterAll(() => t?.close())

  it('records who acknowledged a firing alert and when, once, audited and announced to admins', async () => {
    const user = await signUp(t.app)
    const alert = await t.container.db.transaction((tx) =>
      fireAlert(tx, { ruleId: 'error_rate', scope: `test-${randomUUID()}`, value: 0.4, message: 'Error rate 40 %' }),
    )
    const url = `/api/admin/alerts/${alert!.id}/acknowledge`

    expect((await t.app.inject({ method: 'POST', url, headers: user.auth })).statusCode).toBe(403)

    const first = await t.app.inject({ method: 'POST', url, headers: admin.auth })
    expect(first.statusCode).toBe(200)
    const acked = first.json()
    expect(acked).toMatchObject({ id: alert!.id, status: 'firing', acknowledgedBy: admin.user.id })
    expect(Date.parse(acked.acknowledgedAt)).toBeGreaterThan(0)

    // Again: the first acknowledgement stands.
    const second = await t.app.inject({ method: 'POST', url, headers: admin.auth })
    expect(second.json().acknowledgedAt).toBe(acked.acknowledgedAt)

    const list = await t.app.inject({ method: 'GET', url: '/api/admin/alerts', headers: admin.auth })
    expect(list.json().alerts.find((a: { id: string }) => a.id === alert!.id)).toMatchObject({
      acknowledgedAt: acked.acknowledgedAt,
      acknowledgedBy: admin.user.id,
    })

    const events = await t.database.db.query<{ audience: string; payload: { alertId: string; by: string } }>(
      "select audience, payload from events where type = 'alert.acknowledged'",
    )
    expect(events.filter((e) => e.payload.alertId === alert!.id)).toEqual([
      { audience: 'admin', payload: expect.objectContaining({ alertId: alert!.id, by: admin.user.id }) },
    ])
    const audit = await t.database.db.query<{ action: string; target: string }>(
      "select action, target from admin_audit_log where action = 'alert.acknowledge'",
    )
    expect(audit.filter((a) => a.target === alert!.id)).toHaveLength(1)
  })

  it('answers 404 for an unknown alert and 400 for a malformed id', async () => {
    const missing = await t.app.inject({
      method: 'POST',
      url: `/api/admin/alerts/${randomUUID()}/acknowledge`,
      headers: admin.auth,
    })
    expect(missing.statusCode).toBe(404)
    expect(errorOf(missing).error.code).toBe('not_found')
    const bad = await t.app.inject({ method: 'POST', url: '/api/admin/alerts/nope/acknowledge', headers: admin.auth })
    expect(bad.statusCode).toBe(400)
  })

  it('lists the install-wide budgets against their limits, to admins only', async () => {
    const user = await signUp(t.app)
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/budgets', headers: user.auth })).statusCode).toBe(403)
    const response = await t.app.inject({ method: 'GET', url: '/api/admin/budgets', headers: admin.auth })
    expect(response.statusCode).toBe(200)
    expect(response.json().budgets).toEqual([
      expect.objectContaining({ budget: 'global.daily', period: 'daily', limitUsd: 25, spentUsd: 0 }),
      expect.objectContaining({ budget: 'global.monthly', period: 'monthly', limitUsd: 500, spentUsd: 0 }),
    ])
  })
})
