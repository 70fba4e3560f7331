import { createOpenAI } from '@ai-sdk/openai'
import { generateText, streamText, Output, jsonSchema } from 'ai'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { runRetention } from '../../../src/governance/privacy/retention.ts'
import { createSimulator, simulatorEnv, type Simulator } from '../../../src/simulator/index.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'
import { createRecordingUpstream, type RecordingUpstream } from '../../helpers/recording-upstream.ts'

const GPT = 'openai/gpt-4.1-mini'
const CLAUDE = 'anthropic/claude-sonnet-4-0'
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

type Body = Record<string, unknown> & { input?: unknown; messages?: unknown[] }

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
}

const levers = {
  type: 'object',
  properties: { lever: { type: 'string' }, impact: { type: 'integer', minimum: 1, maximum: 5 } },
  required: ['lever', 'impact'],
  additionalProperties: false,
}

/**
 * `/v1/responses` (OpenAI's Responses API) through the one pipeline: OpenAI as the same-format
 * upstream (pass-through to the simulator's `/responses`), Anthropic translated through the AI SDK.
 * Clients: the official `openai` SDK and the AI SDK's default `createOpenAI` provider. A recording
 * upstream shows what each provider received (the whole conversation, never our state).
 */
describeBackends('/v1/responses', (backend) => {
  let sim: Simulator
  let upstream: RecordingUpstream
  let t: GatewayTestApp
  let port: number
  let openai: OpenAI
  let owner: Awaited<ReturnType<typeof userWithKey>>

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    upstream = await createRecordingUpstream(sim.url)
    t = await startGatewayApp(backend, {
      ...simulatorEnv(upstream.url, ['openai', 'anthropic', 'google']),
      AI_PROVIDER: 'openai',
      AI_MAX_RETRIES: '0',
      AI_BREAKER_THRESHOLD: '50',
      // Image URLs on loopback (served by the recording upstream below) are fetched for byte-only providers.
      AI_MEDIA_FETCH: 'any',
    })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    port = (t.app.server.address() as { port: number }).port
    owner = await userWithKey(t.app)
    openai = new OpenAI({ apiKey: owner.key.key, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 })
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

  const post = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/v1/responses', headers: { ...owner.v1, ...headers }, payload })
  const sent = (part: string) => upstream.to(part).map((r) => r.body as Body)
  const ledgerRow = async (requestId: string) => {
    await t.container.ai.ledger?.flush()
    const [row] = await t.database.db.query<Record<string, unknown>>('select * from ai_log where request_id = $1', [
      requestId,
    ])
    return row
  }

  it.each([
    ['OpenAI (same format, pass-through)', GPT, '/openai/v1/responses'],
    ['Anthropic (translated)', CLAUDE, '/anthropic/v1/messages'],
  ])('answers the openai SDK from %s, stores it, and retrieves it', async (_name, model, path) => {
    const { data, response } = await openai.responses
      .create({ model, input: 'One growth tip, please.', instructions: 'Be brief.', metadata: { team: 'growth' } })
      .withResponse()
    expect(data.id).toMatch(/^resp_/)
    expect(data.object).toBe('response')
    expect(data.status).toBe('completed')
    expect(data.output_text.length).toBeGreaterThan(0)
    expect(data.metadata).toEqual({ team: 'growth' })
    expect(data.instructions).toBe('Be brief.')
    expect(data.usage?.input_tokens).toBeGreaterThan(0)
    expect(data.usage?.output_tokens).toBeGreaterThan(0)
    expect(response.headers.get('x-optimaliq-provider')).toBe(model.split('/')[0])
    expect(upstream.to(path)).toHaveLength(1)
    if (model === GPT) {
      // Our state stays ours: upstream gets store: false and no previous_response_id.
      expect(sent(path)[0]).toMatchObject({ store: false, instructions: 'Be brief.', model: 'gpt-4.1-mini' })
      expect(sent(path)[0]).not.toHaveProperty('previous_response_id')
    } else expect(JSON.stringify(sent(path)[0])).toContain('Be brief.')

    const again = await openai.responses.retrieve(data.id)
    expect(again.id).toBe(data.id)
    expect(again.output).toEqual(data.output)

    const row = await ledgerRow(String(response.headers.get('x-request-id')))
    expect(row).toMatchObject({ feature: 'v1.responses', status: 'ok', user_id: owner.user.id })
    expect(Number(row?.input_tokens)).toBe(data.usage?.input_tokens)
    expect(Number(row?.cost_usd)).toBeGreaterThan(0)
  })

  it.each([
    ['OpenAI', GPT],
    ['Anthropic', CLAUDE],
  ])('streams the Responses event sequence from %s, numbered, and stores the final response', async (_n, model) => {
    const stream = await openai.responses.create({ model, input: 'Hello', stream: true })
    const events: OpenAI.Responses.ResponseStreamEvent[] = []
    for await (const event of stream) events.push(event)
    const types = events.map((e) => e.type)
    expect(types.slice(0, 5)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
    ])
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ])
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i))
    const text = events
      .filter((e): e is OpenAI.Responses.ResponseTextDeltaEvent => e.type === 'response.output_text.delta')
      .map((e) => e.delta)
      .join('')
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent
    const created = events[0] as OpenAI.Responses.ResponseCreatedEvent
    expect(completed.response.id).toBe(created.response.id)
    expect(completed.response.id).toMatch(/^resp_/)
    expect(completed.response.output_text ?? text).toBe(text)
    expect(completed.response.usage?.output_tokens).toBeGreaterThan(0)
    const stored = await openai.responses.retrieve(completed.response.id)
    expect(stored.output).toEqual(completed.response.output)

    // The SDK's stream helper rebuilds the same final response from the events.
    const helper = openai.responses.stream({ model, input: 'Hello again' })
    const final = await helper.finalResponse()
    expect(final.output_text.length).toBeGreaterThan(0)
  })

  it.each([
    ['OpenAI', GPT, '/openai/v1/responses'],
    ['Anthropic', CLAUDE, '/anthropic/v1/messages'],
  ])(
    'continues a conversation with previous_response_id (%s): the earlier turns are prepended',
    async (_n, model, path) => {
      const first = await openai.responses.create({ model, input: 'Name one growth lever.', instructions: 'Terse.' })
      const second = await openai.responses.create({ model, input: 'And another one?', previous_response_id: first.id })
      expect(second.previous_response_id).toBe(first.id)
      const [, body] = sent(path)
      const seen = JSON.stringify(body)
      expect(seen).toContain('Name one growth lever.')
      expect(seen).toContain(first.output_text)
      expect(seen).toContain('And another one?')
      // Instructions are not carried over (as at OpenAI): only the first request had them.
      expect(seen).not.toContain('Terse.')
      expect(second.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens)
      // A third turn chains through both.
      const third = await openai.responses.create({ model, input: 'Last one.', previous_response_id: second.id })
      const last = JSON.stringify(sent(path)[2])
      expect(last).toContain('Name one growth lever.')
      expect(last).toContain(second.output_text)
      expect(third.status).toBe('completed')
    },
  )

  it('leaves stored reasoning items OpenAI cannot read back (no encrypted_content) out of the replayed conversation', async () => {
    const first = await openai.responses.create({ model: GPT, input: 'Think first.' })
    const reasoning = (encrypted: boolean) => ({
      id: `rs_${encrypted ? 'kept' : 'left'}`,
      type: 'reasoning',
      summary: [],
      ...(encrypted ? { encrypted_content: 'opaque' } : {}),
    })
    await t.database.db.query('update ai_responses set output = $2::jsonb || output where id = $1', [
      first.id,
      JSON.stringify([reasoning(false), reasoning(true)]),
    ])
    await openai.responses.create({ model: GPT, input: 'Go on.', previous_response_id: first.id })
    const seen = JSON.stringify(sent('/openai/v1/responses')[1])
    expect(seen).toContain('rs_kept')
    expect(seen).not.toContain('rs_left')
    expect(seen).toContain(first.output_text)
  })

  it('keeps users apart: another user cannot retrieve, continue or delete a response (404, OpenAI shape)', async () => {
    const mine = await openai.responses.create({ model: GPT, input: 'Private plan.' })
    const other = await userWithKey(t.app)
    const theirs = new OpenAI({ apiKey: other.key.key, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 })
    const retrieve = await theirs.responses.retrieve(mine.id).catch((e: unknown) => e)
    expect(retrieve).toBeInstanceOf(OpenAI.NotFoundError)
    expect((retrieve as InstanceType<typeof OpenAI.APIError>).code).toBe('response_not_found')
    const continued = await theirs.responses
      .create({ model: GPT, input: 'Go on.', previous_response_id: mine.id })
      .catch((e: unknown) => e)
    expect(continued).toBeInstanceOf(OpenAI.NotFoundError)
    expect((continued as InstanceType<typeof OpenAI.APIError>).param).toBe('previous_response_id')
    expect((continued as InstanceType<typeof OpenAI.APIError>).code).toBe('previous_response_not_found')
    const deleted = await theirs.responses.delete(mine.id).catch((e: unknown) => e)
    expect(deleted).toBeInstanceOf(OpenAI.NotFoundError)
    // Still there for its owner, until the owner deletes it.
    expect((await openai.responses.retrieve(mine.id)).id).toBe(mine.id)
    const raw = await t.app.inject({ method: 'DELETE', url: `/v1/responses/${mine.id}`, headers: owner.v1 })
    expect(raw.json()).toEqual({ id: mine.id, object: 'response', deleted: true })
    expect(await openai.responses.retrieve(mine.id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError)
    // Row-level security is the wall, not only the code: under the other user's claims the row is invisible.
    const mine2 = await openai.responses.create({ model: GPT, input: 'Another private plan.' })
    const seen = await t.database.db.asUser({ sub: other.user.id, role: 'user' }, (tx) =>
      tx.execute(`select id from ai_responses where id = '${mine2.id}'` as never),
    )
    expect((seen as unknown as { rows: unknown[] }).rows).toHaveLength(0)
  })

  it('does not keep a response sent with store: false', async () => {
    const gone = await openai.responses.create({ model: GPT, input: 'Forget this.', store: false })
    expect(gone).toMatchObject({ store: false })
    expect(await openai.responses.retrieve(gone.id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError)
    const cont = await openai.responses
      .create({ model: GPT, input: 'Go on.', previous_response_id: gone.id })
      .catch((e: unknown) => e)
    expect(cont).toBeInstanceOf(OpenAI.NotFoundError)
    const streamed = await openai.responses.create({
      model: CLAUDE,
      input: 'Forget this too.',
      store: false,
      stream: true,
    })
    let id = ''
    for await (const event of streamed) if (event.type === 'response.completed') id = event.response.id
    expect(id).toMatch(/^resp_/)
    expect(await openai.responses.retrieve(id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError)
  })

  it.each([
    [{ input: [{ type: 'function_call_output', output: 'x' }] }, 'input[0].call_id', 'invalid_request'],
    [{ input: [{ role: 'user' }] }, 'input[0].content', 'invalid_request'],
    [{ input: [{ content: 'no role' }] }, 'input[0]', 'invalid_request'],
    [{ input: 'hi', temperature: 5 }, 'temperature', 'invalid_request'],
    [{ input: 'hi', max_output_tokens: 0 }, 'max_output_tokens', 'invalid_request'],
    [{}, 'input', 'invalid_request'],
    [{ input: 'hi', background: true }, 'background', 'unsupported_parameter'],
    [{ input: [{ type: 'item_reference', id: 'msg_nope' }] }, 'input[0].id', 'item_not_found'],
  ])('refuses bad input %j with param %s, before any upstream call', async (payload, param, code) => {
    const response = await post({ model: GPT, ...payload })
    expect(response.statusCode).toBeGreaterThanOrEqual(400)
    expect(response.statusCode).toBeLessThan(500)
    expect(response.json().error).toMatchObject({ param, code, type: 'invalid_request_error' })
    expect(upstream.requests).toHaveLength(0)
  })

  it('names what a translated provider cannot take (unsupported_parameter), or drops and lists it on request', async () => {
    const payload = {
      model: CLAUDE,
      input: 'Search for me.',
      tools: [{ type: 'web_search' }],
      top_logprobs: 2,
    }
    const refused = await post(payload)
    expect(refused.statusCode).toBe(400)
    expect(refused.json().error).toMatchObject({ code: 'unsupported_parameter', param: 'tools[0]' })
    expect(refused.json().error.message).toMatch(/web_search tools are not supported by anthropic\/claude-sonnet-4/)
    expect(upstream.requests).toHaveLength(0)
    // The SDK sees the same error.
    const viaSdk = await openai.responses
      .create({ model: CLAUDE, input: 'hi', text: { verbosity: 'low' } })
      .catch((e: unknown) => e)
    expect((viaSdk as InstanceType<typeof OpenAI.APIError>).param).toBe('text.verbosity')

    const dropped = await post(payload, { 'x-optimaliq-drop-params': 'true' })
    expect(dropped.statusCode).toBe(200)
    expect(dropped.headers['x-optimaliq-dropped-params']).toBe('tools[0], top_logprobs')
    expect(JSON.stringify(sent('/anthropic/')[0])).not.toContain('web_search')
    // The same-format upstream takes it as sent.
    const native = await post({ ...payload, model: GPT })
    expect(native.statusCode).toBe(200)
    expect(sent('/openai/v1/responses')[0]).toMatchObject({ tools: [{ type: 'web_search' }], top_logprobs: 2 })
  })

  it('carries images as input_image parts, in order', async () => {
    for (const model of [GPT, CLAUDE]) {
      const answer = await openai.responses.create({
        model,
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'What is in this picture?' },
              { type: 'input_image', image_url: PNG, detail: 'auto' },
            ],
          },
        ],
      })
      expect(answer.output_text.length).toBeGreaterThan(0)
    }
    expect(JSON.stringify(sent('/openai/v1/responses')[0])).toContain('"type":"input_image"')
    const claude = sent('/anthropic/')[0] as { messages: Array<{ content: Array<{ type: string }> }> }
    expect(claude.messages[0]?.content.map((c) => c.type)).toEqual(['text', 'image'])
  })

  it('fetches image URLs for a provider that takes only bytes (Gemini), as chat does', async () => {
    upstream.script = (request, res) => {
      if (request.path !== '/chart.png') return false
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from(PNG.split(',')[1] ?? '', 'base64'))
      return true
    }
    const answer = await openai.responses.create({
      model: 'google/gemini-2.5-flash',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Describe the chart.' },
            { type: 'input_image', image_url: `${upstream.url}/chart.png`, detail: 'auto' },
          ],
        },
      ],
    })
    expect(answer.output_text.length).toBeGreaterThan(0)
    const gemini = JSON.stringify(sent('/google/')[0])
    expect(gemini).toContain('"inlineData":{"mimeType":"image/png"')
  })

  it.each([
    ['OpenAI', GPT],
    ['Anthropic', CLAUDE],
  ])('runs a tool round trip (%s): function_call out, function_call_output back', async (_n, model) => {
    const call = await openai.responses.create({
      model,
      input: 'Weather in Lisbon?',
      tools: [weatherTool],
      tool_choice: { type: 'function', name: 'get_weather' },
    })
    const fc = call.output.find((i): i is OpenAI.Responses.ResponseFunctionToolCall => i.type === 'function_call')
    expect(fc?.name).toBe('get_weather')
    expect(JSON.parse(fc!.arguments)).toHaveProperty('city')
    const answer = await openai.responses.create({
      model,
      previous_response_id: call.id,
      tools: [weatherTool],
      input: [{ type: 'function_call_output', call_id: fc!.call_id, output: '{"celsius": 21}' }],
    })
    expect(answer.output_text.length).toBeGreaterThan(0)
    const seen = JSON.stringify(upstream.requests.at(-1)?.body)
    expect(seen).toContain(fc!.call_id)
    expect(seen).toContain('celsius')
    // Without the store: the whole exchange as input items works too.
    const stateless = await openai.responses.create({
      model,
      store: false,
      tools: [weatherTool],
      input: [
        { role: 'user', content: 'Weather in Lisbon?' },
        { type: 'function_call', call_id: fc!.call_id, name: 'get_weather', arguments: fc!.arguments },
        { type: 'function_call_output', call_id: fc!.call_id, output: '{"celsius": 21}' },
      ],
    })
    expect(stateless.output_text.length).toBeGreaterThan(0)
  })

  it.each([
    ['OpenAI', GPT],
    ['Anthropic', CLAUDE],
  ])(
    'answers text.format json_schema (strict) with a valid object (%s), repairing an invalid one',
    async (_n, model) => {
      const format = { type: 'json_schema' as const, name: 'lever', schema: levers, strict: true }
      const answer = await openai.responses.create({ model, input: 'One lever as JSON.', text: { format } })
      const parsed = JSON.parse(answer.output_text) as { lever: string; impact: number }
      expect(typeof parsed.lever).toBe('string')
      expect(parsed.impact).toBeGreaterThanOrEqual(1)
      expect(parsed.impact).toBeLessThanOrEqual(5)
      // An answer that violates the schema is repaired once; if that fails too, it is never returned.
      sim.setFaults({ invalidSchema: true }, model.split('/')[0])
      const invalid = await post({ model, input: 'One lever as JSON.', text: { format } })
      expect(invalid.statusCode).toBeGreaterThanOrEqual(500)
      expect(upstream.requests.length).toBe(3)
      sim.clearFaults()
      const json = await openai.responses.create({
        model,
        input: 'Any JSON object.',
        text: { format: { type: 'json_object' } },
      })
      expect(JSON.parse(json.output_text)).toBeTypeOf('object')
    },
  )

  it.each([
    ['OpenAI', GPT],
    ['Anthropic', CLAUDE],
  ])(
    'checks a streamed json_schema answer at its end (%s): a failing one ends with invalid_output, unstored',
    async (_n, model) => {
      const format = { type: 'json_schema', name: 'lever', schema: levers, strict: true }
      const parse = (body: string) =>
        body
          .trim()
          .split('\n\n')
          .map(
            (e) =>
              JSON.parse(
                e
                  .split('\n')
                  .find((l) => l.startsWith('data: '))!
                  .slice(6),
              ) as Record<string, unknown>,
          )
      const good = parse((await post({ model, input: 'One lever.', text: { format }, stream: true })).body)
      expect(good.at(-1)).toMatchObject({ type: 'response.completed' })
      sim.setFaults({ invalidSchema: true }, model.split('/')[0])
      const bad = await post({ model, input: 'One lever.', text: { format }, stream: true })
      const events = parse(bad.body)
      expect(events.at(-1), JSON.stringify(events.at(-1))).toMatchObject({
        type: 'error',
        code: 'invalid_output',
        param: 'text.format',
      })
      expect(events.some((e) => e.type === 'response.completed')).toBe(false)
      const id = (events[0] as { response: { id: string } }).response.id
      expect(await openai.responses.retrieve(id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError)
      await expect
        .poll(async () => (await ledgerRow(String(bad.headers['x-request-id'])))?.error_class, { timeout: 5000 })
        .toBe('invalid_output')
    },
  )

  it('serves the AI SDK default OpenAI provider (Responses API): generateText, streamText, tools, structured output, multi-turn', async () => {
    const sentToUs: string[] = []
    const provider = createOpenAI({
      apiKey: owner.key.key,
      baseURL: `http://127.0.0.1:${port}/v1`,
      fetch: async (url, init) => {
        sentToUs.push(String(init?.body ?? ''))
        return fetch(url, init)
      },
    })
    for (const model of [GPT, CLAUDE]) {
      const text = await generateText({ model: provider(model), prompt: 'One growth tip.', maxRetries: 0 })
      expect(text.text.length).toBeGreaterThan(0)
      expect(text.usage.inputTokens).toBeGreaterThan(0)
      expect(text.providerMetadata?.openai?.responseId).toMatch(/^resp_/)

      const streamed = streamText({ model: provider(model), prompt: 'Another tip.', maxRetries: 0 })
      let chunks = ''
      for await (const delta of streamed.textStream) chunks += delta
      expect(chunks.length).toBeGreaterThan(0)
      expect((await streamed.usage).outputTokens).toBeGreaterThan(0)
      expect(await streamed.finishReason).toBe('stop')

      // Multi-turn: the assistant's earlier message goes back as an item_reference (store is on), resolved from our store.
      const next = await generateText({
        model: provider(model),
        messages: [
          { role: 'user', content: 'One growth tip.' },
          ...text.response.messages,
          { role: 'user', content: 'More?' },
        ],
        maxRetries: 0,
      })
      expect(next.text.length).toBeGreaterThan(0)
      expect(sentToUs.at(-1)).toContain('"type":"item_reference"')
      expect(JSON.stringify(upstream.requests.at(-1)?.body)).toContain(text.text)

      const structured = await generateText({
        model: provider(model),
        prompt: 'One lever.',
        output: Output.object({ schema: jsonSchema<{ lever: string; impact: number }>(levers as never) }),
        maxRetries: 0,
      })
      expect(typeof structured.output.lever).toBe('string')

      const tooled = await generateText({
        model: provider(model),
        prompt: 'Weather in Lisbon?',
        tools: {
          get_weather: {
            description: 'The weather in a city',
            inputSchema: jsonSchema<{ city: string }>(weatherTool.parameters as never),
          },
        },
        toolChoice: { type: 'tool', toolName: 'get_weather' },
        maxRetries: 0,
      })
      expect(tooled.toolCalls[0]?.toolName).toBe('get_weather')
    }
  })

  it('routes on from a stream malformed in its first bytes; a cut-off or failing stream ends with a numbered error event and is not stored', async () => {
    const events = (body: string) =>
      body
        .trim()
        .split('\n\n')
        .map(
          (e) =>
            JSON.parse(
              e
                .split('\n')
                .find((l) => l.startsWith('data: '))!
                .slice(6),
            ) as Record<string, unknown>,
        )
    sim.setFaults({ malformed: true }, 'openai')
    const rerouted = await post({ model: 'default', input: 'Hello', stream: true })
    expect(rerouted.headers['x-optimaliq-provider']).toBe('anthropic')
    expect(rerouted.headers['x-optimaliq-fallback']).toBe('true')
    expect(events(rerouted.body).at(-1)).toMatchObject({ type: 'response.completed' })

    for (const fault of [{ truncate: true }, { streamError: true }]) {
      sim.setFaults(fault, 'openai')
      const cut = await post({ model: GPT, input: 'Hello', stream: true })
      const seen = events(cut.body)
      const last = seen.at(-1) as { type: string; code?: string; sequence_number: number }
      expect(last.type).toBe('error')
      if ('truncate' in fault) {
        // Our own error event continues the numbering.
        expect(last).toMatchObject({ code: 'stream_failed' })
        expect(last.sequence_number).toBe((seen.at(-2) as { sequence_number: number }).sequence_number + 1)
      }
      expect(seen.some((e) => e.type === 'response.completed')).toBe(false)
      const id = (seen[0] as { response: { id: string } }).response.id
      expect(await openai.responses.retrieve(id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError)
      await t.container.ai.ledger?.flush()
      await expect
        .poll(async () => (await ledgerRow(String(cut.headers['x-request-id'])))?.status, { timeout: 5000 })
        .toBe('error')
    }
  })

  it('forgets stored responses after their retention (AI_RESPONSES_RETENTION_DAYS)', async () => {
    const old = await openai.responses.create({ model: GPT, input: 'An old question.' })
    const fresh = await openai.responses.create({ model: GPT, input: 'A fresh question.' })
    await t.database.db.query("update ai_responses set created_at = now() - interval '31 days' where id = $1", [old.id])
    const result = await runRetention(t.database.db, { aiLogDays: 0, eventsDays: 0, responsesDays: 30 })
    expect(result.responses).toBeGreaterThanOrEqual(1)
    expect(await openai.responses.retrieve(old.id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError)
    expect((await openai.responses.retrieve(fresh.id)).id).toBe(fresh.id)
  })

  it('refuses GET with stream=true and unknown ids in OpenAI shape', async () => {
    const stream = await t.app.inject({ method: 'GET', url: '/v1/responses/resp_x?stream=true', headers: owner.v1 })
    expect(stream.statusCode).toBe(400)
    expect(stream.json().error).toMatchObject({ param: 'stream', code: 'unsupported_parameter' })
    // A control character in the id is a 400 naming it, never a database error (the fuzzer found a 500).
    for (const method of ['GET', 'DELETE'] as const) {
      const bad = await t.app.inject({ method, url: '/v1/responses/%00', headers: owner.v1 })
      expect(bad.statusCode, method).toBe(400)
      expect(bad.json().error).toMatchObject({ param: 'id', type: 'invalid_request_error' })
    }
    const missing = await t.app.inject({ method: 'GET', url: '/v1/responses/resp_missing', headers: owner.v1 })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toEqual({
      error: {
        message: "Response with id 'resp_missing' not found.",
        type: 'invalid_request_error',
        param: null,
        code: 'response_not_found',
      },
    })
    const anonymous = await t.app.inject({ method: 'GET', url: '/v1/responses/resp_missing' })
    expect(anonymous.statusCode).toBe(401)
  })
})

describe('/v1/responses budgets', () => {
  let sim: Simulator
  let t: GatewayTestApp
  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    t = await startGatewayApp('pglite', {
      ...simulatorEnv(sim.url, ['openai']),
      AI_PROVIDER: 'openai',
      AI_LIMITS_ENABLED: 'true',
      AI_BUDGETS: JSON.stringify({ user: { free: { dailyUsd: 0.00001 } }, rulesFallback: false }),
    })
  }, 120_000)
  afterAll(async () => {
    await t?.close()
    await sim?.close()
  })

  it('charges responses like chat: once the daily budget is spent, the next response is refused', async () => {
    const owner = await userWithKey(t.app)
    const ask = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/responses',
        headers: owner.v1,
        payload: { model: GPT, input: 'A long answer, please. '.repeat(20) },
      })
    expect((await ask()).statusCode).toBe(200)
    await t.container.ai.ledger?.flush()
    const refused = await ask()
    expect(refused.statusCode).toBe(402)
    expect(refused.json().error.code).toBe('budget_exceeded')
  })
})
