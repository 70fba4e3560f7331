import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI } from '@google/genai'
import { Mistral } from '@mistralai/mistralai'
import { generateObject, generateText, Output, streamText } from 'ai'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createProviderRegistry } from '../../../src/gateway/providers/index.ts'
import { SIMULATED_PROVIDERS } from '../../../src/simulator/index.ts'
import { startSimulator, type TestSimulator } from '../../helpers/simulator.ts'

/**
 * Faithfulness of the provider simulator, judged by the official SDKs as its clients, and the
 * gateway's AI SDK providers (item 3) working against every simulated format.
 */

const Levers = z.object({
  score: z.number().min(1).max(5),
  level: z.int().min(1).max(5),
  summary: z.string().min(10).max(200),
  category: z.enum(['strategy', 'process', 'technology']),
  levers: z
    .array(
      z.object({
        title: z.string().min(3),
        impact: z.enum(['low', 'medium', 'high']),
        effortWeeks: z.int().min(1).max(12),
      }),
    )
    .min(2)
    .max(5),
  notes: z.string().nullable(),
})
const leversJsonSchema = z.toJSONSchema(Levers, { target: 'draft-7' }) as Record<string, unknown>

let sim: TestSimulator
beforeAll(async () => {
  sim = await startSimulator()
})
afterAll(async () => {
  await sim.close()
})
beforeEach(() => {
  sim.clearFaults()
  sim.resetStats()
})

const user = [{ role: 'user' as const, content: 'How do I grow?' }]

describe('OpenAI SDK against the simulator', () => {
  const client = () => new OpenAI({ apiKey: 'sim', baseURL: sim.baseUrls.openai, maxRetries: 0, timeout: 5_000 })

  it('answers a plain chat completion deterministically, with usage', async () => {
    const a = await client().chat.completions.create({ model: 'gpt-4.1-mini', messages: user })
    const b = await client().chat.completions.create({ model: 'gpt-4.1-mini', messages: user })
    expect(a.object).toBe('chat.completion')
    expect(a.model).toBe('gpt-4.1-mini')
    expect(a.choices[0]?.message.content).toMatch(/\w+/)
    expect(a.choices[0]?.finish_reason).toBe('stop')
    expect(b.choices[0]?.message.content).toBe(a.choices[0]?.message.content)
    expect(a.usage?.prompt_tokens).toBeGreaterThan(0)
    expect(a.usage?.total_tokens).toBe((a.usage?.prompt_tokens ?? 0) + (a.usage?.completion_tokens ?? 0))
    const other = await client().chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Something else' }],
    })
    expect(other.choices[0]?.message.content).not.toBe(a.choices[0]?.message.content)
  })

  it('streams chunks, ends with [DONE], and reports usage when asked', async () => {
    const plain = await client().chat.completions.create({ model: 'gpt-4.1', messages: user })
    const stream = await client().chat.completions.create({
      model: 'gpt-4.1',
      messages: user,
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let finish: string | null | undefined
    let usage: OpenAI.CompletionUsage | undefined
    let chunks = 0
    for await (const chunk of stream) {
      chunks += 1
      text += chunk.choices[0]?.delta.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
      if (chunk.usage) usage = chunk.usage
    }
    expect(chunks).toBeGreaterThan(3)
    expect(text).toBe(plain.choices[0]?.message.content)
    expect(finish).toBe('stop')
    expect(usage?.completion_tokens).toBeGreaterThan(0)
  })

  it('stops at max_tokens with finish_reason length', async () => {
    const r = await client().chat.completions.create({ model: 'gpt-4.1', messages: user, max_tokens: 3 })
    expect(r.choices[0]?.finish_reason).toBe('length')
    expect(r.usage?.completion_tokens).toBe(3)
  })

  it('returns JSON satisfying response_format json_schema, plain and streamed', async () => {
    const body = {
      model: 'gpt-4.1-mini',
      messages: user,
      response_format: {
        type: 'json_schema' as const,
        json_schema: { name: 'levers', strict: true, schema: leversJsonSchema },
      },
    }
    const r = await client().chat.completions.create(body)
    const parsed = Levers.safeParse(JSON.parse(r.choices[0]?.message.content ?? ''))
    expect(parsed.error).toBeUndefined()
    let streamed = ''
    for await (const chunk of await client().chat.completions.create({ ...body, stream: true }))
      streamed += chunk.choices[0]?.delta.content ?? ''
    expect(Levers.parse(JSON.parse(streamed))).toEqual(parsed.data)
  })

  it('returns a JSON object for json_object mode', async () => {
    const r = await client().chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: user,
      response_format: { type: 'json_object' },
    })
    expect(JSON.parse(r.choices[0]?.message.content ?? '')).toEqual(expect.any(Object))
  })

  it('calls a forced tool with arguments matching its parameters', async () => {
    const r = await client().chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: user,
      tools: [{ type: 'function', function: { name: 'record_levers', parameters: leversJsonSchema } }],
      tool_choice: { type: 'function', function: { name: 'record_levers' } },
    })
    const call = r.choices[0]?.message.tool_calls?.[0]
    expect(r.choices[0]?.finish_reason).toBe('tool_calls')
    expect(call?.type === 'function' ? call.function.name : undefined).toBe('record_levers')
    expect(Levers.safeParse(JSON.parse(call?.type === 'function' ? call.function.arguments : '')).success).toBe(true)
  })

  it('lists catalog models and rejects a request without a key', async () => {
    const models = await client().models.list()
    expect(models.data.map((m) => m.id)).toContain('gpt-4.1-mini')
    const response = await fetch(`${sim.baseUrls.openai}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'x', messages: user }),
    })
    expect(response.status).toBe(401)
    const bad = await fetch(`${sim.baseUrls.openai}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer x' },
      body: '{"model":',
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/Invalid JSON/)
  })
})

