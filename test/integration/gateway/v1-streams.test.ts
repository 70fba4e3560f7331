import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { createSimulator, simulatorEnv, SIM_CUSTOM_MODEL, type Simulator } from '../../../src/simulator/index.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'
import { createRecordingUpstream, type RecordingUpstream } from '../../helpers/recording-upstream.ts'

type Row = { status: string; error_class: string | null; input_tokens: number | null; cost_usd: string | null }

/**
 * Streams pay: the gateway asks an OpenAI-format upstream for usage, hides the extra usage chunk
 * from a client that did not ask, and settles cost, ledger, limits and budgets for every stream,
 * finished or cancelled. A malformed upstream stream ends with an OpenAI-shaped error event.
 */
describeBackends('/v1 streams', (backend) => {
  let sim: Simulator
  let upstream: RecordingUpstream
  let t: GatewayTestApp
  let port: number

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    upstream = await createRecordingUpstream(sim.url)
    t = await startGatewayApp(backend, {
      ...simulatorEnv(upstream.url, ['openai', 'anthropic', 'custom']),
      AI_PROVIDER: 'openai',
      AI_MAX_RETRIES: '0',
      AI_ATTEMPT_TIMEOUT_MS: '3000',
      AI_DEADLINE_MS: '5000',
      AI_BREAKER_THRESHOLD: '50',
      AI_LIMITS_ENABLED: 'true',
      // A daily budget one stream spends: the next request of the same user must be refused.
      AI_BUDGETS: JSON.stringify({ user: { free: { dailyUsd: 0.00001 } }, rulesFallback: false }),
    })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    port = (t.app.server.address() as { port: number }).port
  }, 120_000)
  afterAll(async () => {
    await t?.close()
    await upstream?.close()
    await sim?.close()
  })
  beforeEach(() => {
    sim.clearFaults()
    upstream.clear()
    upstream.script = undefined
  })

  /** A fresh user (fresh budget) and an openai SDK client on our /v1. */
  const client = async () => {
    const owner = await userWithKey(t.app)
    return {
      owner,
      openai: new OpenAI({ apiKey: owner.key.key, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 }),
    }
  }
  const row = async (requestId: string) => {
    await t.container.ai.ledger?.flush()
    const [found] = await t.database.db.query<Row>(
      'select status, error_class, input_tokens, cost_usd from ai_log where request_id = $1',
      [requestId],
    )
    return found
  }
  const messages = [{ role: 'user' as const, content: 'One growth tip, please.' }]

  it('asks upstream for usage, hides the usage chunk the client did not ask for, and records tokens and cost', async () => {
    const { openai } = await client()
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'openai/gpt-4.1-mini', messages, stream: true })
      .withResponse()
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks.length).toBeGreaterThan(2)
    expect(chunks.every((c) => c.choices.length === 1 && !('usage' in c))).toBe(true)
    expect(upstream.to('/openai/')[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } })

    const logged = await row(String(response.headers.get('x-request-id')))
    expect(logged).toMatchObject({ status: 'ok', input_tokens: expect.any(Number) })
    expect(Number(logged?.cost_usd)).toBeGreaterThan(0)
  })

  it('passes the usage chunk to a client that asked for it, with the tokens the ledger records', async () => {
    const { openai } = await client()
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'openai/gpt-4.1-mini', messages, stream: true, stream_options: { include_usage: true } })
      .withResponse()
    let usage: OpenAI.CompletionUsage | null | undefined
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage
    expect(usage?.prompt_tokens).toBeGreaterThan(0)
    expect(await row(String(response.headers.get('x-request-id')))).toMatchObject({
      status: 'ok',
      input_tokens: usage?.prompt_tokens,
    })
  })

  it('cannot stream past a daily budget: once spent, the next stream is refused before its first byte', async () => {
    const { openai } = await client()
    let answered = 0
    let refused: unknown
    for (let i = 0; i < 3; i++) {
      try {
        const stream = await openai.chat.completions.create({ model: 'openai/gpt-4.1-mini', messages, stream: true })
        for await (const chunk of stream) expect(chunk.object).toBe('chat.completion.chunk')
        answered += 1
      } catch (error) {
        refused = error
      }
    }
    expect(answered).toBe(1)
    expect(refused).toBeInstanceOf(OpenAI.APIError)
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(402)
    expect((refused as InstanceType<typeof OpenAI.APIError>).code).toBe('budget_exceeded')
    expect(upstream.to('/chat/completions')).toHaveLength(1)
  })

  it('settles a cancelled stream with its estimated cost, so the budget still counts it', async () => {
    sim.setFaults({ chunkDelayMs: 40 }, 'openai')
    const { openai } = await client()
    const controller = new AbortController()
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'openai/gpt-4.1-mini', messages, stream: true, max_tokens: 500 }, { signal: controller.signal })
      .withResponse()
    for await (const chunk of stream) {
      expect(chunk.choices).toHaveLength(1)
      controller.abort()
      break
    }
    const requestId = String(response.headers.get('x-request-id'))
    await expect.poll(async () => (await row(requestId))?.error_class, { timeout: 5000 }).toBe('cancelled')
    expect(Number((await row(requestId))?.cost_usd)).toBeGreaterThan(0)
    const next = await openai.chat.completions
      .create({ model: 'openai/gpt-4.1-mini', messages, stream: true })
      .catch((e: unknown) => e)
    expect((next as InstanceType<typeof OpenAI.APIError>).status).toBe(402)
  })

  it('ends a stream whose upstream sends a malformed line with an OpenAI-shaped error event, never the raw bytes', async () => {
    const { owner } = await client()
    upstream.script = (request, res) => {
      if (!request.path.includes('/custom/')) return false
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const head = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: SIM_CUSTOM_MODEL }
      res.write(`data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: 'Hi' } }] })}\n\n`)
      setTimeout(() => res.end('data: {"choices":[{"delta":{"content":"bro\n\n'), 30)
      return true
    }
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: owner.v1,
      payload: { model: `custom/${SIM_CUSTOM_MODEL}`, messages, stream: true },
    })
    expect(response.statusCode).toBe(200)
    expect(response.body).not.toContain('bro')
    const events = response.body.split('\n\n').filter((e) => e.startsWith('data: '))
    const last = JSON.parse((events.at(-1) as string).slice(6)) as { error: Record<string, unknown> }
    expect(last).toEqual({
      error: { message: expect.stringMatching(/not JSON/), type: 'api_error', param: null, code: 'stream_failed' },
    })
    expect(events.slice(0, -1).every((e) => (JSON.parse(e.slice(6)) as { object: string }).object)).toBe(true)
  })

  it('routes on when the stream is malformed from its first bytes, and ends a cut-off stream with an error event', async () => {
    const { owner } = await client()
    sim.setFaults({ malformed: true }, 'openai')
    const rerouted = await t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: owner.v1,
      payload: { model: 'default', messages, stream: true },
    })
    expect(rerouted.headers['x-optimaliq-provider']).toBe('anthropic')
    expect(rerouted.body).toMatch(/data: \[DONE\]\s*$/)
    expect(rerouted.body).not.toContain('bro')

    sim.setFaults({ truncate: true }, 'openai')
    const second = await userWithKey(t.app)
    const cut = await t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: second.v1,
      payload: { model: 'openai/gpt-4.1-mini', messages, stream: true },
    })
    const last = cut.body.trim().split('\n\n').at(-1) as string
    expect(JSON.parse(last.slice(6))).toMatchObject({ error: { code: 'stream_failed', type: 'api_error' } })
    expect(await row(String(cut.headers['x-request-id']))).toMatchObject({ status: 'error' })
  })
})
