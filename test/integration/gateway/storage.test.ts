import { MockLanguageModelV3 } from 'ai/test'
import { APICallError } from 'ai'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { hashApiKey } from '../../../src/governance/keys/api-keys.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { signUp } from '../../helpers/app.ts'
import { flatCatalog, mockProviders, startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: output, text: output, reasoning: undefined },
})
const text = (value: string, tokens = true) => ({
  content: [{ type: 'text' as const, text: value }],
  finishReason: { unified: 'stop' as const, raw: 'stop' },
  usage: tokens
    ? usage(12, 7)
    : {
        inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: undefined, text: undefined, reasoning: undefined },
      },
  warnings: [],
})

describeBackends('gateway storage', (backend) => {
  let t: GatewayTestApp
  let failing = true
  const first = new MockLanguageModelV3({
    doGenerate: async () => {
      if (failing)
        throw new APICallError({
          message: 'upstream 500',
          url: 'http://sim',
          requestBodyValues: {},
          statusCode: 500,
          isRetryable: true,
        })
      return text('{"score":3}')
    },
  })
  const second = new MockLanguageModelV3({
    doGenerate: async (options) =>
      JSON.stringify(options.prompt).includes('no tokens') ? text('quiet', false) : text('{"score":4}'),
  })

  beforeAll(async () => {
    t = await startGatewayApp(
      backend,
      { AI_MAX_RETRIES: '0' },
      { providers: mockProviders({ openai: first, anthropic: second }), catalog: flatCatalog },
    )
  })
  afterAll(async () => t?.close())

  it('writes one ai_log row per request with attempts, tokens, cost and the fallback flag', async () => {
    const user = await signUp(t.app)
    const result = await t.container.ai.generateObject({
      feature: 'insights',
      schema: z.object({ score: z.number() }),
      messages: [{ role: 'user', content: 'hi' }],
      caller: { userId: user.user.id, requestId: 'req-ledger-1' },
    })
    expect(result).toMatchObject({ object: { score: 4 }, provider: 'anthropic', fallbackUsed: true })
    await t.container.ai.generateText({
      feature: 'chat',
      messages: [{ role: 'user', content: 'no tokens' }],
      caller: { requestId: 'req-ledger-2' },
    })
    await t.container.ai.ledger?.flush()
    const rows = await t.database.db.query<Record<string, unknown>>(
      "select * from ai_log where request_id in ('req-ledger-1','req-ledger-2') order by request_id",
    )
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatchObject({
      user_id: user.user.id,
      feature: 'insights',
      provider: 'anthropic',
      model: 'anthropic-default',
      input_tokens: 12,
      output_tokens: 7,
      cache_hit: false,
      fallback_used: true,
      status: 'ok',
    })
    expect(Number(rows[0]?.cost_usd)).toBeCloseTo((12 + 14) / 1e6, 10)
    expect(
      (rows[0]?.attempts as Array<{ provider: string; errorClass?: string }>).map(
        (a) => `${a.provider}:${a.errorClass ?? 'ok'}`,
      ),
    ).toEqual(['openai:server_error', 'anthropic:ok'])
    // Unknown token counts stay null, never 0; so does the cost.
    expect(rows[1]).toMatchObject({ input_tokens: null, output_tokens: null, cost_usd: null })
  })

  it('logs a failed request with its error when nothing answers, and a rules answer as provider rules', async () => {
    const rules = await t.container.ai.generateObject({
      feature: 'insights',
      schema: z.object({ score: z.number() }),
      messages: [{ role: 'user', content: 'hi' }],
      route: 'openai/x',
      caller: { requestId: 'req-ledger-3' },
      rules: () => ({ score: 1 }),
    })
    expect(rules).toMatchObject({ provider: 'rules', fallbackUsed: true })
    await expect(
      t.container.ai.generateText({
        feature: 'chat',
        route: 'openai/x',
        messages: [{ role: 'user', content: 'x' }],
        caller: { requestId: 'req-ledger-4' },
      }),
    ).rejects.toMatchObject({ code: 'all_providers_failed' })
    await t.container.ai.ledger?.flush()
    const rows = await t.database.db.query<Record<string, unknown>>(
      "select request_id, provider, status, error_class from ai_log where request_id in ('req-ledger-3','req-ledger-4') order by request_id",
    )
    expect(rows).toEqual([
      { request_id: 'req-ledger-3', provider: 'rules', status: 'ok', error_class: null },
      { request_id: 'req-ledger-4', provider: null, status: 'error', error_class: 'all_providers_failed' },
    ])
  })

  it('keeps a batch when one row is bad, and flushes on close', async () => {
    const ledger = t.container.ai.ledger
    ledger?.record({
      requestId: 'req-bad-user',
      userId: '00000000-0000-4000-8000-000000000000',
      latencyMs: 1,
      cacheHit: false,
      fallbackUsed: false,
      status: 'ok',
      attempts: [],
    })
    ledger?.record({
      requestId: 'req-good',
      latencyMs: 1,
      cacheHit: false,
      fallbackUsed: false,
      status: 'ok',
      attempts: [],
    })
    await ledger?.flush()
    const rows = await t.database.db.query<{ request_id: string; user_id: string | null }>(
      "select request_id, user_id from ai_log where request_id in ('req-bad-user', 'req-good') order by request_id",
    )
    expect(rows).toEqual([
      { request_id: 'req-bad-user', user_id: null },
      { request_id: 'req-good', user_id: null },
    ])
  })

  it('keeps cached answers in ai_cache behind the in-process LRU', async () => {
    failing = false
    const request = {
      feature: 'levers',
      schema: z.object({ score: z.number() }),
      messages: [{ role: 'user' as const, content: 'cache me' }],
      caller: {},
      cacheTtlSeconds: 600,
      cacheScope: 'scores-v1',
    }
    const miss = await t.container.ai.generateObject(request)
    const hit = await t.container.ai.generateObject(request)
    expect([miss.cached, hit.cached]).toEqual([false, true])
    await t.container.ai.cache.flush()
    const rows = await t.database.db.query<{ feature: string }>("select feature from ai_cache where feature = 'levers'")
    expect(rows).toHaveLength(1)
    failing = true
  })

  it('creates API keys shown once, stores only their hash, and revokes them', async () => {
    const owner = await userWithKey(t.app)
    expect(owner.key.key).toMatch(/^oq_[\w-]{32}$/)
    const stored = await t.database.db.query<{ key_hash: string; prefix: string }>(
      'select key_hash, prefix from api_keys where id = $1',
      [owner.key.id],
    )
    expect(stored[0]?.key_hash).toBe(hashApiKey(owner.key.key))
    expect(stored[0]?.key_hash).not.toContain(owner.key.key)
    const list = await t.app.inject({ method: 'GET', url: '/api/keys', headers: owner.auth })
    expect(list.statusCode).toBe(200)
    expect(list.body).not.toContain(owner.key.key)
    expect(list.json().keys).toHaveLength(1)

    const models = await t.app.inject({ method: 'GET', url: '/v1/models', headers: owner.v1 })
    expect(models.statusCode).toBe(200)
    expect(models.json().data.map((m: { id: string }) => m.id)).toContain('default')

    // Another user cannot revoke it.
    const other = await signUp(t.app)
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/keys/${owner.key.id}`, headers: other.auth })).statusCode,
    ).toBe(404)
    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/keys/${owner.key.id}`, headers: owner.auth })
    expect(revoked.statusCode).toBe(200)
    expect(revoked.json().revokedAt).toBeTruthy()
    const after = await t.app.inject({ method: 'GET', url: '/v1/models', headers: owner.v1 })
    expect(after.statusCode).toBe(401)
    expect(after.json()).toEqual({
      error: { message: 'Invalid API key', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    })
    // Refusals carry the gateway headers too: no provider answered.
    expect(after.headers).toMatchObject({
      'x-optimaliq-provider': 'none',
      'x-optimaliq-model': 'none',
      'x-optimaliq-cache': 'miss',
      'x-optimaliq-fallback': 'false',
    })
    expect(after.headers['x-request-id']).toBeTruthy()
    const missing = await t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { model: 'default', messages: [] },
    })
    expect(missing.statusCode).toBe(401)
    expect(missing.headers['x-request-id']).toBeTruthy()
  })

  it('reports provider health to admins only and records status changes', async () => {
    const user = await signUp(t.app)
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/ai/providers', headers: user.auth })).statusCode).toBe(
      403,
    )
    for (let i = 0; i < 6; i++)
      await t.container.ai.generateText({
        feature: 'chat',
        route: 'openai/x',
        messages: [{ role: 'user', content: 'x' }],
        caller: {},
        rules: () => 'r',
      })
    await t.container.ai.health.flush()
    const admin = await signUp(t.app, { email: 'admin@example.com' })
    const response = await t.app.inject({ method: 'GET', url: '/api/admin/ai/providers', headers: admin.auth })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.enabled).toBe(true)
    // Earlier tests' default model still answers, so the provider serves; model x's own breaker is open.
    const openai = body.providers.find((p: { provider: string }) => p.provider === 'openai')
    expect(openai.breaker).toBe('closed')
    expect(openai.models).toContainEqual({ model: 'x', breaker: 'open' })
    expect(
      body.history.some((h: { provider: string; status: string }) => h.provider === 'openai' && h.status === 'down'),
    ).toBe(true)
  })
})