describe('Anthropic SDK against the simulator', () => {
  const client = () => new Anthropic({ apiKey: 'sim', baseURL: `${sim.url}/anthropic`, maxRetries: 0, timeout: 5_000 })

  it('answers a message with usage', async () => {
    const r = await client().messages.create({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 200,
      system: 'Be brief.',
      messages: user,
    })
    expect(r.type).toBe('message')
    expect(r.stop_reason).toBe('end_turn')
    expect(r.content[0]?.type === 'text' ? r.content[0].text : '').toMatch(/\w+/)
    expect(r.usage.input_tokens).toBeGreaterThan(0)
    expect(r.usage.output_tokens).toBeGreaterThan(0)
  })

  it('streams the full event sequence', async () => {
    const plain = await client().messages.create({
      model: 'claude-3-5-haiku-20241022',
      max_tokens: 200,
      messages: user,
    })
    const stream = client().messages.stream({ model: 'claude-3-5-haiku-20241022', max_tokens: 200, messages: user })
    const types: string[] = []
    stream.on('streamEvent', (event) => types.push(event.type))
    const final = await stream.finalMessage()
    expect(final.content).toEqual(plain.content)
    expect(final.usage.output_tokens).toBe(plain.usage.output_tokens)
    expect(types[0]).toBe('message_start')
    expect(types).toContain('content_block_delta')
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop'])
  })

  it('satisfies a JSON schema via output_config.format and via a forced tool', async () => {
    const native = await client().messages.create({
      model: 'claude-opus-4-1-20250805',
      max_tokens: 1000,
      messages: user,
      output_config: { format: { type: 'json_schema', schema: leversJsonSchema } },
    })
    expect(Levers.safeParse(JSON.parse(native.content[0]?.type === 'text' ? native.content[0].text : '')).success).toBe(
      true,
    )
    const tool = await client().messages.create({
      model: 'claude-3-5-sonnet-20241022',
      max_tokens: 1000,
      messages: user,
      tools: [
        {
          name: 'json',
          description: 'Respond with a JSON object.',
          input_schema: leversJsonSchema as Anthropic.Tool.InputSchema,
        },
      ],
      tool_choice: { type: 'tool', name: 'json' },
    })
    expect(tool.stop_reason).toBe('tool_use')
    const block = tool.content[0]
    expect(block?.type).toBe('tool_use')
    expect(Levers.safeParse(block?.type === 'tool_use' ? block.input : undefined).success).toBe(true)
    const streamed = await client()
      .messages.stream({
        model: 'claude-3-5-sonnet-20241022',
        max_tokens: 1000,
        messages: user,
        tools: [
          {
            name: 'json',
            description: 'Respond with a JSON object.',
            input_schema: leversJsonSchema as Anthropic.Tool.InputSchema,
          },
        ],
        tool_choice: { type: 'tool', name: 'json' },
      })
      .finalMessage()
    expect(streamed.content[0]?.type === 'tool_use' ? streamed.content[0].input : undefined).toEqual(
      block?.type === 'tool_use' ? block.input : 'x',
    )
  })

  it('rejects a request without max_tokens like the API does', async () => {
    // @ts-expect-error max_tokens deliberately missing
    await expect(client().messages.create({ model: 'claude-sonnet-4', messages: user })).rejects.toMatchObject({
      status: 400,
    })
  })
})

