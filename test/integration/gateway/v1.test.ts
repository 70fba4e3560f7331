import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { z } from 'zod'
import { createSimulator, SIM_CUSTOM_MODEL, type Simulator } from '../../../src/simulator/index.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'

// Long enough that the requests which open the breaker finish before it half-opens, even on a
// loaded machine (at 300 ms, a CI neighbour's load once let the probe in early).
const HALF_OPEN_MS = 1_500

/**
 * The gateway against the provider simulator: OpenAI (the `/v1` passthrough and the AI SDK) first,
 * Anthropic (AI SDK) second, on both databases.
 */
describeBackends('gateway against the simulator', (backend) => {
  let sim: Simulator
  let t: GatewayTestApp
  let v1: { authorization: string }
  let openai: OpenAI
  let userId: string

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    t = await startGatewayApp(backend, {
      ...sim.env(['openai', 'anthropic', 'azure', 'custom']),
      AI_PROVIDER: 'openai',
      AI_MAX_RETRIES: '1',
      AI_RETRY_AFTER_CAP_MS: '3000',
      AI_ATTEMPT_TIMEOUT_MS: '1500',
      AI_DEADLINE_MS: '6000',
      AI_BREAKER_THRESHOLD: '3',
      AI_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
    })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const owner = await userWithKey(t.app)
    v1 = owner.v1
    userId = owner.user.id
    const { port } = t.app.server.address() as { port: number }
    openai = new OpenAI({ apiKey: owner.key.key, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 })
  })
  afterAll(async () => {
    await t?.close()
    await sim?.close()
  })
  beforeEach(() => {
    sim.clearFaults()
    sim.resetStats()
  })

  const ask = (payload: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { ...v1, ...headers },
      payload: { model: 'default', messages: [{ role: 'user', content: 'One growth tip, please.' }], ...payload },
    })

  /** Clear faults and let the OpenAI breaker close again (half-open probe succeeds). */
  const recover = async () => {
    sim.clearFaults()
    if (t.container.ai.breakers.state('openai') !== 'closed') {
      await new Promise((resolve) => setTimeout(resolve, HALF_OPEN_MS + 50))
      await ask()
    }
    expect(t.container.ai.breakers.state('openai')).toBe('closed')
  }

  const logRow = async (requestId: string) => {
    await t.container.ai.ledger?.flush()
    const [row] = await t.database.db.query<Record<string, unknown>>('select * from ai_log where request_id = $1', [
      requestId,
    ])
    return row
  }

  it('serves the official openai SDK, plain and streaming, with the gateway headers', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'default', messages: [{ role: 'user', content: 'Hello' }], temperature: 0 })
      .withResponse()
    expect(data.choices[0]?.message.content).toBeTruthy()
    expect(response.headers.get('x-optimaliq-provider')).toBe('openai')
    expect(response.headers.get('x-optimaliq-model')).toBeTruthy()
    expect(response.headers.get('x-optimaliq-cache')).toBe('miss')
    expect(response.headers.get('x-optimaliq-fallback')).toBe('false')
    expect(response.headers.get('x-request-id')).toBeTruthy()

    const stream = await openai.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: OpenAI.CompletionUsage | undefined
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? ''
      usage = chunk.usage ?? usage
    }
    expect(text.length).toBeGreaterThan(0)
    expect(usage?.completion_tokens).toBeGreaterThan(0)

    // The AI SDK path (Anthropic) streams in OpenAI's chunk format too.
    const viaSdk = await openai.chat.completions.create({
      model: 'anthropic/claude-sonnet-4-0',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let sdkText = ''
    for await (const chunk of viaSdk) sdkText += chunk.choices[0]?.delta?.content ?? ''
    expect(sdkText.length).toBeGreaterThan(0)
    const models = await openai.models.list()
    expect(models.data.map((m) => m.id)).toContain('default')
  })

  it.each([
    ['returns 500', { status: 500 }, 'server_error'],
    ['returns 429', { status: 429, retryAfter: 0 }, 'rate_limited'],
    ['hangs', { hang: true }, 'timeout'],
    ['sends malformed JSON', { malformed: true }, 'malformed_response'],
  ])('falls back to the next provider when the first %s', async (_name, faults, errorClass) => {
    sim.setFaults(faults, 'openai')
    const response = await ask()
    expect(response.statusCode).toBe(200)
    expect(response.headers['x-optimaliq-provider']).toBe('anthropic')
    expect(response.headers['x-optimaliq-fallback']).toBe('true')
    expect(response.json().choices[0].message.content).toBeTruthy()
    const row = await logRow(String(response.headers['x-request-id']))
    expect(row).toMatchObject({ provider: 'anthropic', fallback_used: true, status: 'ok', user_id: userId })
    expect((row?.attempts as Array<{ provider: string; errorClass?: string }>)[0]).toMatchObject({
      provider: 'openai',
      errorClass,
    })
    // The in-code client (AI SDK path for OpenAI too) falls back the same way.
    const text = await t.container.ai.generateText({
      feature: 'test',
      messages: [{ role: 'user', content: 'hi' }],
      caller: {},
    })
    expect(text).toMatchObject({ provider: 'anthropic', fallbackUsed: true })
    expect(text.attempts[0]?.errorClass).toBe(errorClass)
    await recover()
  })

  it('honours Retry-After on the same provider instead of falling back', async () => {
    sim.setFaults({ status: 429, retryAfter: 1, times: 1 }, 'openai')
    const response = await ask()
    expect(response.statusCode).toBe(200)
    expect(response.headers['x-optimaliq-provider']).toBe('openai')
    expect(response.headers['x-optimaliq-fallback']).toBe('false')
    const row = await logRow(String(response.headers['x-request-id']))
    expect((row?.attempts as Array<{ errorClass?: string; status?: number }>).map((a) => a.errorClass ?? 'ok')).toEqual(
      ['rate_limited', 'ok'],
    )
    expect(sim.stats().byProvider.openai).toBe(2)
  })

  it('opens the breaker after repeated failures and closes it after a half-open success', async () => {
    sim.setFaults({ status: 503 }, 'openai')
    for (let i = 0; i < 2; i++) expect((await ask()).headers['x-optimaliq-provider']).toBe('anthropic')
    expect(t.container.ai.breakers.state('openai')).toBe('open')
    const before = sim.stats().byProvider.openai ?? 0
    const skipped = await ask()
    expect(skipped.headers['x-optimaliq-provider']).toBe('anthropic')
    expect(sim.stats().byProvider.openai ?? 0).toBe(before)
    expect((await logRow(String(skipped.headers['x-request-id'])))?.attempts).toEqual([
      expect.objectContaining({ provider: 'openai', errorClass: 'breaker_open' }),
      expect.objectContaining({ provider: 'anthropic', ok: true }),
    ])
    expect(t.container.ai.providerHealth().find((h) => h.provider === 'openai')?.status).toBe('down')
    sim.clearFaults()
    await new Promise((resolve) => setTimeout(resolve, HALF_OPEN_MS + 50))
    const probe = await ask()
    expect(probe.headers['x-optimaliq-provider']).toBe('openai')
    expect(t.container.ai.breakers.state('openai')).toBe('closed')
  })

  it('passes through to Azure and OpenAI-compatible upstreams and resolves catalog aliases', async () => {
    expect([...t.container.ai.upstreams.keys()].sort()).toEqual(['azure', 'custom', 'openai'])
    for (const model of ['azure/gpt-4.1-mini', `custom/${SIM_CUSTOM_MODEL}`, 'gpt-4.1-mini', 'claude-sonnet-3.5']) {
      const response = await ask({ model })
      expect(response.statusCode, model).toBe(200)
      expect(response.json().choices[0].message.content).toBeTruthy()
    }
    expect(sim.stats().byProvider).toMatchObject({ azure: 1, custom: 1 })
    const unknown = await ask({ model: 'no-such-model' })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json().error).toMatchObject({
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_found',
    })
  })

  it('cancels the upstream stream when the client goes away', async () => {
    sim.setFaults({ chunkDelayMs: 50 }, 'openai')
    const controller = new AbortController()
    const stream = await openai.chat.completions.create(
      { model: 'default', messages: [{ role: 'user', content: 'a long answer' }], stream: true },
      { signal: controller.signal },
    )
    const iterator = stream[Symbol.asyncIterator]()
    await iterator.next()
    controller.abort()
    await expect
      .poll(
        async () => {
          await t.container.ai.ledger?.flush()
          return (
            await t.database.db.query<{ n: number }>(
              "select count(*)::int as n from ai_log where error_class = 'cancelled'",
            )
          )[0]?.n
        },
        { timeout: 5000 },
      )
      .toBeGreaterThanOrEqual(1)
  })

  it('cancels the upstream when an in-code stream reader stops early, and logs the request as cancelled', async () => {
    sim.setFaults({ chunkDelayMs: 30 }, 'openai')
    const stream = await t.container.ai.stream({
      feature: 'cancel-test',
      messages: [{ role: 'user', content: 'a long answer' }],
      caller: {},
    })
    for await (const piece of stream.textStream) {
      expect(piece.length).toBeGreaterThan(0)
      break
    }
    await expect(stream.meta).rejects.toThrow(/stopped before the stream ended/)
    await expect.poll(() => sim.stats().streamsCancelled, { timeout: 5000 }).toBe(1)
    await t.container.ai.ledger?.flush()
    const rows = await t.database.db.query<{ status: string; error_class: string; provider: string }>(
      "select status, error_class, provider from ai_log where feature = 'cancel-test'",
    )
    expect(rows).toEqual([{ status: 'error', error_class: 'cancelled', provider: 'openai' }])
  })

  it('keeps AI_PROVIDER first in the default route', () => {
    expect(t.container.ai.routes.resolve('default').map((c) => c.provider)).toEqual([
      'openai',
      'anthropic',
      'azure',
      'custom',
    ])
  })

  it('holds the attempt timeout and the deadline when every provider hangs', async () => {
    sim.setFaults({ hang: true })
    const response = await ask()
    expect(response.statusCode).toBe(502)
    expect(response.json().error).toMatchObject({ type: 'api_error', code: 'all_providers_failed' })
    const row = await logRow(String(response.headers['x-request-id']))
    expect(row).toMatchObject({ status: 'error', error_class: 'all_providers_failed' })
    expect(
      (row?.attempts as Array<{ errorClass?: string }>).every(
        (a) => a.errorClass === 'timeout' || a.errorClass === 'deadline',
      ),
    ).toBe(true)
    // A stream's single attempt may run until the deadline, which then ends the whole request.
    const stream = await ask({ stream: true })
    expect(stream.statusCode).toBe(502)
    const streamRow = await logRow(String(stream.headers['x-request-id']))
    expect(streamRow?.attempts as Array<{ provider: string; errorClass?: string }>).toEqual([
      expect.objectContaining({ provider: 'openai', errorClass: 'deadline' }),
    ])
    const client = await t.container.ai.generateText({
      feature: 'test',
      messages: [{ role: 'user', content: 'hi' }],
      caller: {},
      rules: () => 'rules answer',
    })
    expect(client).toMatchObject({ text: 'rules answer', provider: 'rules', fallbackUsed: true })
    await recover()
  })

  it('repairs invalid structured output, routes on when it stays invalid, never returns it', async () => {
    const schema = z.object({ strategy: z.number().int().min(1).max(5), insight: z.string().min(1) })
    sim.setFaults({ invalidSchema: true, times: 1 }, 'openai')
    const repaired = await t.container.ai.generateObject({
      feature: 'insights',
      schema,
      messages: [{ role: 'user', content: 'Score me' }],
      caller: {},
    })
    expect(schema.parse(repaired.object)).toEqual(repaired.object)
    expect(repaired).toMatchObject({ provider: 'openai', fallbackUsed: false })
    expect(repaired.attempts.map((a) => a.errorClass ?? 'ok')).toEqual(['invalid_output', 'ok'])

    sim.setFaults({ invalidSchema: true }, 'openai')
    const routed = await t.container.ai.generateObject({
      feature: 'insights',
      schema,
      messages: [{ role: 'user', content: 'Score me' }],
      caller: {},
    })
    expect(routed).toMatchObject({ provider: 'anthropic', fallbackUsed: true })
    expect(schema.parse(routed.object)).toEqual(routed.object)

    sim.setFaults({ invalidSchema: true })
    const ruled = await t.container.ai.generateObject({
      feature: 'insights',
      schema,
      messages: [{ role: 'user', content: 'Score me' }],
      caller: {},
      rules: () => ({ strategy: 3, insight: 'rules' }),
    })
    expect(ruled).toMatchObject({ provider: 'rules', object: { strategy: 3, insight: 'rules' } })
    await recover()
  })

  it('caches: miss then hit, and 100 identical concurrent requests make one upstream call', async () => {
    const payload = { messages: [{ role: 'user', content: `cache test ${backend}` }], temperature: 0 }
    const headers = { 'x-optimaliq-cache-ttl': '300' }
    const responses = await Promise.all(Array.from({ length: 100 }, () => ask(payload, headers)))
    expect(responses.every((r) => r.statusCode === 200)).toBe(true)
    expect(sim.stats().total).toBe(1)
    expect(responses.filter((r) => r.headers['x-optimaliq-cache'] === 'miss')).toHaveLength(1)
    expect(new Set(responses.map((r) => r.body)).size).toBe(1)
    const hit = await ask(payload, headers)
    expect(hit.headers['x-optimaliq-cache']).toBe('hit')
    expect(sim.stats().total).toBe(1)
    const other = await ask({ ...payload, temperature: 0.5 }, headers)
    expect(other.headers['x-optimaliq-cache']).toBe('miss')
    const row = await logRow(String(hit.headers['x-request-id']))
    expect(row).toMatchObject({ cache_hit: true, input_tokens: null, output_tokens: null })
  })

  it('caches a stream that ran to its end and replays it; streamed and JSON answers never stand in for each other', async () => {
    const headers = { 'x-optimaliq-cache-ttl': '300' }
    const messages = [{ role: 'user', content: `stream cache ${backend}` }]
    const payload = { messages, stream: true, stream_options: { include_usage: true } }
    const first = await ask(payload, headers)
    expect(first.statusCode).toBe(200)
    expect(first.headers['x-optimaliq-cache']).toBe('miss')
    expect(first.body).toMatch(/data: \[DONE\]\s*$/)
    const second = await ask(payload, headers)
    expect(second.headers).toMatchObject({
      'x-optimaliq-cache': 'hit',
      'x-optimaliq-provider': 'openai',
      'content-type': 'text/event-stream; charset=utf-8',
    })
    expect(second.body).toBe(first.body)
    expect(sim.stats().total).toBe(1)
    expect(await logRow(String(second.headers['x-request-id']))).toMatchObject({
      cache_hit: true,
      input_tokens: null,
      cost_usd: '0.00000000',
    })
    // The official SDK reads the replayed stream like any other.
    let text = ''
    for await (const chunk of await openai.chat.completions.create(
      {
        model: 'default',
        messages: messages as Array<{ role: 'user'; content: string }>,
        stream: true,
        stream_options: { include_usage: true },
      },
      { headers },
    ))
      text += chunk.choices[0]?.delta?.content ?? ''
    expect(text.length).toBeGreaterThan(0)
    expect(sim.stats().total).toBe(1)
    // The same messages as JSON, or streamed without the usage option, are other answers.
    expect((await ask({ messages }, headers)).headers['x-optimaliq-cache']).toBe('miss')
    expect((await ask({ messages, stream: true }, headers)).headers['x-optimaliq-cache']).toBe('miss')
    expect(sim.stats().total).toBe(3)
    // Through the AI SDK path (Anthropic) too.
    const viaSdk = { ...payload, model: 'anthropic/claude-sonnet-4-0' }
    const sdkFirst = await ask(viaSdk, headers)
    const sdkSecond = await ask(viaSdk, headers)
    expect([sdkFirst.headers['x-optimaliq-cache'], sdkSecond.headers['x-optimaliq-cache']]).toEqual(['miss', 'hit'])
    expect(sdkSecond.body).toBe(sdkFirst.body)
    expect(sim.stats().byProvider.anthropic).toBe(1)
  })

  it('does not cache a stream that failed or was cut short', async () => {
    const headers = { 'x-optimaliq-cache-ttl': '300' }
    for (const fault of ['streamError', 'truncate'] as const) {
      const payload = { messages: [{ role: 'user', content: `broken stream ${fault} ${backend}` }], stream: true }
      sim.setFaults({ [fault]: true, times: 1 })
      const broken = await ask(payload, headers)
      expect(broken.headers['x-optimaliq-cache']).toBe('miss')
      expect(broken.body).not.toMatch(/data: \[DONE\]\s*$/)
      expect(await logRow(String(broken.headers['x-request-id']))).toMatchObject({
        status: 'error',
        error_class: 'stream_failed',
      })
      const again = await ask(payload, headers)
      expect(again.headers['x-optimaliq-cache']).toBe('miss')
      expect(again.body).toMatch(/data: \[DONE\]\s*$/)
      expect((await ask(payload, headers)).headers['x-optimaliq-cache']).toBe('hit')
    }
    await recover()
  })

  it('records tokens and costs from the upstream usage and the catalog', async () => {
    const response = await ask({ max_tokens: 50 })
    const body = response.json()
    const row = await logRow(String(response.headers['x-request-id']))
    expect(row).toMatchObject({
      input_tokens: body.usage.prompt_tokens,
      output_tokens: body.usage.completion_tokens,
      feature: 'v1',
      route: 'default',
      api_key_id: expect.any(String),
    })
    const model = String(response.headers['x-optimaliq-model'])
    const expected = t.container.ai.catalog.costUsd('openai', model, {
      inputTokens: body.usage.prompt_tokens,
      outputTokens: body.usage.completion_tokens,
    })
    expect(expected).toBeGreaterThan(0)
    expect(Number(row?.cost_usd)).toBeCloseTo(expected as number, 8)
  })

  it('done when: one provider failing half its requests, every default request succeeds and says who answered', async () => {
    sim.setFaults({ failureRate: 0.5, status: 500 }, 'openai')
    const responses = []
    for (let i = 0; i < 20; i++) responses.push(await ask({ messages: [{ role: 'user', content: `request ${i}` }] }))
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200))
    let failedAttempts = 0
    for (const response of responses) {
      const row = await logRow(String(response.headers['x-request-id']))
      expect(row?.provider).toBe(response.headers['x-optimaliq-provider'])
      expect(String(row?.fallback_used)).toBe(response.headers['x-optimaliq-fallback'])
      failedAttempts += (row?.attempts as Array<{ ok: boolean }>).filter((a) => !a.ok).length
    }
    expect(failedAttempts).toBeGreaterThanOrEqual(5)
    const stream = await openai.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'stream through failures' }],
      stream: true,
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
    expect(text.length).toBeGreaterThan(0)
  })
})
