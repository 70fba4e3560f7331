import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { FEATURE_NAMES, featureByName, runFeature } from '../../../src/features/registry.ts'
import { startSimulator, type TestSimulator } from '../../helpers/simulator.ts'
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { eventually } from '../../helpers/sse.ts'
import { SAMPLES } from '../../fixtures/feature-samples.ts'

const FIXTURES = new URL('../../fixtures/assessments/', import.meta.url).pathname
const GROWTH = {
  industry: 'Software',
  companySize: '11-50',
  revenueRange: '1m_5m',
  obstacles: ['scaling'],
  strategy: 'informal',
  process: false,
  customers: 'anecdotal',
  technology: 'optimized',
}

/**
 * Every feature through the real gateway against the provider simulator: the LLM path, the
 * repair path (first answer violates the schema), and the rules fallback when every provider fails.
 */
describeBackends('AI features through the gateway', (backend) => {
  let sim: TestSimulator
  let t: TestApp

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, host: '127.0.0.1' })
    t = await startTestApp(backend, {
      ...sim.env(['openai', 'anthropic']),
      AI_PROVIDER: 'openai',
      AI_MAX_RETRIES: '0',
      AI_ATTEMPT_TIMEOUT_MS: '2000',
      AI_LEDGER_FLUSH_MS: '50',
      ASSESSMENT_CONFIG_DIR: FIXTURES,
    })
  })
  afterAll(async () => {
    await t?.close()
    await sim?.close()
  })
  beforeEach(() => {
    sim.clearFaults()
    sim.resetStats()
  })

  it('answers every feature from the first provider with a schema-valid object', async () => {
    for (const name of FEATURE_NAMES) {
      const feature = featureByName(name)!
      const sample = SAMPLES[name]![0]
      const run = await runFeature(t.container.ai, feature, sample, { requestId: `llm-${name}-${backend}` })
      expect(run.meta.provider, name).toBe('openai')
      expect(run.meta.fallbackUsed).toBe(false)
      expect(feature.output.safeParse(run.object).success, name).toBe(true)
    }
    expect(sim.stats().byProvider.openai).toBeGreaterThanOrEqual(FEATURE_NAMES.length)
  })

  it('repairs a schema-violating first answer for every feature', async () => {
    for (const name of FEATURE_NAMES) {
      const feature = featureByName(name)!
      sim.setFaults({ invalidSchema: true, times: 1 }, 'openai')
      // A different input than above so the gateway cache cannot answer.
      const sample = SAMPLES[name]![1] ?? SAMPLES[name]![0]
      const run = await runFeature(t.container.ai, feature, sample, { requestId: `repair-${name}-${backend}` })
      expect(run.meta.provider, name).toBe('openai')
      expect(
        run.meta.attempts.map((a) => a.errorClass ?? 'ok'),
        name,
      ).toEqual(['invalid_output', 'ok'])
      expect(feature.output.safeParse(run.object).success, name).toBe(true)
    }
  })

  it('serves the endpoints through the gateway and logs insights and commentary in ai_log by feature', async () => {
    const u = await signUp(t.app, { industry: 'Software' })
    const inject = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: u.auth,
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      })
    expect((await inject('POST', '/api/growth-assessment', GROWTH)).statusCode).toBe(201)

    const insights = await inject('POST', '/api/growthAssessment/getInsights', {})
    expect(insights.statusCode).toBe(200)
    const ins = insights.json() as {
      provider: string
      requestId: string
      scores: Record<string, number>
      baseScore: number
    }
    expect(ins.provider).toBe('openai')

    const sim1 = (
      await inject('POST', '/api/growth_studio/simulation', {
        strategyChange: 1,
        processChange: 1,
        technologyChange: 0,
        revenue: 500_000,
        costs: 400_000,
        efficiency: 50,
      })
    ).json() as { id: string }
    const commentary = await inject('POST', '/api/growth_studio/commentary', { simulationId: sim1.id })
    expect(commentary.statusCode).toBe(200)
    const c = commentary.json() as { provider: string; requestId: string; commentary: string }
    expect(c.provider).toBe('openai')

    const rows = await eventually(
      async () => {
        const found = await t.container.db.query<{
          feature: string
          provider: string
          user_id: string
          request_id: string
        }>('select feature, provider, user_id, request_id from ai_log where user_id = $1 order by created_at', [
          u.user.id,
        ])
        return found.length >= 2 ? found : undefined
      },
      10_000,
      'ai_log rows',
    )
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ feature: 'growth_insights', provider: 'openai', request_id: ins.requestId }),
        expect.objectContaining({ feature: 'simulation_commentary', provider: 'openai', request_id: c.requestId }),
      ]),
    )

    const dash = await inject('GET', '/api/dashboard')
    expect(dash.statusCode).toBe(200)
    expect(dash.json()).toMatchObject({ provider: 'openai', cached: false })
    const levers = (await inject('POST', '/api/growth_studio/levers', {})).json() as {
      provider: string
      levers: unknown[]
    }
    expect(levers.provider).toBe('openai')
    expect(levers.levers).toHaveLength(5)
    const forecast = (await inject('GET', '/api/insights/forecast')).json() as { provider: string }
    expect(forecast.provider).toBe('openai')
    const recs = (await inject('GET', '/api/recommendations')).json() as { provider: string }
    expect(recs.provider).toBe('openai')

    sim.setFaults({ status: 503 })
    const down = await inject('POST', '/api/profile/update', { growthStage: 'Early' })
    expect(down.statusCode).toBe(200)
    expect(down.json()).toMatchObject({ provider: 'rules' })
  })

  it('falls back to the rules engine for every feature when every provider fails', async () => {
    sim.setFaults({ status: 500 })
    for (const name of FEATURE_NAMES) {
      const feature = featureByName(name)!
      const sample = SAMPLES[name]!.at(-1)
      // A scope no earlier call used, so the gateway cache cannot answer.
      const run = await runFeature(
        t.container.ai,
        feature,
        sample,
        { requestId: `down-${name}-${backend}` },
        { cacheScope: 'all-providers-down' },
      )
      expect(run.meta.provider, name).toBe('rules')
      expect(run.meta.fallbackUsed).toBe(true)
      expect(run.object, name).toEqual(feature.rules(feature.input.parse(sample)))
    }
  })
})