describe('Google GenAI SDK against the simulator', () => {
  const google = () => new GoogleGenAI({ apiKey: 'sim', httpOptions: { baseUrl: `${sim.url}/google`, timeout: 5_000 } })
  const vertex = () =>
    new GoogleGenAI({ vertexai: true, apiKey: 'sim', httpOptions: { baseUrl: `${sim.url}/vertex`, timeout: 5_000 } })

  it.each([
    ['google', google],
    ['vertex', vertex],
  ] as const)('%s: generateContent and streamGenerateContent with usage', async (provider, make) => {
    const ai = make()
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'How do I grow?' })
    expect(r.text).toMatch(/\w+/)
    expect(r.candidates?.[0]?.finishReason).toBe('STOP')
    expect(r.usageMetadata?.promptTokenCount).toBeGreaterThan(0)
    expect(r.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0)
    let text = ''
    let last: number | undefined
    for await (const chunk of await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'How do I grow?',
    })) {
      text += chunk.text ?? ''
      last = chunk.usageMetadata?.candidatesTokenCount ?? last
    }
    expect(text).toBe(r.text)
    expect(last).toBe(r.usageMetadata?.candidatesTokenCount)
    expect(sim.stats().byProvider[provider]).toBe(2)
  })

  it('honours responseJsonSchema and responseSchema', async () => {
    const r = await google().models.generateContent({
      model: 'gemini-2.0-flash',
      contents: 'levers',
      config: { responseMimeType: 'application/json', responseJsonSchema: leversJsonSchema },
    })
    expect(Levers.safeParse(JSON.parse(r.text ?? '')).success).toBe(true)
    const openApi = await google().models.generateContent({
      model: 'gemini-2.0-flash',
      contents: 'levers',
      config: {
        responseMimeType: 'application/json',
        responseSchema: {
          type: 'OBJECT' as never,
          properties: {
            grade: { type: 'INTEGER' as never, minimum: 1, maximum: 3 },
            tags: { type: 'ARRAY' as never, items: { type: 'STRING' as never }, minItems: '2' as never },
          },
          required: ['grade', 'tags'],
        },
      },
    })
    const value = JSON.parse(openApi.text ?? '') as { grade: number; tags: string[] }
    expect(value.grade).toBeGreaterThanOrEqual(1)
    expect(value.grade).toBeLessThanOrEqual(3)
    expect(value.tags.length).toBeGreaterThan(0)
  })
})

