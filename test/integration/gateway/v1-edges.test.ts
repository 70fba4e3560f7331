import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { createSimulator, SIM_CUSTOM_MODEL, type Simulator } from '../../../src/simulator/index.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'

/** An OpenAI error body: `{error: {message: string, type: string, param, code}}` and nothing else. */
function expectOpenAiError(body: unknown) {
  expect(body).toEqual({
    error: {
      message: expect.any(String),
      type: expect.any(String),
      param: expect.toBeOneOf([null, expect.any(String)]),
      code: expect.toBeOneOf([null, expect.any(String)]),
    },
  })
  expect((body as { error: { message: string } }).error.message).not.toMatch(/\[object Object\]/)
}

/**
 * `/v1` at its edges: client errors stay client errors, exhausted 429s stay 429s, bad input is
 * refused before any upstream call, the cache never crosses tenants, stream errors are OpenAI-shaped.
 */
describeBackends('/v1 at the edges', (backend) => {
  let sim: Simulator
  let t: GatewayTestApp
  let alice: Awaited<ReturnType<typeof userWithKey>>
  let bob: Awaited<ReturnType<typeof userWithKey>>
  let openai: OpenAI

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    t = await startGatewayApp(backend, {
      ...sim.env(['openai', 'anthropic', 'custom']),
      AI_PROVIDER: 'openai',
      AI_MAX_RETRIES: '2',
      AI_RETRY_AFTER_CAP_MS: '1000',
      AI_ATTEMPT_TIMEOUT_MS: '2000',
      AI_DEADLINE_MS: '5000',
      AI_BREAKER_THRESHOLD: '50',
    })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    alice = await userWithKey(t.app, `alice.${backend}@example.com`)
    bob = await userWithKey(t.app, `bob.${backend}@example.com`)
    const { port } = t.app.server.address() as { port: number }
    openai = new OpenAI({ apiKey: alice.key.key, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 })
  }, 120_000)
  afterAll(async () => {
    await t?.close()
    await sim?.close()
  })
  beforeEach(() => {
    sim.clearFaults()
    sim.resetStats()
  })

  const ask = (payload: Record<string, unknown> = {}, headers: Record<string, string> = alice.v1) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers,
      payload: { model: 'default', messages: [{ role: 'user', content: 'One growth tip, please.' }], ...payload },
    })

  it('returns an upstream 400/422 as the client error, with the provider message, after one upstream call', async () => {
    sim.setFaults({ status: 400 }, 'openai')
    const error = await openai.chat.completions
      .create({ model: 'default', messages: [{ role: 'user', content: 'Hello' }] })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OpenAI.BadRequestError)
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/status 400/)
    expect(sim.stats().total).toBe(1)
    expect(t.container.ai.breakers.state('openai')).toBe('closed')

    // Streams too, and the translated (AI SDK) path: the provider's status and message.
    const stream = await ask({ stream: true })
    expect(stream.statusCode).toBe(400)
    expectOpenAiError(stream.json())
    sim.setFaults({ status: 422 }, 'anthropic')
    const viaSdk = await ask({ model: 'anthropic/claude-sonnet-4-0' })
    expect(viaSdk.statusCode).toBe(422)
    expectOpenAiError(viaSdk.json())
    expect(viaSdk.json().error.message).toMatch(/status 422/)
    expect(sim.stats().total).toBe(3)
  })

  it('answers 429 with Retry-After when every provider keeps rate limiting', async () => {
    sim.setFaults({ status: 429, retryAfter: 30 })
    const response = await ask()
    expect(response.statusCode).toBe(429)
    expect(response.headers['retry-after']).toBe('30')
    expectOpenAiError(response.json())
    expect(response.json().error.type).toBe('rate_limit_error')
  })

  it('refuses control characters in model and out-of-range numbers with a 400 naming the field, before any upstream call', async () => {
    for (const [payload, param] of [
      [{ model: 'gpt-4.1-mini\u0000' }, 'model'],
      [{ model: 'gpt-4.1-mini\r\nx-evil: 1' }, 'model'],
      [{ max_tokens: 1e12 }, 'max_tokens'],
      [{ temperature: 7 }, 'temperature'],
      [{ n: 0 }, 'n'],
      [{ top_logprobs: 99 }, 'top_logprobs'],
    ] as const) {
      const response = await ask(payload)
      expect(response.statusCode, JSON.stringify(payload)).toBe(400)
      expectOpenAiError(response.json())
      expect(response.json().error.param).toBe(param)
      expect(response.json().error.message).toContain(param)
    }
    expect(sim.stats().total).toBe(0)
  })

  it('never shares a cache entry between two users; a user hits their own', async () => {
    const payload = { messages: [{ role: 'user', content: `tenant cache ${backend}` }], temperature: 0 }
    const headers = { 'x-optimaliq-cache-ttl': '300' }
    const a1 = await ask(payload, { ...alice.v1, ...headers })
    const b1 = await ask(payload, { ...bob.v1, ...headers })
    const a2 = await ask(payload, { ...alice.v1, ...headers })
    expect([a1, b1, a2].map((r) => r.headers['x-optimaliq-cache'])).toEqual(['miss', 'miss', 'hit'])
    expect(sim.stats().total).toBe(2)
    // Streams are scoped the same way.
    const stream = { ...payload, stream: true }
    expect((await ask(stream, { ...alice.v1, ...headers })).headers['x-optimaliq-cache']).toBe('miss')
    expect((await ask(stream, { ...bob.v1, ...headers })).headers['x-optimaliq-cache']).toBe('miss')
    expect((await ask(stream, { ...bob.v1, ...headers })).headers['x-optimaliq-cache']).toBe('hit')
  })

  it("lists every configured model, the custom provider's included", async () => {
    const models = await openai.models.list()
    const ids = models.data.map((m) => m.id)
    expect(ids).toContain(`custom/${SIM_CUSTOM_MODEL}`)
    expect(ids).toContain('default')
    expect(new Set(ids).size).toBe(ids.length)
    const viaCustom = await ask({ model: `custom/${SIM_CUSTOM_MODEL}` })
    expect(viaCustom.statusCode).toBe(200)
  })

  it('ends a broken translated stream with an OpenAI-shaped error event whose message is a string', async () => {
    sim.setFaults({ streamError: true }, 'anthropic')
    const response = await ask({ model: 'anthropic/claude-sonnet-4-0', stream: true })
    expect(response.statusCode).toBe(200)
    const events = response.body
      .split('\n\n')
      .filter((e) => e.startsWith('data: ') && e !== 'data: [DONE]')
      .map((e) => JSON.parse(e.slice(6)) as Record<string, unknown>)
    const last = events.at(-1)
    expectOpenAiError(last)
    expect((last as { error: { message: string } }).error.message).toMatch(/Overloaded/)
  })
})
