import { createServer, type Server } from 'node:http'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { createSimulator, simulatorEnv, type Simulator } from '../../../src/simulator/index.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'
import { createRecordingUpstream, type RecordingUpstream } from '../../helpers/recording-upstream.ts'

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
const CLAUDE = 'anthropic/claude-sonnet-4-0'
const GEMINI = 'google/gemini-2.5-flash'
/** A few bytes of a RIFF/WAVE header: what matters is that they arrive as sent. */
const WAV = Buffer.from('RIFF$\u0000\u0000\u0000WAVEfmt ').toString('base64')

type Body = Record<string, unknown> & { messages?: Array<{ content: unknown }> }

/**
 * Faithful translation on `/v1` to providers of another wire format (Anthropic, Gemini, Mistral
 * through the AI SDK): what the client sent reaches the provider (a recording upstream shows it),
 * or is refused with a 400 naming it — or dropped and listed when the client opted in.
 */
describeBackends('/v1 translation', (backend) => {
  let sim: Simulator
  let upstream: RecordingUpstream
  let t: GatewayTestApp
  let openai: OpenAI
  let v1: Record<string, string>
  let images: Server
  let imageBase: string

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    upstream = await createRecordingUpstream(sim.url)
    t = await startGatewayApp(backend, {
      ...simulatorEnv(upstream.url, ['openai', 'anthropic', 'google', 'mistral']),
      AI_PROVIDER: 'openai',
      AI_MAX_RETRIES: '0',
      AI_BREAKER_THRESHOLD: '50',
      // Image URLs on loopback (the test's image server) are fetched; the default refuses private hosts.
      AI_MEDIA_FETCH: 'any',
    })
    images = createServer((req, res) => {
      if (req.url === '/chart.png')
        res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from(PNG.split(',')[1] ?? '', 'base64'))
      else if (req.url === '/moved') res.writeHead(302, { location: '/chart.png' }).end()
      else if (req.url === '/page') res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>')
      else res.writeHead(404).end()
    })
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve))
    imageBase = `http://127.0.0.1:${(images.address() as { port: number }).port}`
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const owner = await userWithKey(t.app)
    v1 = owner.v1
    const { port } = t.app.server.address() as { port: number }
    openai = new OpenAI({ apiKey: owner.key.key, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 })
  }, 120_000)
  afterAll(async () => {
    await new Promise((resolve) => images?.close(resolve))
    await t?.close()
    await upstream?.close()
    await sim?.close()
  })
  beforeEach(() => {
    sim.clearFaults()
    upstream.clear()
  })

  const ask = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { ...v1, ...headers },
      payload: { messages: [{ role: 'user', content: 'One growth tip, please.' }], ...payload },
    })
  const received = (part: string) => upstream.to(part).map((r) => r.body as Body)

  it('carries text parts in order and images (data: and https URLs) to Anthropic as its own blocks', async () => {
    const answer = await openai.chat.completions.create({
      model: CLAUDE,
      messages: [
        {
          role: 'user',
          content: [
            // Anthropic's prompt-caching hint rides along (a provider extra).
            { type: 'text', text: 'First part.', cache_control: { type: 'ephemeral' } } as never,
            { type: 'image_url', image_url: { url: PNG } },
            { type: 'text', text: 'Second part.' },
            { type: 'image_url', image_url: { url: 'https://example.com/chart.png' } },
          ],
        },
      ],
    })
    expect(answer.choices[0]?.message.content).toEqual(expect.any(String))
    const [sent] = received('/anthropic/')
    expect(sent?.messages?.[0]?.content).toEqual([
      expect.objectContaining({ type: 'text', text: 'First part.', cache_control: { type: 'ephemeral' } }),
      expect.objectContaining({
        type: 'image',
        source: { type: 'base64', media_type: 'image/png', data: PNG.split(',')[1] },
      }),
      expect.objectContaining({ type: 'text', text: 'Second part.' }),
      expect.objectContaining({ type: 'image', source: { type: 'url', url: 'https://example.com/chart.png' } }),
    ])
  })

  it('fetches image URLs for Gemini (which takes bytes), follows a redirect, and carries audio parts as inline data', async () => {
    const response = await ask({
      model: GEMINI,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Read these:' },
            { type: 'image_url', image_url: { url: `${imageBase}/chart.png` } },
            { type: 'image_url', image_url: { url: `${imageBase}/moved` } },
            { type: 'input_audio', input_audio: { data: WAV, format: 'wav' } },
          ],
        },
      ],
    })
    expect(response.statusCode, response.body).toBe(200)
    const parts = (received('/google/')[0] as { contents?: Array<{ parts: unknown[] }> }).contents?.[0]?.parts
    const png = PNG.split(',')[1]
    expect(parts).toEqual([
      { text: 'Read these:' },
      { inlineData: { mimeType: 'image/png', data: png } },
      { inlineData: { mimeType: 'image/png', data: png } },
      { inlineData: { mimeType: 'audio/wav', data: WAV } },
    ])
  })

  it('answers 400 invalid_image_url naming the part when an image URL cannot be fetched, without calling the provider', async () => {
    for (const [path, reason] of [
      ['/missing.png', 'answered 404'],
      ['/page', 'not an image'],
    ] as const) {
      const response = await ask({
        model: GEMINI,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'x' },
              { type: 'image_url', image_url: { url: `${imageBase}${path}` } },
            ],
          },
        ],
      })
      expect(response.statusCode, path).toBe(400)
      const { error } = response.json() as { error: { code: string; param: string; message: string } }
      expect(error).toMatchObject({ code: 'invalid_image_url', param: 'messages[0].content[1].image_url.url' })
      expect(error.message).toContain(reason)
    }
    expect(received('/google/')).toHaveLength(0)
  })

  it('maps seed, penalties and reasoning_effort to Gemini, and user and reasoning_effort to Anthropic', async () => {
    const gemini = await ask({
      model: 'google/gemini-2.0-flash',
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      top_p: 0.9,
      stop: ['END'],
      reasoning_effort: 'low',
    })
    expect(gemini.statusCode).toBe(200)
    expect(received('/google/')[0]?.generationConfig).toMatchObject({
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      topP: 0.9,
      stopSequences: ['END'],
      thinkingConfig: { thinkingLevel: 'low' },
    })

    const claude = await ask({ model: CLAUDE, user: 'user-42', reasoning_effort: 'high', n: 1, logprobs: false })
    expect(claude.statusCode).toBe(200)
    const sent = received('/anthropic/')[0]
    expect(sent?.metadata).toEqual({ user_id: 'user-42' })
    expect(JSON.stringify(sent)).toContain('"effort":"high"')
  })

  it('refuses what a provider cannot take with a 400 unsupported_parameter naming it and the model, before any upstream call', async () => {
    for (const [payload, param] of [
      [{ model: CLAUDE, seed: 7 }, 'seed'],
      [{ model: CLAUDE, n: 2 }, 'n'],
      [{ model: GEMINI, logprobs: true }, 'logprobs'],
      [{ model: GEMINI, user: 'user-42' }, 'user'],
      [
        { model: GEMINI, messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: {} }] }] },
        'messages[0].content[0].cache_control',
      ],
      // The AI SDK leaves penalties out for Gemini 2.5 on the Developer API: refused, not lost.
      [{ model: GEMINI, presence_penalty: 0.5 }, 'presence_penalty'],
      [{ model: CLAUDE, logit_bias: { '42': 1 } }, 'logit_bias'],
      [
        {
          model: CLAUDE,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'x' },
                { type: 'input_audio', input_audio: { data: WAV, format: 'wav' } },
              ],
            },
          ],
        },
        'messages[0].content[1]',
      ],
    ] as const) {
      const response = await ask(payload)
      expect(response.statusCode, param).toBe(400)
      const { error } = response.json() as { error: { code: string; param: string; message: string } }
      expect(error).toMatchObject({ code: 'unsupported_parameter', param, type: 'invalid_request_error' })
      // The message names the model that would have been called: a catalog alias as its real id.
      const [provider, name] = payload.model.split('/') as [string, string]
      expect(error.message).toContain(
        `${provider}/${t.container.ai.catalog.resolveModel(payload.model)?.model ?? name}`,
      )
    }
    expect(upstream.requests).toHaveLength(0)
  })

  it('drops what a provider cannot take when the client opts in, and lists it in x-optimaliq-dropped-params', async () => {
    const response = await ask(
      {
        model: CLAUDE,
        seed: 7,
        n: 2,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe.' },
              { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
            ],
          },
        ],
      },
      { 'x-optimaliq-drop-params': 'true' },
    )
    expect(response.statusCode).toBe(200)
    expect(response.headers['x-optimaliq-dropped-params']).toBe('n, seed, messages[0].content[1]')
    const sent = received('/anthropic/')[0]
    expect(sent?.messages?.[0]?.content).toEqual([expect.objectContaining({ type: 'text', text: 'Describe.' })])
    expect(JSON.stringify(sent)).not.toContain('seed')

    // A cached answer still says what was dropped.
    const cached = { model: CLAUDE, seed: 7, messages: [{ role: 'user', content: 'Cache me.' }] }
    const headers = { 'x-optimaliq-drop-params': 'true', 'x-optimaliq-cache-ttl': '60' }
    expect((await ask(cached, headers)).headers['x-optimaliq-cache']).toBe('miss')
    const hit = await ask(cached, headers)
    expect(hit.headers).toMatchObject({ 'x-optimaliq-cache': 'hit', 'x-optimaliq-dropped-params': 'seed' })
  })

  it('ensures JSON for json_object and validates a strict json_schema with one repair', async () => {
    const object = await openai.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: 'user', content: 'A JSON tip.' }],
      response_format: { type: 'json_object' },
    })
    expect(JSON.parse(object.choices[0]?.message.content ?? '')).toEqual(expect.any(Object))

    const schema = {
      type: 'object',
      properties: { tip: { type: 'string' }, impact: { type: 'integer', minimum: 1, maximum: 5 } },
      required: ['tip', 'impact'],
      additionalProperties: false,
    }
    sim.setFaults({ invalidSchema: true, times: 1 }, 'anthropic')
    const strict = await openai.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: 'user', content: 'A tip with its impact.' }],
      response_format: { type: 'json_schema', json_schema: { name: 'tip', schema, strict: true } },
    })
    const parsed = JSON.parse(strict.choices[0]?.message.content ?? '') as { tip: unknown; impact: unknown }
    expect(parsed).toEqual({ tip: expect.any(String), impact: expect.any(Number) })
    const calls = received('/anthropic/')
    expect(calls.length).toBe(3)
    expect(JSON.stringify(calls[2])).toContain('That answer is invalid')
  })

  it('checks a streamed strict json_schema at its end: valid ends with [DONE], invalid with an invalid_output error event', async () => {
    const schema = {
      type: 'object',
      properties: { tip: { type: 'string' }, impact: { type: 'integer', minimum: 1, maximum: 5 } },
      required: ['tip', 'impact'],
      additionalProperties: false,
    }
    const response_format = { type: 'json_schema' as const, json_schema: { name: 'tip', schema, strict: true } }
    const streamed = async (model: string) => {
      const stream = await openai.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'A tip with its impact.' }],
        response_format,
        stream: true,
      })
      let text = ''
      try {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
        return { text }
      } catch (error) {
        return { text, error: error as { code?: string; param?: string; message: string } }
      }
    }
    for (const [model, provider] of [
      ['openai/gpt-4.1-mini', 'openai'],
      [CLAUDE, 'anthropic'],
    ] as const) {
      const good = await streamed(model)
      expect(good.error, model).toBeUndefined()
      expect(JSON.parse(good.text), model).toEqual({ tip: expect.any(String), impact: expect.any(Number) })

      sim.setFaults({ invalidSchema: true, times: 1 }, provider)
      const bad = await streamed(model)
      expect(bad.text.length, model).toBeGreaterThan(0)
      expect(bad.error, model).toMatchObject({ code: 'invalid_output', param: 'response_format' })
      expect(bad.error?.message).toContain('failed its response_format')
    }
    await t.container.ai.ledger?.flush()
    const [row] = await t.database.db.query<{ n: string }>(
      "select count(*) as n from ai_log where error_class = 'invalid_output' and status = 'error'",
    )
    expect(Number(row?.n)).toBeGreaterThanOrEqual(2)
  })

  it('round-trips a tool call through Anthropic: tool_use out, tool_result back in', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'lookup_kpi',
          description: 'Look up a KPI',
          parameters: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        },
      },
    ]
    const first = await openai.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: 'user', content: 'What is our churn?' }],
      tools,
      tool_choice: 'required',
    })
    const call = first.choices[0]?.message.tool_calls?.[0]
    expect(first.choices[0]?.finish_reason).toBe('tool_calls')
    expect(call).toMatchObject({ type: 'function', function: { name: 'lookup_kpi' } })
    if (call?.type !== 'function') throw new Error('expected a function call')
    const second = await openai.chat.completions.create({
      model: CLAUDE,
      messages: [
        { role: 'user', content: 'What is our churn?' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '4.2 %' },
      ],
      tools,
    })
    expect(second.choices[0]?.message.content).toEqual(expect.any(String))
    const [out, back] = received('/anthropic/')
    expect(out?.tool_choice).toMatchObject({ type: 'any' })
    expect(back?.messages?.[1]?.content).toEqual([expect.objectContaining({ type: 'tool_use', id: call.id })])
    expect(back?.messages?.[2]?.content).toEqual([
      expect.objectContaining({ type: 'tool_result', tool_use_id: call.id }),
    ])
  })

  it('carries penalties and seed to Mistral', async () => {
    const response = await ask({ model: 'mistral/mistral-small-latest', seed: 3, frequency_penalty: 0.5 })
    expect(response.statusCode).toBe(200)
    expect(received('/mistral/')[0]).toMatchObject({ random_seed: 3, frequency_penalty: 0.5 })
  })
})