describe('Mistral SDK against the simulator', () => {
  const client = () =>
    new Mistral({ apiKey: 'sim', serverURL: `${sim.url}/mistral`, retryConfig: { strategy: 'none' }, timeoutMs: 5_000 })

  it('completes, streams (usage in the last chunk) and follows a JSON schema', async () => {
    const r = await client().chat.complete({ model: 'mistral-large-latest', messages: user })
    const content = r.choices?.[0]?.message?.content
    expect(typeof content === 'string' ? content : '').toMatch(/\w+/)
    expect(r.usage?.promptTokens).toBeGreaterThan(0)
    let text = ''
    let usage: number | undefined
    for await (const event of await client().chat.stream({ model: 'mistral-large-latest', messages: user })) {
      const delta = event.data.choices[0]?.delta.content
      text += typeof delta === 'string' ? delta : ''
      usage = event.data.usage?.completionTokens ?? usage
    }
    expect(text).toBe(content)
    expect(usage).toBe(r.usage?.completionTokens)
    const json = await client().chat.complete({
      model: 'mistral-small-latest',
      messages: user,
      responseFormat: {
        type: 'json_schema',
        jsonSchema: { name: 'levers', schemaDefinition: leversJsonSchema, strict: true },
      },
    })
    const jsonText = json.choices?.[0]?.message?.content
    expect(Levers.safeParse(JSON.parse(typeof jsonText === 'string' ? jsonText : '')).success).toBe(true)
  })
})

