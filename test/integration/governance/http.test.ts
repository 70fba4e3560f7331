import { afterAll, beforeAll, expect, it } from 'vitest'
import { errorOf, signUp, startTestApp, uniqueEmail, type TestApp } from '../../helpers/app.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { insertAiLog } from '../../helpers/ai-log.ts'

type Version = { id: string; feature: string; status: string; provider: string; model: string }
type Experiment = {
  id: string
  status: string
  winnerVersionId: string | null
  metrics?: Array<
    Record<string, unknown> & {
      versionId: string
      requests: number
      vsControl: { errorRate?: { significant: boolean } } | null
    }
  >
}

describeBackends('governance HTTP', (backend) => {
  let t: TestApp
  let admin: Awaited<ReturnType<typeof signUp>>
  let user: Awaited<ReturnType<typeof signUp>>
  const adminEmail = uniqueEmail('admin')
  beforeAll(async () => {
    t = await startTestApp(backend, { OPTIMALIQ_ADMIN_EMAILS: adminEmail, METRICS_TOKEN: 'metrics-secret-token' })
    admin = await signUp(t.app, { email: adminEmail })
    user = await signUp(t.app)
  })
  afterAll(() => t.close())

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    who: { authorization: string },
    payload?: unknown,
  ) =>
    t.app.inject({
      method,
      url,
      headers: who,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })

  it('refuses every admin route to users (403) and to anonymous callers (401)', async () => {
    const id = crypto.randomUUID()
    const routes: Array<['GET' | 'POST' | 'PATCH', string, unknown?]> = [
      ['GET', '/api/admin/model-versions'],
      ['POST', '/api/admin/model-versions', { feature: 'f', provider: 'openai', model: 'm', promptVersion: 'v1' }],
      ['PATCH', `/api/admin/model-versions/${id}`, { status: 'active' }],
      ['GET', '/api/admin/experiments'],
      ['GET', `/api/admin/experiments/${id}`],
      ['POST', '/api/admin/experiments', { feature: 'f', variants: [] }],
      ['POST', `/api/admin/experiments/${id}/promote`, {}],
      ['POST', `/api/admin/experiments/${id}/rollback`],
      ['GET', '/api/admin/ai-monitoring?window=1h'],
      ['GET', '/api/admin/ai-monitoring/series?window=1h'],
      ['GET', '/api/admin/alerts'],
      ['GET', '/api/admin/alert-rules'],
      ['PATCH', '/api/admin/alert-rules/error_rate', { threshold: 0.1 }],
    ]
    for (const [method, url, payload] of routes) {
      const forbidden = await call(method, url, user.auth, payload)
      expect(forbidden.statusCode, `${method} ${url}`).toBe(403)
      expect(errorOf(forbidden).error.code).toBe('forbidden')
      const anonymous = await t.app.inject({
        method,
        url,
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      })
      expect(anonymous.statusCode, `${method} ${url}`).toBe(401)
    }
  })

  it('manages model versions, runs an experiment with sticky candidates, and promotes and rolls back (audited)', async () => {
    const feature = `insights_${backend}`
    const create = async (model: string, status: string) => {
      const r = await call('POST', '/api/admin/model-versions', admin.auth, {
        feature,
        provider: 'openai',
        model,
        promptVersion: 'v1',
        params: { temperature: 0.2 },
        status,
      })
      expect(r.statusCode, r.body).toBe(201)
      return r.json() as Version
    }
    const control = await create('gpt-4.1-mini', 'active')
    const challenger = await create('gpt-4.1', 'candidate')
    const listed = await call('GET', `/api/admin/model-versions?feature=${feature}`, admin.auth)
    expect((listed.json() as { versions: Version[] }).versions.map((v) => v.id)).toEqual([control.id, challenger.id])

    // Without an experiment the active version is the only candidate.
    const resolver = t.container.governance.versions
    expect((await resolver.resolve(feature, { userId: user.user.id }))!.map((c) => c.versionId)).toEqual([control.id])
    expect(await resolver.resolve('no_such_feature', { userId: user.user.id })).toBeUndefined()

    const bad = await call('POST', '/api/admin/experiments', admin.auth, {
      feature: 'other',
      variants: [
        { versionId: control.id, weight: 1 },
        { versionId: crypto.randomUUID(), weight: 1 },
      ],
    })
    expect(bad.statusCode).toBe(400)
    expect(errorOf(bad).error.details!.map((d) => d.field)).toEqual([
      'body.variants.0.versionId',
      'body.variants.1.versionId',
    ])

    const created = await call('POST', '/api/admin/experiments', admin.auth, {
      feature,
      variants: [
        { versionId: control.id, weight: 50 },
        { versionId: challenger.id, weight: 50 },
      ],
    })
    expect(created.statusCode, created.body).toBe(201)
    const experiment = created.json() as Experiment
    const dup = await call('POST', '/api/admin/experiments', admin.auth, {
      feature,
      variants: [
        { versionId: control.id, weight: 1 },
        { versionId: challenger.id, weight: 1 },
      ],
    })
    expect(dup.statusCode).toBe(400)

    // Sticky: the same user gets the same first candidate every time; the active version stays as fallback.
    const seen = new Set<string>()
    for (let i = 0; i < 40; i++) {
      const userId = crypto.randomUUID()
      const first = (await resolver.resolve(feature, { userId }))!
      const again = (await resolver.resolve(feature, { userId }))!
      expect(again[0]!.versionId).toBe(first[0]!.versionId)
      expect(first.map((c) => c.versionId)).toEqual(
        first[0]!.versionId === control.id ? [control.id] : [challenger.id, control.id],
      )
      seen.add(first[0]!.versionId!)
    }
    expect(seen.size).toBe(2)

    // Per-variant metrics from the ledger: the challenger errs far less.
    const at = new Date()
    const rows = [
      ...Array.from({ length: 60 }, (_, i) => ({
        at,
        feature,
        modelVersion: control.id,
        status: (i < 15 ? 'error' : 'ok') as 'ok' | 'error',
        errorClass: i < 15 ? 'invalid_output' : null,
        latencyMs: 100 + i,
        costUsd: 0.001,
      })),
      ...Array.from({ length: 60 }, (_, i) => ({
        at,
        feature,
        modelVersion: challenger.id,
        status: (i < 1 ? 'error' : 'ok') as 'ok' | 'error',
        latencyMs: 200 + i,
        costUsd: 0.002,
        userId: i === 5 ? user.user.id : null,
        requestId: i === 5 ? `req-${backend}-fb` : undefined,
      })),
    ]
    await insertAiLog(t.container.db, rows)
    const fb = await call('POST', `/api/insights/req-${backend}-fb/feedback`, user.auth, {
      rating: 'up',
      comment: 'useful',
    })
    expect(fb.statusCode, fb.body).toBe(200)
    expect(fb.json()).toMatchObject({ rating: 'up', comment: 'useful' })
    const fb2 = await call('POST', `/api/insights/req-${backend}-fb/feedback`, user.auth, { rating: 'down' })
    expect(fb2.json()).toMatchObject({ rating: 'down' })
    expect((await call('POST', '/api/insights/not-mine/feedback', user.auth, { rating: 'up' })).statusCode).toBe(404)

    const detail = (await call('GET', `/api/admin/experiments/${experiment.id}`, admin.auth)).json() as Experiment
    const [c, ch] = detail.metrics!
    expect(c).toMatchObject({
      versionId: control.id,
      requests: 60,
      errors: 15,
      errorRate: 0.25,
      validationFailures: 15,
      p50LatencyMs: 129.5,
    })
    expect(c!.costUsd).toBeCloseTo(0.06, 8)
    expect(ch).toMatchObject({ versionId: challenger.id, requests: 60, errors: 1, feedbackUp: 0, feedbackDown: 1 })
    expect(ch!.vsControl!.errorRate!.significant).toBe(true)
    const all = (await call('GET', `/api/admin/experiments?feature=${feature}`, admin.auth)).json() as {
      experiments: Experiment[]
    }
    expect(all.experiments).toHaveLength(1)

    // Promote without naming a winner: the lowest error rate wins.
    const promoted = await call('POST', `/api/admin/experiments/${experiment.id}/promote`, admin.auth, {})
    expect(promoted.statusCode, promoted.body).toBe(200)
    expect(promoted.json()).toMatchObject({ status: 'promoted', winnerVersionId: challenger.id })
    expect((await resolver.resolve(feature, { userId: user.user.id }))!.map((c) => c.versionId)).toEqual([
      challenger.id,
    ])
    expect((await call('POST', `/api/admin/experiments/${experiment.id}/promote`, admin.auth, {})).statusCode).toBe(409)

    const rolled = await call('POST', `/api/admin/experiments/${experiment.id}/rollback`, admin.auth)
    expect(rolled.statusCode, rolled.body).toBe(200)
    expect(rolled.json()).toMatchObject({ status: 'rolled_back' })
    expect((await resolver.resolve(feature, { userId: user.user.id }))!.map((c) => c.versionId)).toEqual([control.id])
    const versions = (await call('GET', `/api/admin/model-versions?feature=${feature}`, admin.auth)).json() as {
      versions: Version[]
    }
    expect(Object.fromEntries(versions.versions.map((v) => [v.id, v.status]))).toEqual({
      [control.id]: 'active',
      [challenger.id]: 'candidate',
    })

    const patched = await call('PATCH', `/api/admin/model-versions/${challenger.id}`, admin.auth, { status: 'retired' })
    expect(patched.json()).toMatchObject({ status: 'retired' })
    expect(
      (await call('PATCH', `/api/admin/model-versions/${crypto.randomUUID()}`, admin.auth, { status: 'retired' }))
        .statusCode,
    ).toBe(404)

    const audit = await t.container.db.query<{ action: string }>(
      `select action from admin_audit_log where actor_id = $1 order by id`,
      [admin.user.id],
    )
    expect(audit.map((a) => a.action)).toEqual([
      'model_version.create',
      'model_version.create',
      'experiment.create',
      'experiment.promote',
      'experiment.rollback',
      'model_version.update',
    ])
  })

  it('rolls back a running experiment without touching versions', async () => {
    const feature = `levers_${backend}`
    const a = (
      await call('POST', '/api/admin/model-versions', admin.auth, {
        feature,
        provider: 'anthropic',
        model: 'claude',
        promptVersion: 'v1',
        status: 'active',
      })
    ).json() as Version
    const b = (
      await call('POST', '/api/admin/model-versions', admin.auth, {
        feature,
        provider: 'mistral',
        model: 'large',
        promptVersion: 'v2',
      })
    ).json() as Version
    const e = (
      await call('POST', '/api/admin/experiments', admin.auth, {
        feature,
        variants: [
          { versionId: a.id, weight: 1 },
          { versionId: b.id, weight: 3 },
        ],
      })
    ).json() as Experiment
    const r = await call('POST', `/api/admin/experiments/${e.id}/rollback`, admin.auth)
    expect(r.json()).toMatchObject({ status: 'rolled_back', winnerVersionId: null })
    expect((await call('POST', `/api/admin/experiments/${e.id}/rollback`, admin.auth)).statusCode).toBe(409)
    expect(
      (await call('POST', `/api/admin/experiments/${crypto.randomUUID()}/promote`, admin.auth, {})).statusCode,
    ).toBe(404)
  })

  it('serves tokens and cost over time by provider, model or feature; refuses a bucket that makes too many points, naming it', async () => {
    const ok = await call('GET', '/api/admin/ai-monitoring/series?window=7d&bucket=1h&by=model', admin.auth)
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.json()).toMatchObject({ window: '7d', bucket: '1h', by: 'model', series: expect.any(Array) })
    const byDefault = (await call('GET', '/api/admin/ai-monitoring/series?window=30d', admin.auth)).json()
    expect(byDefault).toMatchObject({ bucket: '1d', by: 'provider' })
    for (const [query, field] of [
      ['window=30d&bucket=5m', 'bucket'],
      ['window=1h&bucket=1d', 'bucket'],
      ['window=2d', 'window'],
      ['by=user', 'by'],
      ['window=24h&extra=1', 'extra'],
    ] as const) {
      const bad = await call('GET', `/api/admin/ai-monitoring/series?${query}`, admin.auth)
      expect(bad.statusCode, query).toBe(400)
      expect(JSON.stringify(errorOf(bad).error), query).toContain(field)
    }
    const many = errorOf(await call('GET', '/api/admin/ai-monitoring/series?window=30d&bucket=5m', admin.auth)).error
    expect(many.message).toMatch(/8640 points; at most 400/)
  })

  it('lists and edits alert rules (audited) and lists alerts', async () => {
    const rules = (await call('GET', '/api/admin/alert-rules', admin.auth)).json() as {
      rules: Array<{ id: string; threshold: number }>
    }
    expect(rules.rules.map((r) => r.id).sort()).toEqual([
      'avg_latency',
      'budget_100',
      'budget_80',
      'daily_cost',
      'error_rate',
      'provider_down',
    ])
    expect(rules.rules.find((r) => r.id === 'error_rate')!.threshold).toBe(0.05)
    const patched = await call('PATCH', '/api/admin/alert-rules/daily_cost', admin.auth, {
      threshold: 75,
      enabled: true,
    })
    expect(patched.json()).toMatchObject({ id: 'daily_cost', threshold: 75 })
    expect((await call('PATCH', '/api/admin/alert-rules/nope', admin.auth, { threshold: 1 })).statusCode).toBe(404)
    await t.container.db.query(`insert into provider_status_history (provider, status) values ('azure', 'down')`)
    await t.container.governance.evaluateAlerts()
    const alerts = (await call('GET', '/api/admin/alerts?status=firing', admin.auth)).json() as {
      alerts: Array<{ ruleId: string; scope: string }>
    }
    expect(alerts.alerts.map((a) => `${a.ruleId} ${a.scope}`)).toContain('provider_down provider:azure')
  })

  it('serves Prometheus metrics behind the token', async () => {
    t.container.governance.metrics.aiRequest({
      feature: 'insights',
      meta: {
        requestId: 'x',
        provider: 'openai',
        model: 'gpt-4.1-mini',
        modelVersion: undefined,
        usage: { inputTokens: 10, outputTokens: 5 },
        costUsd: 0.001,
        latencyMs: 120,
        cached: false,
        fallbackUsed: true,
        attempts: [],
      },
    })
    t.container.governance.metrics.onCollect('queue_depth', () => 7)
    t.container.governance.metrics.breakerState('openai', 'open')
    expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(401)
    expect((await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401)
    const r = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-secret-token' } })
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toContain('text/plain')
    expect(r.body).toContain(
      'optimaliq_ai_requests_total{provider="openai",model="gpt-4.1-mini",feature="insights",outcome="ok"} 1',
    )
    expect(r.body).toContain('optimaliq_ai_tokens_total{provider="openai",model="gpt-4.1-mini",direction="input"} 10')
    expect(r.body).toContain('optimaliq_queue_depth 7')
    expect(r.body).toContain('optimaliq_provider_breaker_state{provider="openai"} 2')
    expect(r.body).toMatch(
      /optimaliq_http_request_duration_seconds_count\{method="GET",route="\/api\/admin\/alerts",status="200"\} \d+/,
    )
  })

  it('reports my AI usage standing', async () => {
    const r = await call('GET', '/api/me/ai-usage', user.auth)
    expect(r.statusCode, r.body).toBe(200)
    const body = r.json() as { limits: Array<{ limit: string; max: number }>; budgets: Array<{ budget: string }> }
    expect(body.limits.find((l) => l.limit === 'user.requests_per_minute')).toMatchObject({ max: 10 })
    expect(body.budgets.map((b) => b.budget)).toEqual(['user.free.daily', 'user.free.monthly'])
  })

  it('exports my rows and no one else’s, then deletes them all (audited)', async () => {
    const me = await signUp(t.app)
    const other = await signUp(t.app)
    const at = new Date()
    await insertAiLog(t.container.db, [
      { at, userId: me.user.id, requestId: `mine-${backend}`, request: { prompt: 'mine' } },
      { at, userId: other.user.id, requestId: `theirs-${backend}` },
    ])
    await call('POST', `/api/insights/mine-${backend}/feedback`, me.auth, { rating: 'up' })
    await t.container.db.query(
      `insert into events (type, user_id, payload) values ('profile.updated', $1, '{"fields":[]}'), ('profile.updated', $2, '{"fields":[]}')`,
      [me.user.id, other.user.id],
    )

    const r = await call('GET', '/api/me/export', me.auth)
    expect(r.statusCode, r.body).toBe(200)
    const body = r.json() as { userId: string; tables: Record<string, Array<Record<string, unknown>>> }
    expect(body.userId).toBe(me.user.id)
    expect(body.tables.users).toHaveLength(1)
    expect(body.tables.users![0]).not.toHaveProperty('password_hash')
    expect(body.tables.ai_log!.map((x) => x.request_id)).toEqual([`mine-${backend}`])
    expect(body.tables.ai_feedback).toHaveLength(1)
    // The per-user monitoring rollup is theirs too (one day, one request).
    expect(body.tables.ai_log_user_daily).toMatchObject([{ user_id: me.user.id, requests: 1 }])
    expect(body.tables.events).toHaveLength(1)
    expect(body.tables.profiles).toHaveLength(1)
    const text = JSON.stringify(body)
    expect(text).not.toContain(other.user.id)
    expect(text).not.toContain(`theirs-${backend}`)

    const d = await call('DELETE', '/api/me', me.auth)
    expect(d.statusCode, d.body).toBe(200)
    expect((d.json() as { deleted: Record<string, number> }).deleted).toMatchObject({
      users: 1,
      ai_log: 1,
      ai_feedback: 1,
      events: 1,
      profiles: 1,
    })
    for (const table of ['ai_log', 'ai_feedback', 'events', 'profiles', 'ai_log_user_daily']) {
      expect(
        (await t.container.db.query(`select 1 from ${table} where user_id = $1`, [me.user.id])).length,
        table,
      ).toBe(0)
    }
    for (const table of ['ai_log', 'events', 'profiles', 'ai_log_user_daily']) {
      expect(
        (await t.container.db.query(`select 1 from ${table} where user_id = $1`, [other.user.id])).length,
        table,
      ).toBeGreaterThan(0)
    }
    expect((await t.container.db.query(`select 1 from users where id = $1`, [me.user.id])).length).toBe(0)
    const audit = await t.container.db.query<{ action: string }>(
      `select action from admin_audit_log where target = $1`,
      [me.user.id],
    )
    expect(audit.map((a) => a.action)).toEqual(['user.delete_self'])
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: me.user.email, password: 'correct horse battery' },
    })
    expect(login.statusCode).toBe(401)
  })
})
