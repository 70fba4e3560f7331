import { afterAll, beforeAll, expect, it } from 'vitest'
import { seedDemoCohort } from '../../../src/graph/demo.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { errorOf, signUp, startTestApp, uniqueEmail, type TestApp } from '../../helpers/app.ts'

/** The peer API through the HTTP app: anonymous, k-anonymous, explained when empty, demo only when labelled. */

describeBackends('peers API', (backend) => {
  let t: TestApp
  let admin: Awaited<ReturnType<typeof signUp>>
  const users: Array<Awaited<ReturnType<typeof signUp>>> = []
  const adminEmail = uniqueEmail('admin')

  beforeAll(async () => {
    t = await startTestApp(backend, { OPTIMALIQ_ADMIN_EMAILS: adminEmail })
    admin = await signUp(t.app, { email: adminEmail })
  }, 180_000)
  afterAll(async () => t?.close())

  const get = (auth: Record<string, string>, url: string) => t.app.inject({ method: 'GET', url, headers: auth })

  it('answers a user with no scores with empty, explained answers', async () => {
    const u = await signUp(t.app, { industry: 'Retail' })
    const similar = await get(u.auth, '/api/peers/similar')
    expect(similar.statusCode).toBe(200)
    expect(similar.json()).toMatchObject({
      peers: [],
      cohort: 'real',
      explanation: expect.stringMatching(/no assessment scores/),
    })
    const bench = await get(u.auth, '/api/benchmarks')
    expect(bench.json()).toMatchObject({ benchmarks: [], minGroup: 5, explanation: expect.any(String) })
    const recs = await get(u.auth, '/api/recommendations')
    expect(recs.statusCode).toBe(200)
    expect(recs.json()).toMatchObject({ fromPeers: [] })
  })

  it('refuses unknown query parameters and out-of-range limits, naming them', async () => {
    const u = await signUp(t.app)
    for (const [url, field] of [
      ['/api/peers/similar?limit=0', 'limit'],
      ['/api/peers/similar?limit=51', 'limit'],
      ['/api/peers/similar?limit=ten', 'limit'],
      ['/api/peers/similar?sort=name', 'sort'],
      ['/api/benchmarks?area=sales', 'area'],
      ['/api/peers/analytics?x=1', 'x'],
    ] as const) {
      const response = await get(u.auth, url)
      expect(response.statusCode, url).toBe(400)
      const error = errorOf(response)
      expect(error.error.code).toBe('validation_failed')
      expect(error.error.details?.map((d) => d.field).join(' '), url).toContain(field)
    }
    expect((await get({}, '/api/peers/similar')).statusCode).toBe(401)
  })

  it('shows a demo cohort, labelled, while real peers are too few; then real peers only', async () => {
    const me = await signUp(t.app, { industry: 'Retail', companySize: '1-10' })
    await t.database.db.query(
      `update profiles set sales_score = 3, sales_last_taken = now(), bpm_score = 2.5, bpm_last_taken = now(), overall_score = 2.8, updated_at = now() where user_id = $1`,
      [me.user.id],
    )
    // No real peers and no demo cohort: not enough peers yet, with how many are needed.
    const none = (await get(me.auth, '/api/benchmarks')).json() as {
      benchmarks: Array<{ status: string; needed?: number }>
      cohort: string
    }
    expect(none.cohort).toBe('real')
    expect(none.benchmarks.length).toBeGreaterThan(0)
    expect(none.benchmarks.every((b) => b.status === 'insufficient_peers' && b.needed! >= 1)).toBe(true)

    await seedDemoCohort(t.container.graph.store, 300)
    const similar = (await get(me.auth, '/api/peers/similar?limit=7')).json() as {
      peers: Array<Record<string, unknown>>
      cohort: string
    }
    expect(similar.cohort).toBe('demo')
    expect(similar.peers).toHaveLength(7)
    for (const p of similar.peers) {
      expect(p.demo).toBe(true)
      expect(Object.keys(p).sort()).toEqual(['demo', 'industry', 'sharedAssessments', 'similarity', 'sizeBand'])
    }
    const bench = (await get(me.auth, '/api/benchmarks')).json() as {
      cohort: string
      benchmarks: Array<{ status: string; peers: number }>
    }
    expect(bench.cohort).toBe('demo')
    expect(bench.benchmarks.filter((b) => b.status === 'ok').every((b) => b.peers >= 5)).toBe(true)
    const dash = (await get(me.auth, '/api/dashboard')).json() as {
      benchmarks: Array<{ area: string; demo: boolean; median: number | null }>
    }
    expect(dash.benchmarks.find((b) => b.area === 'overall')).toMatchObject({ demo: true, median: expect.any(Number) })

    // Five real retail businesses with scores: the real cohort takes over, with no demo business in it.
    for (let i = 0; i < 5; i++) {
      const u = await signUp(t.app, { industry: 'Retail', companySize: '1-10' })
      await t.database.db.query(
        `update profiles set sales_score = $2, sales_last_taken = now(), bpm_score = 3, bpm_last_taken = now(), leadership_score = 4, leadership_last_taken = now(), overall_score = $2, updated_at = now() where user_id = $1`,
        [u.user.id, 2 + i * 0.5],
      )
      users.push(u)
    }
    await t.container.graph.sync.backfill()
    const real = (await get(me.auth, '/api/peers/similar')).json() as {
      peers: Array<{ demo: boolean }>
      cohort: string
    }
    expect(real.cohort).toBe('real')
    expect(real.peers).toHaveLength(5)
    expect(real.peers.every((p) => !p.demo)).toBe(true)
    expect(JSON.stringify(real)).not.toMatch(/@|[0-9a-f]{8}-[0-9a-f]{4}-/)
    const realBench = (await get(me.auth, '/api/benchmarks')).json() as {
      cohort: string
      benchmarks: Array<Record<string, unknown>>
    }
    expect(realBench.cohort).toBe('real')
    expect(realBench.benchmarks.find((b) => b.area === 'sales')).toMatchObject({
      status: 'ok',
      group: 'industry_size',
      peers: 5,
      p50: 3,
      score: 3,
      percentile: 50,
    })
    const recs = (await get(me.auth, '/api/recommendations')).json() as {
      fromPeers: Array<{ type: string; support: number; demo: boolean }>
    }
    expect(recs.fromPeers).toContainEqual({ type: 'leadership', support: 5, share: 1, expectedScore: 4, demo: false })
    const analytics = (await get(me.auth, '/api/peers/analytics')).json() as Record<string, unknown>
    expect(analytics).toMatchObject({ industry: 'retail', status: 'ok', businesses: 6, cohort: 'real' })
  })

  it('shows admins the graph: counts, sync lag and drift; users are refused', async () => {
    const response = await get(admin.auth, '/api/admin/graph')
    expect(response.statusCode).toBe(200)
    const body = response.json() as {
      backend: string
      counts: { businesses: number; demoBusinesses: number }
      drift: { missing: number; mismatched: number }
    }
    expect(body.backend).toBe('sql')
    expect(body.counts.demoBusinesses).toBe(300)
    expect(body.counts.businesses).toBeGreaterThanOrEqual(306)
    expect(body.drift).toMatchObject({ mismatched: 0 })
    expect((await get(users[0]!.auth, '/api/admin/graph')).statusCode).toBe(403)
  })
})