describe('faults, observed through the SDKs', () => {
  const openai = (options: { maxRetries?: number; timeout?: number } = {}) =>
    new OpenAI({ apiKey: 'sim', baseURL: sim.baseUrls.openai, maxRetries: 0, timeout: 5_000, ...options })
  const anthropic = () =>
    new Anthropic({ apiKey: 'sim', baseURL: `${sim.url}/anthropic`, maxRetries: 0, timeout: 5_000 })

  it('429 with Retry-After, per request header', async () => {
    const error = await openai()
      .chat.completions.create(
        { model: 'gpt-4.1', messages: user },
        { headers: { 'x-sim-fault': 'status=429,retry-after=2' } },
      )
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OpenAI.RateLimitError)
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('2')
    expect(sim.stats().faults).toEqual({ status_429: 1 })
  })

  it('a 429 for one request only (times=1) is retried by the SDK after Retry-After', async () => {
    sim.setFaults({ status: 429, retryAfter: 0.05, times: 1 }, 'openai')
    const r = await openai({ maxRetries: 1 }).chat.completions.create({ model: 'gpt-4.1', messages: user })
    expect(r.choices[0]?.message.content).toMatch(/\w+/)
    expect(sim.stats().byProvider.openai).toBe(2)
    expect(sim.faults()).toEqual({})
  })

  it('500 and 503 surface as SDK errors with their status (Anthropic and Gemini shapes)', async () => {
    sim.setFaults({ status: 500 }, 'anthropic')
    await expect(
      anthropic().messages.create({ model: 'claude-sonnet-4', max_tokens: 10, messages: user }),
    ).rejects.toBeInstanceOf(Anthropic.InternalServerError)
    sim.setFaults({ status: 503 }, 'anthropic')
    await expect(
      anthropic().messages.create({ model: 'claude-sonnet-4', max_tokens: 10, messages: user }),
    ).rejects.toMatchObject({ status: 503, error: { type: 'error', error: { type: 'overloaded_error' } } })
    const google = new GoogleGenAI({
      apiKey: 'sim',
      httpOptions: { baseUrl: `${sim.url}/google`, headers: { 'x-sim-fault': 'status=503' } },
    })
    await expect(google.models.generateContent({ model: 'gemini-2.5-pro', contents: 'x' })).rejects.toMatchObject({
      status: 503,
    })
  })

  it('malformed JSON makes the SDK fail', async () => {
    sim.setFaults({ malformed: true })
    await expect(openai().chat.completions.create({ model: 'gpt-4.1', messages: user })).rejects.toThrow()
    await expect(
      anthropic().messages.create({ model: 'claude-sonnet-4', max_tokens: 10, messages: user }),
    ).rejects.toThrow()
    const stream = await openai().chat.completions.create({ model: 'gpt-4.1', messages: user, stream: true })
    await expect(
      (async () => {
        for await (const _ of stream) void _
      })(),
    ).rejects.toThrow()
  })

  it('a truncated stream errors or ends without its terminal event', async () => {
    sim.setFaults({ truncate: true })
    const outcome = async (iterate: () => Promise<unknown>) =>
      iterate().then(
        () => 'completed',
        () => 'error',
      )
    let finish: string | null | undefined
    const openaiOutcome = await outcome(async () => {
      for await (const chunk of await openai().chat.completions.create({
        model: 'gpt-4.1',
        messages: user,
        stream: true,
      }))
        finish = chunk.choices[0]?.finish_reason ?? finish
    })
    expect(openaiOutcome === 'error' || finish === undefined).toBe(true)
    await expect(
      anthropic().messages.stream({ model: 'claude-sonnet-4', max_tokens: 100, messages: user }).finalMessage(),
    ).rejects.toThrow()
    await expect(openai().chat.completions.create({ model: 'gpt-4.1', messages: user })).rejects.toThrow()
    sim.clearFaults()
    await expect(
      anthropic()
        .messages.stream(
          { model: 'claude-sonnet-4', max_tokens: 100, messages: user },
          { headers: { 'x-sim-fault': 'stream-error' } },
        )
        .finalMessage(),
    ).rejects.toThrow(/Overloaded/)
    expect(sim.stats().faults.truncate).toBe(3)
  })

  it('a hang ends in the client timeout', async () => {
    sim.setFaults({ hang: true }, 'openai')
    await expect(
      openai({ timeout: 300 }).chat.completions.create({ model: 'gpt-4.1', messages: user }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError)
    const mistral = new Mistral({ apiKey: 'sim', serverURL: `${sim.url}/mistral`, retryConfig: { strategy: 'none' } })
    await expect(
      mistral.chat.complete(
        { model: 'mistral-small', messages: user },
        { headers: { 'x-sim-fault': 'hang' }, timeoutMs: 300 },
      ),
    ).rejects.toThrow()
  })

  it('invalidSchema returns JSON that parses but violates the schema', async () => {
    const r = await openai().chat.completions.create(
      {
        model: 'gpt-4.1',
        messages: user,
        response_format: { type: 'json_schema', json_schema: { name: 'levers', schema: leversJsonSchema } },
      },
      { headers: { 'x-sim-fault': 'invalid-schema' } },
    )
    const value: unknown = JSON.parse(r.choices[0]?.message.content ?? '')
    expect(Levers.safeParse(value).success).toBe(false)
  })

  it('added latency delays the answer', async () => {
    const started = performance.now()
    await openai().chat.completions.create(
      { model: 'gpt-4.1', messages: user },
      { headers: { 'x-sim-fault': 'latency=150' } },
    )
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
  })

  it('a failure rate fails a deterministic share, set through the control endpoint', async () => {
    const set = await fetch(`${sim.url}/_control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'openai', failureRate: 0.5, status: 503 }),
    })
    expect(set.status).toBe(200)
    const outcomes: string[] = []
    for (let i = 0; i < 6; i += 1) {
      outcomes.push(
        await openai()
          .chat.completions.create({ model: 'gpt-4.1', messages: user })
          .then(
            () => 'ok',
            (e: { status?: number }) => String(e.status),
          ),
      )
    }
    expect(outcomes).toEqual(['ok', '503', 'ok', '503', 'ok', '503'])
    const stats = (await (await fetch(`${sim.url}/_control/stats`)).json()) as {
      byProvider: Record<string, number>
      faults: Record<string, number>
    }
    expect(stats.byProvider.openai).toBe(6)
    expect(stats.faults.status_503).toBe(3)
    // Other providers are unaffected.
    await expect(
      anthropic().messages.create({ model: 'claude-sonnet-4', max_tokens: 10, messages: user }),
    ).resolves.toMatchObject({ type: 'message' })
    expect((await fetch(`${sim.url}/_control/faults`, { method: 'DELETE' })).status).toBe(200)
    expect(await (await fetch(`${sim.url}/_control/faults`)).json()).toEqual({})
  })

  it('the control endpoint rejects unknown faults and a bad header is a 400', async () => {
    const bad = await fetch(`${sim.url}/_control/faults`, { method: 'POST', body: JSON.stringify({ explode: true }) })
    expect(bad.status).toBe(400)
    await expect(
      openai().chat.completions.create({ model: 'gpt-4.1', messages: user }, { headers: { 'x-sim-fault': 'explode' } }),
    ).rejects.toMatchObject({ status: 400 })
  })
})

describe('AI SDK providers from Config against the simulator', () => {
  const providers = () => createProviderRegistry(sim.config().ai)

  it('configures every simulated provider, AI_PROVIDER first', () => {
    const registry = createProviderRegistry(sim.config(undefined, { AI_PROVIDER: 'mistral' }).ai)
    expect(registry.configured).toEqual(['mistral', ...SIMULATED_PROVIDERS.filter((p) => p !== 'mistral')])
    expect(registry.defaultProvider).toBe('mistral')
  })

  it.each(SIMULATED_PROVIDERS)('%s: generateText, streamText, generateObject and Output.object', async (provider) => {
    const model = providers().languageModel(provider)
    const text = await generateText({ model, prompt: 'How do I grow?', maxRetries: 0 })
    expect(text.text).toMatch(/\w+/)
    expect(text.usage.inputTokens).toBeGreaterThan(0)
    expect(text.usage.outputTokens).toBeGreaterThan(0)

    const errors: unknown[] = []
    const stream = streamText({
      model,
      prompt: 'How do I grow?',
      maxRetries: 0,
      onError: ({ error }) => void errors.push(error),
    })
    let streamed = ''
    for await (const part of stream.textStream) streamed += part
    expect(errors).toEqual([])
    expect(streamed).toBe(text.text)
    expect((await stream.usage).outputTokens).toBe(text.usage.outputTokens)

    const object = await generateObject({ model, schema: Levers, prompt: 'Levers please', maxRetries: 0 })
    expect(Levers.parse(object.object)).toEqual(object.object)
    expect(object.usage.outputTokens).toBeGreaterThan(0)

    const output = await generateText({
      model,
      output: Output.object({ schema: Levers }),
      prompt: 'Levers again',
      maxRetries: 0,
    })
    expect(Levers.safeParse(output.output).success).toBe(true)
  })

  it('a scripted fault reaches the AI SDK caller with its status', async () => {
    const model = providers().languageModel('anthropic', 'claude-sonnet-4')
    await expect(
      generateText({ model, prompt: 'x', maxRetries: 0, headers: { 'x-sim-fault': 'status=429,retry-after=1' } }),
    ).rejects.toMatchObject({
      statusCode: 429,
      isRetryable: true,
      responseHeaders: expect.objectContaining({ 'retry-after': '1' }),
    })
    const broken = await generateObject({
      model: providers().languageModel('openai'),
      schema: Levers,
      prompt: 'x',
      maxRetries: 0,
      headers: { 'x-sim-fault': 'invalid-schema' },
    }).catch((e: unknown) => e)
    expect((broken as Error).name).toBe('AI_NoObjectGeneratedError')
  })

  it('sends every call through an injected fetch', async () => {
    const seen: string[] = []
    const fetchSpy: typeof fetch = (input, init) => {
      seen.push(String(input instanceof Request ? input.url : input))
      return fetch(input, init)
    }
    const registry = createProviderRegistry(sim.config(['openai', 'vertex']).ai, { fetch: fetchSpy })
    await generateText({ model: registry.languageModel('openai'), prompt: 'x', maxRetries: 0 })
    await generateText({ model: registry.languageModel('vertex'), prompt: 'x', maxRetries: 0 })
    expect(seen).toEqual([
      `${sim.baseUrls.openai}/chat/completions`,
      `${sim.baseUrls.vertex}/models/gemini-2.5-flash:generateContent`,
    ])
  })

  it('describes raw OpenAI-format endpoints that a pass-through can call directly', async () => {
    const registry = providers()
    for (const provider of ['openai', 'azure', 'custom', 'mistral'] as const) {
      const endpoint = registry.endpoint(provider)
      expect(endpoint.format).toBe('openai-chat')
      const response = await fetch(endpoint.chatCompletionsUrl, {
        method: 'POST',
        headers: { ...endpoint.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: user }),
      })
      expect(response.status).toBe(200)
    }
    expect(sim.stats().byProvider).toEqual({ openai: 1, azure: 1, custom: 1, mistral: 1 })
  })

  it('uses Anthropic native structured output for newer models (output_config.format)', async () => {
    const bodies: string[] = []
    const registry = createProviderRegistry(sim.config(['anthropic']).ai, {
      fetch: (input, init) => (bodies.push(String(init?.body)), fetch(input, init)),
    })
    const result = await generateObject({
      model: registry.languageModel('anthropic', 'claude-sonnet-4.5'),
      schema: Levers,
      prompt: 'x',
      maxRetries: 0,
    })
    expect(Levers.parse(result.object)).toEqual(result.object)
    expect(JSON.parse(bodies[0] as string)).toMatchObject({
      model: 'claude-sonnet-4-5-20250929',
      output_config: { format: { type: 'json_schema' } },
    })
  })

  it('a stalled stream ends in the caller’s abort timeout', async () => {
    const model = providers().languageModel('google', 'gemini-2.5-pro')
    let aborted = false
    const stream = streamText({
      model,
      prompt: 'x',
      maxRetries: 0,
      headers: { 'x-sim-fault': 'stall' },
      abortSignal: AbortSignal.timeout(300),
      onAbort: () => void (aborted = true),
    })
    let text = ''
    for await (const part of stream.textStream) text += part
    expect(aborted).toBe(true)
    expect(text.length).toBeGreaterThan(0)
    expect(sim.stats().faults.stall).toBe(1)
  })

  it.each(SIMULATED_PROVIDERS)('%s: a mid-stream error event surfaces as an AI SDK stream error', async (provider) => {
    const model = providers().languageModel(provider)
    const errors: unknown[] = []
    let text = ''
    const stream = streamText({
      model,
      prompt: 'x',
      maxRetries: 0,
      headers: { 'x-sim-fault': 'stream-error' },
      onError: ({ error }) => void errors.push(error),
    })
    const outcome = await (async () => {
      for await (const part of stream.textStream) text += part
    })().then(
      () => 'ended',
      () => 'threw',
    )
    // @ai-sdk/google-vertex drops an in-stream error chunk and finishes with reason `other`
    // (Google AI reports it as an error): a caller must treat a non-`stop` finish as incomplete.
    const finishReason = await Promise.resolve(stream.finishReason).catch(() => 'error')
    if (provider === 'vertex')
      expect({ outcome, errors: errors.length, finishReason }).toEqual({
        outcome: 'ended',
        errors: 0,
        finishReason: 'other',
      })
    else expect(errors.length > 0 || outcome === 'threw').toBe(true)
    expect(text.length).toBeGreaterThan(0)
    await expect(
      generateText({ model, prompt: 'x', maxRetries: 0, headers: { 'x-sim-fault': 'stream-error' } }),
    ).rejects.toMatchObject({ statusCode: 500 })
  })

  it.each(SIMULATED_PROVIDERS)('%s: malformed and truncated answers surface as AI SDK errors', async (provider) => {
    const model = providers().languageModel(provider)
    for (const fault of ['malformed', 'truncate']) {
      await expect(
        generateText({ model, prompt: 'x', maxRetries: 0, headers: { 'x-sim-fault': fault } }),
      ).rejects.toThrow()
      const errors: unknown[] = []
      const stream = streamText({
        model,
        prompt: 'x',
        maxRetries: 0,
        headers: { 'x-sim-fault': fault },
        onError: ({ error }) => void errors.push(error),
      })
      const outcome = await (async () => {
        for await (const _ of stream.textStream) void _
      })().then(
        () => 'ended',
        () => 'threw',
      )
      expect({ fault, outcome, errors: errors.length > 0 || outcome === 'threw' }).toEqual({
        fault,
        outcome,
        errors: true,
      })
    }
    expect(sim.stats().faults).toEqual({ malformed: 2, truncate: 2 })
  })
})
