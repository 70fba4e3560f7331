import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBackends } from '../../helpers/backends.ts'
import { errorOf, signUp, startTestApp, type TestApp } from '../../helpers/app.ts'

/** Saved strategy plans (the web app's planner): one user's own, checked by schema, isolated by RLS. */
describeBackends('strategy plans', (backend) => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp(backend)
  })
  afterAll(() => t?.close())

  const item = {
    title: 'Document the sales process',
    source: 'roadmap',
    owner: 'Sales lead',
    due: '2027-03-31',
    progress: 20,
    status: 'doing',
  }

  it('creates, lists, replaces and deletes a plan', async () => {
    const { token } = await signUp(t.app)
    const auth = { authorization: `Bearer ${token}` }
    const empty = await t.app.inject({ method: 'GET', url: '/api/plans', headers: auth })
    expect(empty.json()).toEqual({ plans: [] })

    const created = await t.app.inject({
      method: 'POST',
      url: '/api/plans',
      headers: auth,
      payload: {
        title: 'Q1 plan',
        items: [item, { ...item, title: 'Pick a CRM', source: 'lever', due: null, progress: 0, status: 'todo' }],
      },
    })
    expect(created.statusCode).toBe(201)
    const plan = created.json()
    expect(plan).toMatchObject({ title: 'Q1 plan', items: [item, { title: 'Pick a CRM', due: null }] })

    const replaced = await t.app.inject({
      method: 'PATCH',
      url: `/api/plans/${plan.id}`,
      headers: auth,
      payload: { title: 'Q1 plan', items: [{ ...item, progress: 100, status: 'done' }] },
    })
    expect(replaced.statusCode).toBe(200)
    expect(replaced.json().items).toEqual([{ ...item, progress: 100, status: 'done' }])

    const list = await t.app.inject({ method: 'GET', url: '/api/plans', headers: auth })
    expect(list.json().plans.map((p: { id: string }) => p.id)).toEqual([plan.id])

    const exported = await t.app.inject({ method: 'GET', url: '/api/me/export', headers: auth })
    expect(exported.json().tables.strategy_plans).toHaveLength(1)

    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/plans/${plan.id}`, headers: auth })
    expect(deleted.json()).toEqual({ deleted: true })
    const again = await t.app.inject({ method: 'DELETE', url: `/api/plans/${plan.id}`, headers: auth })
    expect(again.statusCode).toBe(404)
  })

  it("refuses bad items with the field at fault, and never shows or changes another user's plan", async () => {
    const a = await signUp(t.app)
    const b = await signUp(t.app)
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/plans',
      headers: { authorization: `Bearer ${a.token}` },
      payload: { title: 'x', items: [{ ...item, progress: 150 }] },
    })
    expect(bad.statusCode).toBe(400)
    expect(errorOf(bad).error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'body.items.0.progress' })]),
    )
    const none = await t.app.inject({
      method: 'POST',
      url: '/api/plans',
      headers: { authorization: `Bearer ${a.token}` },
      payload: { title: 'x', items: [] },
    })
    expect(none.statusCode).toBe(400)

    const mine = (
      await t.app.inject({
        method: 'POST',
        url: '/api/plans',
        headers: { authorization: `Bearer ${a.token}` },
        payload: { title: 'Mine', items: [item] },
      })
    ).json()
    const theirs = await t.app.inject({
      method: 'GET',
      url: '/api/plans',
      headers: { authorization: `Bearer ${b.token}` },
    })
    expect(theirs.json().plans).toEqual([])
    const overwrite = await t.app.inject({
      method: 'PATCH',
      url: `/api/plans/${mine.id}`,
      headers: { authorization: `Bearer ${b.token}` },
      payload: { title: 'Stolen', items: [item] },
    })
    expect(overwrite.statusCode).toBe(404)
    const still = await t.app.inject({
      method: 'GET',
      url: '/api/plans',
      headers: { authorization: `Bearer ${a.token}` },
    })
    expect(still.json().plans[0].title).toBe('Mine')
  })
})