describeBackends('gateway with AI disabled', (backend) => {
  let t: GatewayTestApp
  beforeAll(async () => {
    t = await startGatewayApp(backend, { AI_ENABLED: 'false', OPENAI_API_KEY: 'sk-test' })
  })
  afterAll(async () => t?.close())

  it('answers from rules in code and refuses /v1 with a clear OpenAI-shaped error', async () => {
    const result = await t.container.ai.generateObject({
      feature: 'insights',
      schema: z.object({ score: z.number() }),
      messages: [{ role: 'user', content: 'hi' }],
      caller: {},
      rules: () => ({ score: 2 }),
    })
    expect(result).toMatchObject({ object: { score: 2 }, provider: 'rules', fallbackUsed: false })
    const { v1 } = await userWithKey(t.app)
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: v1,
      payload: { model: 'default', messages: [{ role: 'user', content: 'hi' }] },
    })
    expect(response.statusCode).toBe(503)
    expect(response.json().error).toMatchObject({ type: 'api_error', code: 'ai_unavailable' })
    const invalid = await t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: v1,
      payload: { model: 'default', messages: [], temperature: 5 },
    })
    expect(invalid.statusCode).toBe(400)
    expect(invalid.json().error.type).toBe('invalid_request_error')
  })
})

describeBackends('gateway ledger on shutdown', (backend) => {
  it('flushes every buffered ai_log row when the container closes', async () => {
    const model = new MockLanguageModelV3({ doGenerate: text('hello') })
    const t = await startGatewayApp(
      backend,
      { AI_LEDGER_FLUSH_MS: '60000' },
      { providers: mockProviders({ openai: model }), catalog: flatCatalog },
    )
    try {
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          t.container.ai.generateText({
            feature: 'chat',
            messages: [{ role: 'user', content: `m${i}` }],
            caller: { requestId: `shutdown-${i}` },
          }),
        ),
      )
      expect(t.container.ai.ledger?.buffered).toBe(25)
      await t.app.close()
      await t.container.close()
      const rows = await t.database.db.query<{ n: number }>(
        "select count(*)::int as n from ai_log where request_id like 'shutdown-%'",
      )
      expect(rows[0]?.n).toBe(25)
    } finally {
      await t.database.drop()
    }
  })
})
