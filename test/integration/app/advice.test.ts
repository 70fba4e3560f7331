import { afterAll, beforeAll, expect, it } from 'vitest'
import { insertAiLog } from '../../helpers/ai-log.ts'
import { errorOf, signUp, startTestApp, uniqueEmail, type TestApp } from '../../helpers/app.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { growthAnswers } from '../../helpers/growth.ts'

const FIXTURES = new URL('../../fixtures/assessments/', import.meta.url).pathname
const GROWTH = growthAnswers()
const GROWTH_BETTER = { ...GROWTH, strategy: 'documented_with_kpis', technology: 'optimized', customers: 'data_driven' }
const SALES = {
  crm_usage: 'basic_crm',
  practices: ['playbook', 'forecasting'],
  priority_rank: ['referrals', 'retention', 'discounting'],
  biggest_blocker: 'Leads go cold after the first call.',
}
const SALES_BETTER = { ...SALES, crm_usage: 'crm_automated', practices: ['playbook', 'forecasting', 'weekly_review'] }

// Response bodies are read loosely here; the routes validate them against their contracts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>

/** Issue 15 end to end on the rules engine: consistent advice, breakdowns, forecasts, levers, feedback, funnel. */
describeBackends('advice that is right and explained', (backend) => {
  let t: TestApp
  let admin: Awaited<ReturnType<typeof signUp>>
  const adminEmail = uniqueEmail('admin')
  beforeAll(async () => {
    t = await startTestApp(backend, {
      ASSESSMENT_CONFIG_DIR: FIXTURES,
      AI_ENABLED: 'false',
      ASSESSMENT_RETAKE_DAYS: '0',
      OPTIMALIQ_ADMIN_EMAILS: adminEmail,
    })
    admin = await signUp(t.app, { email: adminEmail })
  })
  afterAll(() => t?.close())

  const call = (auth: Json, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: auth as Record<string, string>,
      ...(payload === undefined ? {} : { payload: payload as Json }),
    })

  it('a new user is never told about strengths or weaknesses, and is sent to pages that exist', async () => {
    const u = await signUp(t.app)
    const dashboard = (await call(u.auth, 'GET', '/api/dashboard')).json() as Json
    expect(dashboard.provider).toBe('rules')
    expect(dashboard.strengths).toEqual([])
    expect(dashboard.weaknesses).toEqual([])
    expect(JSON.stringify(dashboard)).not.toMatch(/strongest|weakest/)
    const recs = (await call(u.auth, 'GET', '/api/recommendations')).json() as Json
    expect(recs.nextAssessments[0]).toMatchObject({
      type: 'growth',
      path: '/onboarding',
      title: 'the growth assessment',
    })
    for (const next of recs.nextAssessments.slice(1)) expect(next.path).toBe(`/assessments/${next.type}`)

    // After the growth assessment: strengths and weaknesses disjoint, recommendations not repeating the roadmap.
    expect((await call(u.auth, 'POST', '/api/growth-assessment', GROWTH)).statusCode).toBe(201)
    const after = (await call(u.auth, 'GET', '/api/dashboard')).json() as Json
    const names = (list: Array<{ title: string }>) => list.map((p) => p.title.replace(/ \(.*$/, ''))
    expect(names(after.strengths).filter((n) => names(after.weaknesses).includes(n))).toEqual([])
    expect(after.strengths.length + after.weaknesses.length).toBeGreaterThan(0)
    const recsAfter = (await call(u.auth, 'GET', '/api/recommendations')).json() as Json
    for (const action of recsAfter.actions)
      for (const item of after.roadmap) expect(item.task.startsWith(`${action.title} (`)).toBe(false)
  })

  it('explains a submission: groups, answers, formula, the one before; one bracket label everywhere; 404 for another user', async () => {
    const u = await signUp(t.app)
    const first = (await call(u.auth, 'POST', '/api/assessments/sales', { answers: SALES })).json() as Json
    const second = await call(u.auth, 'POST', '/api/assessments/sales', { answers: SALES_BETTER })
    expect(second.statusCode, second.body).toBe(201)
    const result = second.json() as Json
    const history = (await call(u.auth, 'GET', '/api/assessments/sales/history')).json() as Json
    const inHistory = history.submissions.find((s: Json) => s.id === result.id)
    expect(result.bracketLabel).toMatch(/^Level [1-5](\.5)?$/)
    expect(inHistory.bracketLabel).toBe(result.bracketLabel)

    const res = await call(u.auth, 'GET', `/api/assessments/sales/submissions/${result.id}`)
    expect(res.statusCode, res.body).toBe(200)
    const b = res.json() as Json
    expect(b).toMatchObject({
      type: 'sales',
      id: result.id,
      score: result.score,
      bracketLabel: result.bracketLabel,
      totals: { recomputed: result.score },
    })
    expect(b.groups.map((g: Json) => g.key)).toEqual(['pipeline', 'priorities'])
    const crm = b.groups[0].answers.find((a: Json) => a.key === 'crm_usage')
    expect(crm).toMatchObject({ answer: 'crm_automated', contribution: expect.any(Number), weight: expect.any(Number) })
    expect(b.groups[1].answers.find((a: Json) => a.key === 'biggest_blocker')).toMatchObject({ contribution: null })
    expect(b.formula).toContain(`= ${result.score.toFixed(2)}`)
    expect(b.previous).toMatchObject({
      id: first.id,
      score: first.score,
      change: Math.round((result.score - first.score) * 100) / 100,
    })
    expect(
      ((await call(u.auth, 'GET', `/api/assessments/sales/submissions/${first.id}`)).json() as Json).previous,
    ).toBeNull()

    const other = await signUp(t.app)
    const foreign = await call(other.auth, 'GET', `/api/assessments/sales/submissions/${result.id}`)
    expect(foreign.statusCode).toBe(404)
    expect((await call(u.auth, 'GET', `/api/assessments/bpm/submissions/${result.id}`)).statusCode).toBe(404)
    expect((await call(u.auth, 'GET', `/api/assessments/nope/submissions/${result.id}`)).statusCode).toBe(404)
    expect((await call(u.auth, 'GET', '/api/assessments/sales/submissions/not-a-uuid')).statusCode).toBe(400)
  })

  it('a forecast says what is missing, then forecasts from enough history', async () => {
    const u = await signUp(t.app)
    for (const answers of [SALES, SALES_BETTER])
      expect((await call(u.auth, 'POST', '/api/assessments/sales', { answers })).statusCode).toBe(201)
    const early = (await call(u.auth, 'GET', '/api/insights/forecast')).json() as Json
    expect(early.overall).toMatchObject({ status: 'insufficient_data', submissions: 1, spanDays: 0 })
    expect(early.overall.message).toMatch(/^A forecast needs 3 assessments on different days spanning at least 30 days/)
    expect(early.narrative.outlook).toBe('insufficient_data')
    // The overall score's history is there before a forecast can be made: one point per submission.
    expect(early.history).toHaveLength(2)
    expect(early.history.at(-1).score).toBeCloseTo(early.overall.last.score, 6)
    // Spread the history over 90 days (as if taken then).
    await t.container.db.query(
      `update assessment_submissions s set created_at = now() - make_interval(days => 90 - 45 * n.rn::int)
         from (select id, row_number() over (order by created_at) - 1 as rn from assessment_submissions where user_id = $1) n where s.id = n.id`,
      [u.user.id],
    )
    await t.container.db.query(
      `insert into assessment_submissions (user_id, type, bracket_served, answers, score, bracket_key, created_at) values ($1, 'sales', 'score_1', '{}', 3.9, 'score_3_5', now())`,
      [u.user.id],
    )
    const res = await call(u.auth, 'GET', '/api/insights/forecast')
    expect(res.statusCode, res.body).toBe(200)
    const f = res.json() as Json
    expect(f.areas.sales).toMatchObject({
      status: 'ok',
      method: 'damped_holt',
      submissions: 3,
      spanDays: 90,
      intervalLevel: 0.95,
    })
    for (const p of f.areas.sales.forecast)
      expect(p.lower <= p.value && p.value <= p.upper && p.lower >= 1 && p.upper <= 5).toBe(true)
    expect(f.history).toHaveLength(3)
    const times = f.history.map((p: Json) => Date.parse(p.at))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(f.history.at(-1).score).toBeCloseTo(f.overall.last.score, 6)
  })

  it('lever progress survives regeneration; levers that drop out are archived with their progress', async () => {
    const u = await signUp(t.app)
    expect((await call(u.auth, 'POST', '/api/growth-assessment', GROWTH)).statusCode).toBe(201)
    const first = (await call(u.auth, 'POST', '/api/growth_studio/levers', {})).json() as Json
    for (const lever of first.levers)
      expect(
        (await call(u.auth, 'PATCH', `/api/growth_studio/levers/${lever.id}/progress`, { progress: 40 })).statusCode,
      ).toBe(200)
    expect((await call(u.auth, 'POST', '/api/growth-assessment', GROWTH_BETTER)).statusCode).toBe(201)
    const second = (await call(u.auth, 'POST', '/api/growth_studio/levers', {})).json() as Json
    expect(second.cached).toBe(false)
    const oldKeys = new Set(first.levers.map((l: Json) => l.key))
    for (const lever of second.levers) expect(lever.progress).toBe(oldKeys.has(lever.key) ? 40 : 0)
    const newKeys = new Set(second.levers.map((l: Json) => l.key))
    expect(second.archived.map((l: Json) => l.key).sort()).toEqual(
      first.levers
        .filter((l: Json) => !newKeys.has(l.key))
        .map((l: Json) => l.key)
        .sort(),
    )
    for (const a of second.archived) expect(a.progress).toBe(40)
    expect(second.levers.some((l: Json) => oldKeys.has(l.key)) || second.archived.length === 5).toBe(true)
  })

  it('levers carry the request id of the answer that made them: each lever is rated by it, the stored set keeps it', async () => {
    const u = await signUp(t.app)
    expect((await call(u.auth, 'POST', '/api/growth-assessment', GROWTH)).statusCode).toBe(201)
    const made = (await call(u.auth, 'POST', '/api/growth_studio/levers', {})).json() as Json
    expect(made.requestId).toEqual(expect.any(String))
    const stored = (await call(u.auth, 'POST', '/api/growth_studio/levers', {})).json() as Json
    expect(stored.cached).toBe(true)
    expect(stored.requestId).toBe(made.requestId)
    const rows = await t.container.db.query<{ request_id: string }>(
      `select distinct request_id from growth_levers where user_id = $1`,
      [u.user.id],
    )
    expect(rows).toEqual([{ request_id: made.requestId }])
    // AI is off here (the rules engine answers, no ledger): the answer's ai_log row as the gateway writes it.
    await insertAiLog(t.container.db, [
      {
        requestId: made.requestId,
        at: new Date(),
        userId: u.user.id,
        feature: 'growth_levers',
        provider: 'rules',
        model: 'rules',
      },
    ])
    const lever = made.levers[2]
    const rated = await call(u.auth, 'POST', `/api/ai/answers/${made.requestId}/feedback`, {
      rating: 'up',
      item: `levers.${lever.id}`,
    })
    expect(rated.statusCode, rated.body).toBe(200)
    expect(rated.json()).toMatchObject({ item: `levers.${lever.id}`, rating: 'up', feature: 'growth_levers' })
    const other = await signUp(t.app)
    expect(
      (
        await call(other.auth, 'POST', `/api/ai/answers/${made.requestId}/feedback`, {
          rating: 'down',
          item: `levers.${lever.id}`,
        })
      ).statusCode,
    ).toBe(404)
  })

  it('the simulation warns about costs above revenue and refuses a missing revenue', async () => {
    const u = await signUp(t.app)
    const base = {
      strategyChange: 1,
      processChange: 0,
      technologyChange: 0,
      revenue: 1_000_000,
      costs: 1_200_000,
      efficiency: 50,
    }
    const res = await call(u.auth, 'POST', '/api/growth_studio/simulation', base)
    expect(res.statusCode, res.body).toBe(201)
    expect((res.json() as Json).warnings).toEqual([
      expect.objectContaining({ code: 'costs_exceed_revenue', field: 'costs' }),
    ])
    const { revenue: _revenue, ...missing } = base
    const bad = await call(u.auth, 'POST', '/api/growth_studio/simulation', missing)
    expect(bad.statusCode).toBe(400)
    expect(JSON.stringify(errorOf(bad).error.details)).toContain('revenue')
  })

  it('feedback on any AI answer of mine, satisfaction per feature and model for admins', async () => {
    const u = await signUp(t.app)
    const other = await signUp(t.app)
    const now = new Date()
    const [dash, lever] = await insertAiLog(t.container.db, [
      {
        at: now,
        userId: u.user.id,
        feature: 'dashboard_insights',
        provider: 'openai',
        model: 'gpt-4.1-mini',
        modelVersion: 'v1',
      },
      {
        at: now,
        userId: u.user.id,
        feature: 'growth_levers',
        provider: 'anthropic',
        model: 'claude-sonnet-4',
        modelVersion: null,
      },
    ])
    const up = await call(u.auth, 'POST', `/api/ai/answers/${dash}/feedback`, { rating: 'up', comment: 'clear' })
    expect(up.statusCode, up.body).toBe(200)
    expect(up.json()).toMatchObject({ requestId: dash, feature: 'dashboard_insights', rating: 'up', comment: 'clear' })
    expect((await call(u.auth, 'POST', `/api/ai/answers/${lever}/feedback`, { rating: 'down' })).statusCode).toBe(200)
    expect((await call(other.auth, 'POST', `/api/ai/answers/${dash}/feedback`, { rating: 'down' })).statusCode).toBe(
      404,
    )
    expect((await call(u.auth, 'POST', `/api/ai/answers/${dash}/feedback`, { rating: 'meh' })).statusCode).toBe(400)

    expect((await call(u.auth, 'GET', '/api/admin/satisfaction')).statusCode).toBe(403)
    const sat = (await call(admin.auth, 'GET', '/api/admin/satisfaction?days=7')).json() as Json
    const byFeature = Object.fromEntries(sat.features.map((f: Json) => [f.feature, f]))
    expect(byFeature.dashboard_insights).toMatchObject({
      up: 1,
      down: 0,
      satisfaction: 1,
      byModel: [
        { provider: 'openai', model: 'gpt-4.1-mini', modelVersion: 'v1', up: 1, down: 0, comments: 1, satisfaction: 1 },
      ],
    })
    // Other tests here rate levers too (the admin view is install-wide): this answer's model row is
    // exact, and the feature's totals are the sum of its models'.
    const levers = byFeature.growth_levers as { up: number; down: number; byModel: Array<{ up: number; down: number }> }
    expect(levers.byModel).toContainEqual({
      provider: 'anthropic',
      model: 'claude-sonnet-4',
      modelVersion: null,
      up: 0,
      down: 1,
      comments: 0,
      satisfaction: 0,
    })
    expect(levers.up).toBe(levers.byModel.reduce((n, m) => n + m.up, 0))
    expect(levers.down).toBe(levers.byModel.reduce((n, m) => n + m.down, 0))
  })

  it('feedback per item of an answer: each item keeps its own rating; a bad item reference is a 400 naming the field', async () => {
    const u = await signUp(t.app)
    const [dash] = await insertAiLog(t.container.db, [
      {
        at: new Date(),
        userId: u.user.id,
        feature: 'dashboard_insights',
        provider: 'openai',
        model: 'gpt-4.1-mini',
        modelVersion: null,
      },
    ])
    const rate = (body: Json) => call(u.auth, 'POST', `/api/ai/answers/${dash}/feedback`, body)
    const first = await rate({ rating: 'up', item: 'roadmap.0' })
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json()).toMatchObject({ requestId: dash, item: 'roadmap.0', rating: 'up' })
    expect((await rate({ rating: 'down', item: 'roadmap.1', comment: 'too vague' })).json()).toMatchObject({
      item: 'roadmap.1',
      rating: 'down',
      comment: 'too vague',
    })
    // Rating an item again replaces its rating only; the whole answer is rated apart (item null).
    expect((await rate({ rating: 'down', item: 'roadmap.0' })).json()).toMatchObject({
      item: 'roadmap.0',
      rating: 'down',
    })
    expect((await rate({ rating: 'up' })).json()).toMatchObject({ item: null, rating: 'up' })
    const stored = await t.container.db.query<{ item: string; rating: string }>(
      `select item, rating from ai_feedback where request_id = $1 order by item`,
      [dash],
    )
    expect(stored).toEqual([
      { item: '', rating: 'up' },
      { item: 'roadmap.0', rating: 'down' },
      { item: 'roadmap.1', rating: 'down' },
    ])
    for (const item of ['', 'Roadmap.1', 'roadmap.', 'roadmap.1.2', 'a'.repeat(41), 'roadmap 1']) {
      const bad = await rate({ rating: 'up', item })
      expect(bad.statusCode, item).toBe(400)
      expect(JSON.stringify(bad.json()), item).toContain('item')
    }
  })

  it('the assessment funnel: started when the questions are served, completed by the submission, abandoned after a day', async () => {
    const done = await signUp(t.app)
    const browsing = await signUp(t.app)
    const gone = await signUp(t.app)
    const before = (await call(admin.auth, 'GET', '/api/admin/funnel')).json() as Json
    const bpmBefore = before.assessments.find((a: Json) => a.type === 'bpm') ?? {
      started: 0,
      completed: 0,
      abandoned: 0,
      inProgress: 0,
    }

    expect((await call(done.auth, 'GET', '/api/assessments/bpm')).statusCode).toBe(200)
    expect((await call(done.auth, 'GET', '/api/assessments/bpm')).statusCode).toBe(200) // one attempt, not two
    await t.container.db.query(
      `update assessment_attempts set started_at = now() - interval '10 minutes' where user_id = $1`,
      [done.user.id],
    )
    const questions = (await call(done.auth, 'GET', '/api/assessments/bpm')).json() as Json
    const answers = Object.fromEntries(
      questions.groups
        .flatMap((g: Json) => g.questions)
        .filter((q: Json) => q.required)
        .map((q: Json) => [
          q.key,
          q.type === 'text_area'
            ? 'We map processes on paper today.'
            : q.type === 'select'
              ? q.options[0].value
              : q.type === 'rank'
                ? q.options.map((o: Json) => o.value)
                : [q.options[0].value],
        ]),
    )
    const submitted = await call(done.auth, 'POST', '/api/assessments/bpm', { answers })
    expect(submitted.statusCode, submitted.body).toBe(201)
    expect((await call(browsing.auth, 'GET', '/api/assessments/bpm')).statusCode).toBe(200)
    expect((await call(gone.auth, 'GET', '/api/assessments/bpm')).statusCode).toBe(200)
    await t.container.db.query(
      `update assessment_attempts set started_at = now() - interval '2 days' where user_id = $1`,
      [gone.user.id],
    )

    expect((await call(done.auth, 'GET', '/api/admin/funnel')).statusCode).toBe(403)
    const res = await call(admin.auth, 'GET', '/api/admin/funnel?days=30')
    expect(res.statusCode, res.body).toBe(200)
    const funnel = res.json() as Json
    const bpm = funnel.assessments.find((a: Json) => a.type === 'bpm')
    expect(bpm).toMatchObject({
      started: bpmBefore.started + 3,
      completed: bpmBefore.completed + 1,
      abandoned: bpmBefore.abandoned + 1,
      inProgress: bpmBefore.inProgress + 1,
    })
    expect(bpm.medianSecondsToComplete).toBeGreaterThanOrEqual(590)
    expect(bpm.completionRate).toBeCloseTo(bpm.completed / bpm.started, 3)
    expect(funnel.abandonAfterHours).toBe(24)
  })
})
