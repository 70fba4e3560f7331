import type { LanguageModelV3GenerateResult } from '@ai-sdk/provider'
import { MockLanguageModelV3 } from 'ai/test'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { insertAiLog } from '../../helpers/ai-log.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { flatCatalog, mockProviders, startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'
import { signUp } from '../../helpers/app.ts'

const answer = (text: string): LanguageModelV3GenerateResult => ({
  content: [{ type: 'text', text }],
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: {
    inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: 5, text: 5, reasoning: undefined },
  },
  warnings: [],
})

/** Governance through the real gateway: the container passes guards and the version resolver to it. */
describeBackends('governance through the gateway', (backend) => {
  let t: GatewayTestApp
  const openai = new MockLanguageModelV3({ doGenerate: async () => answer('hello') })
  const anthropic = new MockLanguageModelV3({ doGenerate: async () => answer('from a version') })
  const broken = new MockLanguageModelV3({
    doGenerate: async () => {
      throw Object.assign(new Error('bad request'), { statusCode: 400 })
    },
  })
  beforeAll(async () => {
    t = await startGatewayApp(
      backend,
      {
        AI_LIMITS_ENABLED: 'true',
        AI_REDACT_PROMPTS: 'true',
        AI_LOG_PROMPTS: 'true',
        AI_RATE_LIMITS: JSON.stringify({ free: { perMinute: 3 } }),
        AI_BUDGETS: JSON.stringify({ user: { premium: { dailyUsd: 0.5 } } }),
      },
      { providers: mockProviders({ openai, anthropic, mistral: broken }), catalog: flatCatalog },
    )
  })
  afterAll(() => t.close())

  it('refuses the fourth call of a free user in a minute with rate_limited, and counts answers in /metrics', async () => {
    const user = await signUp(t.app)
    const caller = { userId: user.user.id, tier: 'free' as const }
    for (let i = 0; i < 3; i++) {
      const r = await t.container.ai.generateText({
        feature: 'chat',
        messages: [{ role: 'user', content: `hi ${i}` }],
        caller,
      })
      expect(r.text).toBe('hello')
    }
    await expect(
      t.container.ai.generateText({ feature: 'chat', messages: [{ role: 'user', content: 'again' }], caller }),
    ).rejects.toMatchObject({
      code: 'rate_limited',
      status: 429,
      details: { limit: 'user.requests_per_minute', max: 3 },
    })
    const { body } = await t.container.governance.metrics.render()
    expect(body).toMatch(
      /optimaliq_ai_requests_total\{provider="openai",model="openai-default",feature="chat",outcome="ok"\} 3/,
    )
    expect(body).toContain('optimaliq_ai_refusals_total{kind="rate_limited",limit="user.requests_per_minute"} 1')
  })

  it('tells /v1 clients their standing in X-RateLimit-* headers on every answer, and on the refusal', async () => {
    const owner = await userWithKey(t.app)
    const ask = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: owner.v1,
        payload: { model: 'default', messages: [{ role: 'user', content: 'hi' }] },
      })
    for (const remaining of ['2', '1', '0']) {
      const response = await ask()
      expect(response.statusCode).toBe(200)
      expect(response.headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': remaining })
      expect(Number(response.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000)
      expect(Number(response.headers['x-ratelimit-reset'])).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 60)
    }
    const refused = await ask()
    expect(refused.statusCode).toBe(429)
    expect(refused.headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '0' })
    expect(refused.json().error).toMatchObject({ code: 'rate_limited', type: 'rate_limit_error' })
  })

  it('redacts stored prompts and counts failed calls in the metrics', async () => {
    const user = await signUp(t.app)
    const r = await t.container.ai.generateText({
      feature: 'redacted',
      messages: [{ role: 'user', content: 'mail me at jane@example.com or +44 20 7946 0958' }],
      caller: { userId: user.user.id, tier: 'enterprise', requestId: `redact-${backend}` },
    })
    await t.container.ai.ledger?.flush()
    const [row] = await t.container.db.query<{ request: unknown }>('select request from ai_log where request_id = $1', [
      r.requestId,
    ])
    const stored = JSON.stringify(row!.request)
    expect(stored).toContain('[redacted:email]')
    expect(stored).not.toContain('jane@example.com')
    expect(stored).not.toContain('7946')

    await expect(
      t.container.ai.generateText({
        feature: 'failing',
        route: 'mistral/m',
        messages: [{ role: 'user', content: 'x' }],
        caller: { userId: user.user.id, tier: 'enterprise' },
      }),
    ).rejects.toBeDefined()
    const { body } = await t.container.governance.metrics.render()
    expect(body).toMatch(
      /optimaliq_ai_requests_total\{provider="[^"]*",model="[^"]*",feature="failing",outcome="error"\} 1/,
    )
  })

  it('stops a user whose budget is spent with budget_exceeded', async () => {
    const user = await signUp(t.app)
    await insertAiLog(t.container.db, [{ at: new Date(), userId: user.user.id, costUsd: 0.6 }])
    await expect(
      t.container.ai.generateText({
        feature: 'chat',
        messages: [{ role: 'user', content: 'x' }],
        caller: { userId: user.user.id, tier: 'premium' },
      }),
    ).rejects.toMatchObject({ code: 'budget_exceeded', details: { budget: 'user.premium.daily' } })
  })

  it('routes a feature to its active model version', async () => {
    const feature = `versioned_${backend}`
    await t.container.db.query(
      `insert into model_versions (feature, provider, model, prompt_version, status) values ($1, 'anthropic', 'claude-x', 'v3', 'active')`,
      [feature],
    )
    const user = await signUp(t.app)
    const r = await t.container.ai.generateText({
      feature,
      messages: [{ role: 'user', content: 'x' }],
      caller: { userId: user.user.id, tier: 'enterprise' },
    })
    expect(r).toMatchObject({ text: 'from a version', provider: 'anthropic', model: 'claude-x' })
    expect(r.modelVersion).toMatch(/^[0-9a-f-]{36}$/)
  })
})
