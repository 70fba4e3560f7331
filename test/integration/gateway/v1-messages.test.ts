import Anthropic from '@anthropic-ai/sdk'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { createSimulator, simulatorEnv, type Simulator } from '../../../src/simulator/index.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'
import { createRecordingUpstream, type RecordingUpstream } from '../../helpers/recording-upstream.ts'

const PNG_DATA = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
const CLAUDE = 'anthropic/claude-sonnet-4-0'
const GPT = 'openai/gpt-4.1-mini'

type Row = {
  feature: string
  provider: string
  status: string
  input_tokens: number | null
  output_tokens: number | null
  cost_usd: string | null
  api_key_id: string | null
}
type Sent = Record<string, unknown> & { messages?: Array<{ role: string; content: unknown }> }

const weather: Anthropic.Tool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
}

/**
 * `/v1/messages`, the Anthropic Messages API, through the official `@anthropic-ai/sdk`: passed
 * through to an Anthropic upstream, translated to an OpenAI-format one; tools, images, streams,
 * the ledger, `x-api-key` auth, and bad input in Anthropic's error shape naming the field.
 */
describeBackends('/v1/messages', (backend) => {
  let sim: Simulator
  let upstream: RecordingUpstream
  let t: GatewayTestApp
  let base: string
  let client: Anthropic
  let keyId: string
  let key: string

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    upstream = await createRecordingUpstream(sim.url)
    t = await startGatewayApp(backend, {
      ...simulatorEnv(upstream.url, ['openai', 'anthropic']),
      AI_PROVIDER: 'anthropic',
      AI_MAX_RETRIES: '0',
      AI_BREAKER_THRESHOLD: '50',
    })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const owner = await userWithKey(t.app)
    key = owner.key.key
    keyId = owner.key.id
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
    // The SDK sends the key as x-api-key, and anthropic-version on every request.
    client = new Anthropic({ apiKey: key, baseURL: base, maxRetries: 0 })
  }, 120_000)
  afterAll(async () => {
    await t?.close()
    await upstream?.close()
    await sim?.close()
  })
  beforeEach(() => {
    sim.clearFaults()
    upstream.clear()
  })

  const sent = (part: string) => upstream.to(part).map((r) => r.body as Sent)
  /** The ledger row of a request. A stream settles as its last event is written, which the client may read first: look again. */
  const ledgerRow = async (requestId: string) => {
    for (let tries = 0; tries < 50; tries++) {
      await t.container.ai.ledger?.flush()
      const [row] = await t.database.db.query<Row>(
        'select feature, provider, status, input_tokens, output_tokens, cost_usd, api_key_id from ai_log where request_id = $1',
        [requestId],
      )
      if (row) return row
      await new Promise((resolve) => setImmediate(resolve))
    }
    return undefined
  }
  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', ...headers },
      payload: payload as Record<string, unknown>,
    })

  it('answers end_turn for a translated answer that an OpenAI upstream stopped at a sequence (OpenAI does not say which)', async () => {
    // Every answer of the simulator has a space: OpenAI's `stop` ends it at the first word and strips the space.
    const message = await client.messages.create({
      model: 'openai/gpt-4.1-mini',
      max_tokens: 50,
      stop_sequences: [' '],
      messages: [{ role: 'user', content: 'One growth tip.' }],
    })
    expect(sent('/openai/')[0]).toMatchObject({ stop: [' '] })
    expect(message.content[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/^\S+$/) })
    // finish_reason `stop` covers a natural end and a stop sequence alike: no sequence is made up.
    expect(message).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null })
    // An Anthropic upstream says so itself (passed through as it came).
    const native = await client.messages.create({
      model: CLAUDE,
      max_tokens: 50,
      stop_sequences: [' '],
      messages: [{ role: 'user', content: 'One growth tip.' }],
    })
    expect(native).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ' ' })
  })

  it('passes a JSON request through to an Anthropic upstream (system blocks, params, metadata) and records it', async () => {
    const { data: message, response } = await client.messages
      .create({
        model: CLAUDE,
        max_tokens: 64,
        system: [{ type: 'text', text: 'You are terse.' }],
        messages: [{ role: 'user', content: 'One growth tip, please.' }],
        // Sampling parameters the Messages API takes (newer SDK types leave them out).
        ...({ temperature: 0.2, top_k: 5 } as object),
        stop_sequences: ['END'],
        metadata: { user_id: 'user-42' },
      })
      .withResponse()
    expect(message.type).toBe('message')
    expect(message.role).toBe('assistant')
    expect(message.content[0]).toMatchObject({ type: 'text', text: expect.any(String) })
    expect(message.stop_reason).toBe('end_turn')
    expect(message.usage.input_tokens).toBeGreaterThan(0)
    expect(response.headers.get('x-optimaliq-provider')).toBe('anthropic')
    const [request] = upstream.to('/anthropic/v1/messages')
    // The upstream gets our provider key and the client's anthropic-version, which is echoed back.
    expect(request?.headers['x-api-key']).toBe('sim-anthropic-key')
    expect(request?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(response.headers.get('anthropic-version')).toBe(request?.headers['anthropic-version'])
    expect(request?.body).toMatchObject({
      // The alias resolved to the model's real id.
      model: 'claude-sonnet-4-20250514',
      temperature: 0.2,
      system: [{ type: 'text', text: 'You are terse.' }],
      top_k: 5,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-42' },
    })
    const row = await ledgerRow(response.headers.get('x-request-id') as string)
    expect(row).toMatchObject({ feature: 'v1.messages', provider: 'anthropic', status: 'ok', api_key_id: keyId })
    expect(row?.input_tokens).toBe(message.usage.input_tokens)
    expect(row?.output_tokens).toBe(message.usage.output_tokens)
    expect(Number(row?.cost_usd)).toBeGreaterThan(0)
  })

  it('translates to an OpenAI-format upstream: system, images, a tool round trip, answered in Anthropic shape', async () => {
    const first = await client.messages.create({
      model: GPT,
      max_tokens: 100,
      system: 'You are a weather bot.',
      tools: [weather],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is the weather here?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_DATA } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/sky.png' } },
          ],
        },
      ],
    })
    expect(first.stop_reason).toBe('tool_use')
    const call = first.content.find((b) => b.type === 'tool_use')
    expect(call).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: expect.any(String) } })
    const [openaiSent] = sent('/openai/v1/chat/completions')
    expect(openaiSent?.messages?.[0]).toEqual({ role: 'system', content: 'You are a weather bot.' })
    expect(openaiSent?.messages?.[1]?.content).toEqual([
      { type: 'text', text: 'What is the weather here?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_DATA}` } },
      { type: 'image_url', image_url: { url: 'https://example.com/sky.png' } },
    ])
    expect(openaiSent?.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } })
    expect(openaiSent?.tools).toEqual([
      expect.objectContaining({ type: 'function', function: expect.objectContaining({ name: 'get_weather' }) }),
    ])

    upstream.clear()
    const toolUse = call as Anthropic.ToolUseBlock
    const second = await client.messages.create({
      model: GPT,
      max_tokens: 100,
      tools: [weather],
      messages: [
        { role: 'user', content: 'What is the weather in Paris?' },
        { role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: toolUse.id, content: 'Sunny, 21 °C' },
            { type: 'text', text: 'Summarise it.' },
          ],
        },
      ],
    })
    expect(second.content[0]).toMatchObject({ type: 'text' })
    expect(second.stop_reason).toBe('end_turn')
    const messages = sent('/openai/v1/chat/completions')[0]?.messages
    expect(messages?.[1]).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: toolUse.id, type: 'function', function: { name: 'get_weather' } }],
    })
    expect(messages?.[2]).toEqual({ role: 'tool', tool_call_id: toolUse.id, content: 'Sunny, 21 °C' })
    expect(messages?.[3]).toEqual({ role: 'user', content: 'Summarise it.' })
  })

  it('streams from an Anthropic upstream with its own events; the SDK assembles the message', async () => {
    const stream = client.messages.stream({
      model: CLAUDE,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Say hello.' }],
    })
    const events: string[] = []
    let text = ''
    for await (const event of stream) {
      events.push(event.type)
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text
    }
    const message = await stream.finalMessage()
    expect(events[0]).toBe('message_start')
    expect(events).toContain('content_block_delta')
    expect(events.at(-1)).toBe('message_stop')
    expect(message.content[0]).toMatchObject({ type: 'text', text })
    expect(message.usage.output_tokens).toBeGreaterThan(0)
    const requestId = stream.response?.headers.get('x-request-id') ?? ''
    const row = await ledgerRow(requestId)
    expect(row).toMatchObject({ feature: 'v1.messages', provider: 'anthropic', status: 'ok' })
    expect(row?.output_tokens).toBe(message.usage.output_tokens)
  })

  it('streams a translated answer as Anthropic events: text deltas, tool_use with input_json_delta, usage at the end', async () => {
    const textStream = client.messages.stream({
      model: GPT,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Say hello.' }],
    })
    const types: string[] = []
    for await (const event of textStream) types.push(event.type)
    const message = await textStream.finalMessage()
    expect(types).toEqual(expect.arrayContaining(['message_start', 'content_block_start', 'message_delta']))
    expect(types.at(-1)).toBe('message_stop')
    expect(message.content[0]).toMatchObject({ type: 'text', text: expect.any(String) })
    expect(message.stop_reason).toBe('end_turn')
    expect(message.usage.input_tokens).toBeGreaterThan(0)
    expect(message.usage.output_tokens).toBeGreaterThan(0)
    const row = await ledgerRow(textStream.response?.headers.get('x-request-id') ?? '')
    expect(row).toMatchObject({ provider: 'openai', status: 'ok', input_tokens: message.usage.input_tokens })

    // The raw events, as Anthropic frames them (the SDK hides ping).
    const raw = await post({ model: GPT, max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'Hi' }] })
    expect(raw.headers['content-type']).toContain('text/event-stream')
    expect(raw.body).toMatch(/^event: message_start\ndata: \{"type":"message_start"/)
    expect(raw.body).toContain('event: ping\ndata: {"type":"ping"}\n\n')
    expect(raw.body).toMatch(/event: message_stop\ndata: \{"type":"message_stop"\}\n\n$/)

    const toolStream = client.messages.stream({
      model: GPT,
      max_tokens: 64,
      tools: [weather],
      tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
    })
    const deltas: string[] = []
    for await (const event of toolStream)
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta')
        deltas.push(event.delta.partial_json)
    const final = await toolStream.finalMessage()
    expect(deltas.length).toBeGreaterThan(0)
    expect(final.stop_reason).toBe('tool_use')
    expect(final.content[0]).toMatchObject({
      type: 'tool_use',
      name: 'get_weather',
      input: { city: expect.any(String) },
    })
  })

  it('takes the key as a Bearer token too, and refuses a missing or wrong key with authentication_error', async () => {
    const bearer = await t.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01' },
      payload: { model: CLAUDE, max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] },
    })
    expect(bearer.statusCode).toBe(200)
    expect(bearer.json()).toMatchObject({ type: 'message' })

    const wrong = new Anthropic({ apiKey: 'oq_not-a-real-key', baseURL: base, maxRetries: 0 })
    const error = await wrong.messages
      .create({ model: CLAUDE, max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError)
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    })
    const none = await t.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { 'anthropic-version': '2023-06-01' },
      payload: {},
    })
    expect(none.statusCode).toBe(401)
    expect(none.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
  })

  it('answers bad input with invalid_request_error naming the field, before any upstream call', async () => {
    const cases: Array<[unknown, Record<string, string>, RegExp]> = [
      // A missing field in Anthropic's words.
      [{ model: CLAUDE, messages: [{ role: 'user', content: 'Hi' }] }, {}, /^max_tokens: Field required$/],
      [{ model: CLAUDE, max_tokens: 10, messages: [] }, {}, /^messages: /],
      [{ model: CLAUDE, max_tokens: 10, messages: [{ role: 'system', content: 'Hi' }] }, {}, /^messages\.0\.role: /],
      [
        { model: CLAUDE, max_tokens: 10, temperature: 1.5, messages: [{ role: 'user', content: 'x' }] },
        {},
        /^temperature: /,
      ],
      [
        { model: CLAUDE, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
        { 'anthropic-version': '' },
        /^anthropic-version: header is required/,
      ],
      [
        { model: CLAUDE, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
        { 'anthropic-version': 'latest' },
        /^anthropic-version: /,
      ],
      // A translated upstream cannot carry top_k: refused by name, with the model.
      [
        { model: GPT, max_tokens: 10, top_k: 3, messages: [{ role: 'user', content: 'x' }] },
        {},
        /^top_k: top_k is not supported \(openai\/gpt-4\.1-mini\)/,
      ],
      [
        { model: GPT, max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] },
        {},
        /^messages\.0\.content\.0: document blocks/,
      ],
    ]
    for (const [payload, headers, message] of cases) {
      const answer = await post(payload, headers)
      expect(answer.statusCode, JSON.stringify(payload)).toBe(400)
      const body = answer.json<{ type: string; error: { type: string; message: string } }>()
      expect(body.type).toBe('error')
      expect(body.error.type).toBe('invalid_request_error')
      expect(body.error.message).toMatch(message)
    }
    expect(upstream.requests).toHaveLength(0)

    // The SDK surfaces it as its BadRequestError with our body.
    const error = await client.messages
      .create({ model: CLAUDE, max_tokens: 0, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Anthropic.BadRequestError)
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).message).toContain('max_tokens')
  })

  it('drops what a translated model cannot take when asked, and lists it', async () => {
    const answer = await post(
      { model: GPT, max_tokens: 10, top_k: 3, messages: [{ role: 'user', content: 'x' }] },
      { 'x-optimaliq-drop-params': 'true' },
    )
    expect(answer.statusCode).toBe(200)
    expect(answer.headers['x-optimaliq-dropped-params']).toBe('top_k')
    expect(sent('/openai/')[0]).not.toHaveProperty('top_k')
  })

  it("returns an upstream's own 400 as Anthropic's invalid_request_error with its message", async () => {
    const answer = await post({
      model: CLAUDE,
      max_tokens: 10,
      tools: [weather],
      tool_choice: { type: 'tool', name: 'no_such_tool' },
      messages: [{ role: 'user', content: 'x' }],
    })
    expect(answer.statusCode).toBe(400)
    expect(answer.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('no_such_tool') },
    })
  })

  it("ends an upstream stream that is cut off with Anthropic's error event, and the ledger says so", async () => {
    upstream.script = (request, res) => {
      if (!request.path.includes('/anthropic/')) return false
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end(
        'event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"x","content":[],"usage":{"input_tokens":3,"output_tokens":1}}}\n\n',
      )
      return true
    }
    try {
      const answer = await post({
        model: CLAUDE,
        max_tokens: 16,
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      })
      expect(answer.statusCode).toBe(200)
      expect(answer.body).toMatch(
        /event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"[^"]*message_stop/,
      )
      const row = await ledgerRow(answer.headers['x-request-id'] as string)
      expect(row).toMatchObject({ status: 'error', input_tokens: 3 })
    } finally {
      upstream.script = undefined
    }
  })

  it('caches a JSON answer per tenant when asked (x-optimaliq-cache-ttl)', async () => {
    const payload = { model: CLAUDE, max_tokens: 16, messages: [{ role: 'user', content: 'Cache me.' }] }
    const first = await post(payload, { 'x-optimaliq-cache-ttl': '60' })
    const second = await post(payload, { 'x-optimaliq-cache-ttl': '60' })
    expect(first.headers['x-optimaliq-cache']).toBe('miss')
    expect(second.headers['x-optimaliq-cache']).toBe('hit')
    expect(second.json()).toEqual(first.json())
    expect(upstream.to('/anthropic/')).toHaveLength(1)
  })
})
