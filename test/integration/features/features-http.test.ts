import { afterAll, beforeAll, expect, it } from 'vitest'
import { analyzeSubmission } from '../../../src/app/assessments/analyze-submission.ts'
import { analyzeCompletedAssessments } from '../../../src/app/assessments/analysis-task.ts'
import { featureDeps } from '../../../src/http/routes/ai-features.ts'
import { computeMlScore } from '../../../src/domain/growth/ml-score.ts'
import { errorOf, signUp, startTestApp, type TestApp } from '../../helpers/app.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { eventually } from '../../helpers/sse.ts'
import { growthAnswers } from '../../helpers/growth.ts'

const FIXTURES = new URL('../../fixtures/assessments/', import.meta.url).pathname
const GROWTH = growthAnswers({ obstaclesDetail: 'Our leads dry up every winter and we do not know why.' })
const GROWTH_BETTER = { ...GROWTH, strategy: 'documented_with_kpis', technology: 'optimized', customers: 'data_driven' }
const SALES = {
  crm_usage: 'basic_crm',
  practices: ['playbook', 'forecasting'],
  priority_rank: ['referrals', 'retention', 'discounting'],
  biggest_blocker: 'Leads go cold after the first call.',
}

type Json = Record<string, unknown>

/** The rules path end to end: no provider configured and AI disabled, every feature still answers. */
describeBackends('AI features on the rules engine', (backend) => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp(backend, { ASSESSMENT_CONFIG_DIR: FIXTURES, AI_ENABLED: 'false' })
    // As `serve` and `worker` do: queue the analysis of every completed assessment.
    analyzeCompletedAssessments(t.container.events, t.container.tasks, t.container.logger)
    await t.container.queue.startWorkers()
  })
  afterAll(() => t?.close())

  const call = (auth: Json, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: auth as Record<string, string>,
      ...(payload === undefined ? {} : { payload: payload as Json }),
    })
  const eventsOf = async (userId: string, type: string) =>
    t.container.db.query<{ payload: Json }>('select payload from events where user_id = $1 and type = $2 order by id', [
      userId,
      type,
    ])

  it('gives a new user insights, a dashboard, five levers, a simulation with commentary, a forecast and recommendations', async () => {
    const u = await signUp(t.app, { industry: 'Retail' })

    const early = await call(u.auth, 'POST', '/api/growthAssessment/getInsights', {})
    expect(early.statusCode).toBe(409)
    expect(errorOf(early).error.code).toBe('growth_assessment_required')

    expect((await call(u.auth, 'POST', '/api/growth-assessment', GROWTH)).statusCode).toBe(201)
    const insights = await call(u.auth, 'POST', '/api/growthAssessment/getInsights', {})
    expect(insights.statusCode).toBe(200)
    const ins = insights.json() as {
      growthAssessmentId: string
      scores: Record<string, number>
      baseScore: number
      insights: Record<string, unknown>
      provider: string
    }
    expect(ins.provider).toBe('rules')
    expect(ins.insights.summary).toContain('leads dry up every winter')
    const [stored] = await t.container.db.query<{ insights: Json; provider: string; base_score: string }>(
      'select insights, provider, base_score from growth_assessments where id = $1',
      [ins.growthAssessmentId],
    )
    expect(stored!.provider).toBe('rules')
    expect(stored!.insights).toMatchObject({ summary: ins.insights.summary })
    expect(Number(stored!.base_score)).toBe(ins.baseScore)
    expect((await eventsOf(u.user.id, 'ai.processed')).map((e) => e.payload.feature)).toContain('growth_insights')

    const sales = await call(u.auth, 'POST', '/api/assessments/sales', { answers: SALES })
    expect(sales.statusCode).toBe(201)
    const submissionId = (sales.json() as { id: string }).id

    // The submission queues its analysis; the in-process worker runs it through the feature.
    const task = await eventually(
      async () =>
        (
          await t.container.db.query<{ id: string; input: Json; status: string; result: Json }>(
            "select id, input, status, result from ai_tasks where user_id = $1 and type = 'assessment_analysis'",
            [u.user.id],
          )
        ).find((row) => row.status === 'completed'),
      20_000,
      'analysis task',
    )
    expect(task.input).toEqual({ submissionId })
    expect(task.result).toMatchObject({
      submissionId,
      assessmentType: 'sales',
      provider: 'rules',
      summary: expect.stringContaining('Sales'),
    })
    // Running it again (a retried job) replaces the same row.
    const analysis = await analyzeSubmission(featureDeps(t.container), submissionId, { userId: u.user.id })
    expect(analysis.provider).toBe('rules')
    expect(analysis.insights.join(' ')).toContain('Leads go cold')
    const [analysisRow] = await t.container.db.query<{ provider: string }>(
      'select provider from assessment_analyses where submission_id = $1',
      [submissionId],
    )
    expect(analysisRow!.provider).toBe('rules')
    // Each run stored its `ai.processed` with the analysis: the task's names the task.
    const processed = (await eventsOf(u.user.id, 'ai.processed'))
      .map((e) => e.payload)
      .filter((p) => p.feature === 'assessment_analysis')
    expect(processed).toEqual([
      { feature: 'assessment_analysis', requestId: expect.any(String), provider: 'rules', taskId: task.id },
      { feature: 'assessment_analysis', requestId: analysis.requestId, provider: 'rules' },
    ])

    const dash = await call(u.auth, 'GET', '/api/dashboard')
    expect(dash.statusCode).toBe(200)
    const d = dash.json() as {
      cached: boolean
      provider: string
      strengths: unknown[]
      weaknesses: Array<{ title: string }>
      roadmap: unknown[]
      benchmarks: Array<{ area: string; source: string; median: number | null }>
      scores: { areas: Json }
      generatedAt: string
    }
    expect(d).toMatchObject({ cached: false, provider: 'rules' })
    // Only assessed areas, never in both lists (the rules engine's invariants; see src/domain/advice).
    expect(d.strengths.length + d.weaknesses.length).toBeGreaterThan(0)
    const named = (list: Array<{ title: string }>) => list.map((p) => p.title.replace(/ \(.*$/, ''))
    expect(named(d.strengths as Array<{ title: string }>).filter((n) => named(d.weaknesses).includes(n))).toEqual([])
    expect(d.roadmap).toHaveLength(4)
    expect(Object.keys(d.scores.areas).sort()).toEqual(['process', 'sales', 'strategy', 'technology'])
    // A new install has no peers: every benchmark says so instead of showing a figure.
    expect(d.benchmarks.every((b) => b.source === 'insufficient_peers' && b.median === null)).toBe(true)
    const again = (await call(u.auth, 'GET', '/api/dashboard')).json() as typeof d
    expect(again).toMatchObject({ cached: true, generatedAt: d.generatedAt })
    expect(await eventsOf(u.user.id, 'dashboard.updated')).toHaveLength(1)

    // Refresh through the queue: a new generation and a second dashboard.updated.
    const refresh = await call(u.auth, 'POST', '/api/dashboard/refresh')
    expect(refresh.statusCode).toBe(202)
    const { taskId } = refresh.json() as { taskId: string }
    await eventually(
      async () =>
        ((await call(u.auth, 'GET', `/api/ai/tasks/${taskId}`)).json() as { status: string }).status === 'completed',
      20_000,
      'dashboard refresh',
    )
    expect(await eventsOf(u.user.id, 'dashboard.updated')).toHaveLength(2)
    const afterRefresh = (await call(u.auth, 'GET', '/api/dashboard')).json() as typeof d
    expect(afterRefresh.cached).toBe(true)
    expect(afterRefresh.generatedAt > d.generatedAt).toBe(true)

    const levers = await call(u.auth, 'POST', '/api/growth_studio/levers', {})
    expect(levers.statusCode).toBe(200)
    const l = levers.json() as {
      levers: Array<{ id: string; targetArea: string }>
      cached: boolean
      provider: string
      expiresAt: string
    }
    expect(l.levers).toHaveLength(5)
    expect(l).toMatchObject({ cached: false, provider: 'rules' })
    expect(new Date(l.expiresAt).getTime() - Date.now()).toBeGreaterThan(30 * 86_400_000)

    const sim = await call(u.auth, 'POST', '/api/growth_studio/simulation', {
      strategyChange: 1,
      processChange: 0.5,
      technologyChange: 0,
      revenue: 1_000_000,
      costs: 700_000,
      efficiency: 60,
    })
    expect(sim.statusCode).toBe(201)
    const s = sim.json() as { id: string; result: { revenueImpact: number; projected: { efficiency: number } } }
    expect(s.result.revenueImpact).toBeGreaterThan(0)
    const commentary = await call(u.auth, 'POST', '/api/growth_studio/commentary', { simulationId: s.id })
    expect(commentary.statusCode).toBe(200)
    const c = commentary.json() as { commentary: string; provider: string }
    expect(c.provider).toBe('rules')
    expect(c.commentary).toMatch(/^Raising strategy by 1 point/)
    const [simRow] = await t.container.db.query<{ commentary: string }>(
      'select commentary from simulations where id = $1',
      [s.id],
    )
    expect(simRow!.commentary).toBe(c.commentary)

    const forecast = await call(u.auth, 'GET', '/api/insights/forecast')
    expect(forecast.statusCode).toBe(200)
    const f = forecast.json() as {
      overall: { status: string; submissions: number; message: string }
      areas: Json
      narrative: { outlook: string }
      provider: string
    }
    expect(f.provider).toBe('rules')
    // Everything was taken today: too little history, and the answer says what is missing.
    expect(f.overall).toMatchObject({ status: 'insufficient_data', submissions: 1 })
    expect(f.overall.message).toMatch(/spanning at least 30 days/)
    expect(f.narrative.outlook).toBe('insufficient_data')
    expect(Object.keys(f.areas).sort()).toEqual(['process', 'sales', 'strategy', 'technology'])

    const recs = await call(u.auth, 'GET', '/api/recommendations')
    expect(recs.statusCode).toBe(200)
    const r = recs.json() as {
      nextAssessments: Array<{ type: string }>
      actions: unknown[]
      provider: string
      gaps: Array<{ area: string; status: string }>
    }
    expect(r.provider).toBe('rules')
    expect(r.nextAssessments.length).toBeGreaterThan(0)
    expect(r.nextAssessments.map((n) => n.type)).not.toContain('growth')
    expect(r.actions.length).toBeGreaterThanOrEqual(3)
    expect(r.gaps.find((g) => g.area === 'bpm')).toMatchObject({ status: 'missing' })
  })

  it('keeps levers for unchanged scores, tracks progress, and renews levers and the dashboard when scores change', async () => {
    const u = await signUp(t.app)
    expect((await call(u.auth, 'POST', '/api/growth-assessment', GROWTH)).statusCode).toBe(201)
    const first = (await call(u.auth, 'POST', '/api/growth_studio/levers', {})).json() as {
      levers: Array<{ id: string }>
      cached: boolean
      scoresHash: string
    }
    const secondResponse = await call(u.auth, 'POST', '/api/growth_studio/levers')
    expect(secondResponse.statusCode, secondResponse.body).toBe(200)
    const second = secondResponse.json() as typeof first
    expect(second.cached).toBe(true)
    expect(second.levers.map((l) => l.id)).toEqual(first.levers.map((l) => l.id))

    const progress = await call(u.auth, 'PATCH', `/api/growth_studio/levers/${first.levers[0]!.id}/progress`, {
      progress: 40,
    })
    expect(progress.statusCode).toBe(200)
    expect(progress.json()).toMatchObject({ id: first.levers[0]!.id, progress: 40 })
    expect(
      (await call(u.auth, 'PATCH', `/api/growth_studio/levers/${first.levers[0]!.id}/progress`, { progress: 140 }))
        .statusCode,
    ).toBe(400)
    const other = await signUp(t.app)
    expect(
      (await call(other.auth, 'PATCH', `/api/growth_studio/levers/${first.levers[0]!.id}/progress`, { progress: 90 }))
        .statusCode,
    ).toBe(404)

    const dash1 = (await call(u.auth, 'GET', '/api/dashboard')).json() as { scoresHash: string; cached: boolean }
    expect(dash1.cached).toBe(false)
    // Served from the table, then from the in-process copy.
    expect(((await call(u.auth, 'GET', '/api/dashboard')).json() as typeof dash1).cached).toBe(true)
    expect(((await call(u.auth, 'GET', '/api/dashboard')).json() as typeof dash1).cached).toBe(true)
    // A new assessment changes the scores: levers and dashboard are regenerated.
    expect((await call(u.auth, 'POST', '/api/growth-assessment', GROWTH_BETTER)).statusCode).toBe(201)
    const third = (await call(u.auth, 'POST', '/api/growth_studio/levers', {})).json() as typeof first
    expect(third.cached).toBe(false)
    expect(third.scoresHash).not.toBe(first.scoresHash)
    expect(third.levers.map((l) => l.id)).not.toEqual(first.levers.map((l) => l.id))
    const dash2 = (await call(u.auth, 'GET', '/api/dashboard')).json() as typeof dash1
    expect(dash2.cached).toBe(false)
    expect(dash2.scoresHash).not.toBe(dash1.scoresHash)

    const refreshed = (
      await call(u.auth, 'POST', '/api/growth_studio/levers', { refresh: true })
    ).json() as typeof first
    expect(refreshed.cached).toBe(false)
  })

  it('validates simulations, runs commentary from inline inputs and keeps the history', async () => {
    const u = await signUp(t.app)
    const bad = await call(u.auth, 'POST', '/api/growth_studio/simulation', {
      strategyChange: 3,
      processChange: 0,
      technologyChange: 0,
      revenue: -1,
      costs: 0,
      efficiency: 101,
    })
    expect(bad.statusCode).toBe(400)
    const fields = (errorOf(bad).error.details ?? []).map((d) => d.field).sort()
    expect(fields).toEqual(['body.efficiency', 'body.revenue', 'body.strategyChange'])
    const inline = await call(u.auth, 'POST', '/api/growth_studio/commentary', {
      simulation: { strategyChange: 0, processChange: 2, technologyChange: -2, revenue: 0, costs: 0, efficiency: 0 },
    })
    expect(inline.statusCode).toBe(200)
    expect((await call(u.auth, 'POST', '/api/growth_studio/commentary', {})).statusCode).toBe(400)
    const list = (await call(u.auth, 'GET', '/api/growth_studio/simulations')).json() as {
      simulations: Array<{ commentary: string | null }>
    }
    expect(list.simulations).toHaveLength(1)
    expect(list.simulations[0]!.commentary).toBe((inline.json() as { commentary: string }).commentary)
    const missing = await call(u.auth, 'POST', '/api/growth_studio/commentary', {
      simulationId: '00000000-0000-4000-8000-000000000000',
    })
    expect(missing.statusCode).toBe(404)
  })

  it('scores the profile, and computes the ML score from the profile or the body', async () => {
    const u = await signUp(t.app)
    const needs = await call(u.auth, 'POST', '/api/ml_score', {})
    expect(needs.statusCode).toBe(409)
    expect(errorOf(needs).error.code).toBe('scores_required')
    const explicit = await call(u.auth, 'POST', '/api/ml_score', {
      strategy: 4,
      process: 2,
      technology: 3,
      industry: 'Software',
    })
    expect(explicit.json()).toMatchObject({
      ...computeMlScore({ strategy: 4, process: 2, technology: 3, industry: 'Software' }),
    })

    const updated = await call(u.auth, 'POST', '/api/profile/update', {
      industry: 'Software',
      growthStage: 'Scaling',
      companySize: '51-200',
      salesChannels: ['web', 'partners', 'events'],
      keyChallenges: ['hiring'],
    })
    expect(updated.statusCode).toBe(200)
    const p = updated.json() as {
      profile: { industry: string }
      maturity: { overall: number; maturityStage: string }
      provider: string
    }
    expect(p.profile.industry).toBe('Software')
    expect(p.provider).toBe('rules')
    expect(p.maturity.overall).toBeGreaterThan(2)
    expect((await eventsOf(u.user.id, 'profile.updated')).at(-1)!.payload.fields).toContain('growthStage')
    expect((await call(u.auth, 'POST', '/api/profile/update', { role: 'admin' })).statusCode).toBe(400)

    expect((await call(u.auth, 'POST', '/api/growth-assessment', GROWTH)).statusCode).toBe(201)
    const fromProfile = (await call(u.auth, 'POST', '/api/ml_score', {})).json() as {
      inputs: { industry: string; strategy: number }
      industryGroup: string
    }
    expect(fromProfile.inputs.industry).toBe('Software')
    expect(fromProfile.industryGroup).toBe('technology')
  })

  it("benchmarks against industry peers computed from everyone's latest scores", async () => {
    const industry = `Bakeries ${Date.now()}`
    const peers = [2, 2.5, 3, 3.5, 4, 4.5]
    const users = []
    for (const overall of peers) {
      const p = await signUp(t.app, { industry })
      await t.container.db.query(
        'update profiles set overall_score = $2, strategy_score = $2, process_score = $2, technology_score = $2 where user_id = $1',
        [p.user.id, overall],
      )
      users.push(p)
    }
    // The benchmarks come from the peer graph; these scores were written straight to SQL, so rebuild it.
    await t.container.graph.sync.backfill()
    const me = users[3]! // overall 3.5; its peers (itself not counted): 2, 2.5, 3, 4, 4.5
    const dash = (await call(me.auth, 'GET', '/api/dashboard')).json() as {
      benchmarks: Array<{
        area: string
        source: string
        average: number
        median: number
        percentile: number
        peers: number
        userScore: number
      }>
    }
    const overall = dash.benchmarks.find((b) => b.area === 'overall')!
    expect(overall).toMatchObject({
      source: 'industry',
      peers: 5,
      average: 3.2,
      median: 3,
      userScore: 3.5,
      demo: false,
    })
    // 3 of 5 peers below
    expect(overall.percentile).toBe(60)
    expect((await call({}, 'GET', '/api/dashboard')).statusCode).toBe(401)
  })
})

describeBackends('AI features with no provider configured', (backend) => {
  let t: TestApp
  beforeAll(async () => {
    // The embedded default: AI enabled, no keys, no base URLs.
    t = await startTestApp(backend, { ASSESSMENT_CONFIG_DIR: FIXTURES })
  })
  afterAll(() => t?.close())

  it('answers from the rules engine, labelled rules', async () => {
    const u = await signUp(t.app)
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/growth_studio/commentary',
      headers: u.auth,
      payload: {
        simulation: {
          strategyChange: 1,
          processChange: 0,
          technologyChange: 0,
          revenue: 100_000,
          costs: 50_000,
          efficiency: 40,
        },
      },
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({
      provider: 'rules',
      commentary: expect.stringMatching(/^Raising strategy by 1 point/),
    })
    const levers = await t.app.inject({ method: 'POST', url: '/api/growth_studio/levers', headers: u.auth })
    expect(levers.json()).toMatchObject({ provider: 'rules', cached: false })
  })
})
