import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createSimulator, simulatorEnv, type Simulator } from './index.ts'

/** Wire-level checks of the simulator's edges (the SDK-level ones are in test/integration). */

let sim: Simulator
beforeAll(async () => {
  sim = await createSimulator({ faults: { latencyMs: 0 } })
})
afterAll(async () => {
  await sim.close()
})
beforeEach(() => {
  sim.clearFaults()
  sim.resetStats()
})

const auth = { authorization: 'Bearer sim', 'x-api-key': 'sim', 'content-type': 'application/json' }
const messages = [{ role: 'user', content: 'hello' }]

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { ...auth, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

const json = (text: string): unknown => JSON.parse(text)
const sseData = (text: string) =>
  text
    .split(/\r?\n\r?\n/)
    .filter(Boolean)
    .map(
      (e) =>
        e
          .split('\n')
          .find((l) => l.startsWith('data: '))
          ?.slice(6) ?? '',
    )

describe('simulator routing and control', () => {
  it('404s unknown paths and control endpoints', async () => {
    expect((await post('/nowhere/v1/chat/completions', {})).status).toBe(404)
    expect((await post('/openai/v1/completions', {})).status).toBe(404)
    expect((await post('/google/v1beta/models/x:countTokens', {})).status).toBe(404)
    expect((await post('/anthropic/v1/complete', {})).status).toBe(404)
    expect((await fetch(`${sim.url}/openai/v1/chat/completions`)).status).toBe(404)
    expect((await fetch(`${sim.url}/_control/nothing`)).status).toBe(404)
    expect((await fetch(`${sim.url}/`)).status).toBe(404)
  })

  it('serves unprefixed OpenAI paths', async () => {
    const r = await post('/v1/chat/completions', { model: 'gpt-4.1', messages })
    expect(r.status).toBe(200)
    expect(sim.stats().byProvider).toEqual({ openai: 1 })
  })

  it('lists models in each format', async () => {
    const get = async (path: string) => json(await (await fetch(`${sim.url}${path}`, { headers: auth })).text())
    expect(await get('/anthropic/v1/models')).toMatchObject({
      has_more: false,
      data: expect.arrayContaining([expect.objectContaining({ type: 'model', id: 'claude-sonnet-4-20250514' })]),
    })
    expect(await get('/google/v1beta/models')).toMatchObject({
      models: expect.arrayContaining([expect.objectContaining({ name: 'models/gemini-2.5-pro' })]),
    })
    expect(await get('/mistral/v1/models')).toMatchObject({
      data: expect.arrayContaining([expect.objectContaining({ id: 'mistral-large-latest', type: 'base' })]),
    })
    expect(await get('/custom/v1/models')).toMatchObject({ data: [{ id: 'sim-llama-3.1-8b' }] })
  })

  it('rejects bodies that are not objects and invalid structured-output requests', async () => {
    expect((await post('/openai/v1/chat/completions', '[1]')).status).toBe(400)
    expect((await post('/openai/v1/chat/completions', { messages })).status).toBe(400)
    expect((await post('/openai/v1/chat/completions', { model: 'm', messages: [] })).status).toBe(400)
    expect(
      (
        await post('/openai/v1/chat/completions', {
          model: 'm',
          messages,
          response_format: { type: 'json_schema', json_schema: { name: 'x' } },
        })
      ).status,
    ).toBe(400)
    expect(
      (
        await post('/openai/v1/chat/completions', {
          model: 'm',
          messages,
          tools: [],
          tool_choice: { type: 'function', function: { name: 'nope' } },
        })
      ).status,
    ).toBe(400)
    expect((await post('/anthropic/v1/messages', { max_tokens: 5, messages })).status).toBe(400)
    expect((await post('/anthropic/v1/messages', { model: 'c', max_tokens: 5, messages: [] })).status).toBe(400)
    expect(
      (
        await post('/anthropic/v1/messages', {
          model: 'c',
          max_tokens: 5,
          messages,
          tool_choice: { type: 'tool', name: 'nope' },
        })
      ).status,
    ).toBe(400)
    expect(
      (
        await post('/anthropic/v1/messages', {
          model: 'c',
          max_tokens: 5,
          messages,
          output_config: { format: { type: 'json_schema' } },
        })
      ).status,
    ).toBe(400)
    const gemini = await post('/google/v1beta/models/gemini-2.5-pro:generateContent', { contents: [] })
    expect(gemini.status).toBe(400)
    expect(json(gemini.text)).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } })
    const mistral = await post('/mistral/v1/chat/completions', { model: 'm', messages: 'x' })
    expect(json(mistral.text)).toMatchObject({ object: 'error', type: 'invalid_request_error' })
  })

  it('answers in every provider error shape', async () => {
    const statuses = [401, 403, 404, 413, 429, 500, 503, 504, 529, 418]
    for (const status of statuses) {
      const fault = { 'x-sim-fault': `status=${status}` }
      const a = json((await post('/anthropic/v1/messages', { model: 'c', max_tokens: 5, messages }, fault)).text)
      expect(a).toMatchObject({ type: 'error', error: { type: expect.any(String) } })
      const g = json(
        (
          await post(
            '/vertex/v1/projects/p/locations/l/publishers/google/models/gemini-2.0-flash:generateContent',
            { contents: [{ parts: [{ text: 'x' }] }] },
            fault,
          )
        ).text,
      )
      expect(g).toMatchObject({ error: { code: status, status: expect.any(String) } })
      const o = json((await post('/azure/openai/v1/chat/completions', { model: 'm', messages }, fault)).text)
      expect(o).toMatchObject({ error: { message: expect.any(String), type: expect.any(String) } })
    }
    expect(sim.stats().faults.status_429).toBe(3)
  })

  it('requires an API key in any of the providers’ headers', async () => {
    const r = await fetch(`${sim.url}/google/v1beta/models/gemini-2.0-flash:generateContent?key=abc`, {
      method: 'POST',
      body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }),
    })
    expect(r.status).toBe(200)
    const denied = await fetch(`${sim.url}/anthropic/v1/messages`, { method: 'POST', body: '{}' })
    expect(json(await denied.text())).toMatchObject({ error: { type: 'authentication_error' } })
  })

  it('resets faults and stats through the control API', async () => {
    await post('/openai/v1/chat/completions', { model: 'm', messages })
    const put = await fetch(`${sim.url}/_control/faults`, { method: 'PUT', body: '' })
    expect(put.status).toBe(200)
    expect((await fetch(`${sim.url}/_control/faults`, { method: 'POST', body: '{bad' })).status).toBe(400)
    sim.setFaults({ latencyMs: 1 })
    expect((await fetch(`${sim.url}/_control/reset`, { method: 'POST' })).status).toBe(200)
    expect(sim.stats()).toEqual({ total: 0, byProvider: {}, streams: 0, streamsCancelled: 0, faults: {} })
    expect(sim.faults()).toEqual({})
  })

  it('gives the environment for a subset of providers', () => {
    expect(sim.env(['mistral'])).toEqual({
      MISTRAL_API_KEY: 'sim-mistral-key',
      MISTRAL_BASE_URL: `${sim.url}/mistral/v1`,
    })
    expect(Object.keys(simulatorEnv('http://h:1/')).length).toBe(22)
  })
})

describe('simulator formats in detail', () => {
  const geminiBody = { contents: [{ role: 'user', parts: [{ text: 'hello' }] }] }

  it('streams Gemini as a JSON array without alt=sse, and as SSE with it', async () => {
    const array = await post('/google/v1beta/models/gemini-2.0-flash:streamGenerateContent', geminiBody)
    const chunks = JSON.parse(array.text) as { candidates: { content: { parts: { text: string }[] } }[] }[]
    const sse = await post('/google/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse', geminiBody)
    expect(sse.headers.get('content-type')).toMatch(/event-stream/)
    const events = sseData(sse.text).map((d) => JSON.parse(d) as (typeof chunks)[number])
    expect(events).toEqual(chunks)
    expect(sim.stats().streams).toBe(2)
    expect(
      (
        await post('/google/v1beta/models/gemini-2.0-flash:streamGenerateContent', geminiBody, {
          'x-sim-fault': 'malformed',
        })
      ).text,
    ).not.toMatch(/\]$/)
    await expect(
      post('/google/v1beta/models/gemini-2.0-flash:streamGenerateContent', geminiBody, { 'x-sim-fault': 'truncate' }),
    ).rejects.toThrow()
  })

  it('makes Gemini call a function when the mode is ANY, streamed or not', async () => {
    const body = {
      ...geminiBody,
      tools: [
        {
          functionDeclarations: [
            { name: 'a', parameters: { type: 'OBJECT', properties: { n: { type: 'INTEGER' } } } },
            {
              name: 'b',
              parametersJsonSchema: { type: 'object', properties: { s: { type: 'string' } }, required: ['s'] },
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['b'] } },
    }
    const r = json((await post('/google/v1beta/models/gemini-2.5-pro:generateContent', body)).text) as {
      candidates: { content: { parts: { functionCall: { name: string; args: { s: string } } }[] } }[]
    }
    expect(r.candidates[0]?.content.parts[0]?.functionCall).toEqual({ name: 'b', args: { s: expect.any(String) } })
    const streamed = sseData(
      (await post('/google/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse', body)).text,
    )
    expect(streamed).toHaveLength(1)
    expect(json(streamed[0] as string)).toMatchObject({
      candidates: [{ finishReason: 'STOP', content: { parts: [{ functionCall: { name: 'b' } }] } }],
    })
    const capped = json(
      (
        await post('/google/v1beta/models/gemini-2.5-pro:generateContent', {
          ...geminiBody,
          generationConfig: { maxOutputTokens: 2 },
        })
      ).text,
    )
    expect(capped).toMatchObject({
      candidates: [{ finishReason: 'MAX_TOKENS' }],
      usageMetadata: { candidatesTokenCount: 2 },
    })
    const plainJson = json(
      (
        await post('/google/v1beta/models/gemini-2.5-pro:generateContent', {
          ...geminiBody,
          generationConfig: { responseMimeType: 'application/json' },
        })
      ).text,
    ) as { candidates: { content: { parts: { text: string }[] } }[] }
    expect(JSON.parse(plainJson.candidates[0]?.content.parts[0]?.text ?? '')).toEqual({ text: expect.any(String) })
  })

  it('streams OpenAI and Mistral tool calls, with the `required`/`any` tool choice', async () => {
    const tools = [
      {
        type: 'function',
        function: {
          name: 'f',
          parameters: {
            type: 'object',
            properties: { x: { type: 'integer', minimum: 1, maximum: 2 } },
            required: ['x'],
          },
        },
      },
    ]
    const openai = sseData(
      (
        await post('/openai/v1/chat/completions', {
          model: 'm',
          messages,
          tools,
          tool_choice: 'required',
          stream: true,
        })
      ).text,
    )
    expect(openai.at(-1)).toBe('[DONE]')
    const args = openai.slice(0, -1).map(
      (d) =>
        json(d) as {
          choices: { delta: { tool_calls?: { function: { arguments: string } }[] }; finish_reason: string | null }[]
        },
    )
    expect(JSON.parse(args.map((c) => c.choices[0]?.delta.tool_calls?.[0]?.function.arguments ?? '').join(''))).toEqual(
      { x: expect.any(Number) },
    )
    expect(args.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls')
    const mistral = sseData(
      (await post('/mistral/v1/chat/completions', { model: 'm', messages, tools, tool_choice: 'any', stream: true }))
        .text,
    )
    const last = json(mistral.at(-2) as string) as {
      usage: { total_tokens: number }
      choices: { finish_reason: string }[]
    }
    expect(last.choices[0]?.finish_reason).toBe('tool_calls')
    expect(last.usage.total_tokens).toBeGreaterThan(0)
    const mistralJson = json(
      (await post('/mistral/v1/chat/completions', { model: 'm', messages, tools, tool_choice: 'any' })).text,
    )
    expect(mistralJson).toMatchObject({
      choices: [{ message: { tool_calls: [{ function: { name: 'f' } }] }, finish_reason: 'tool_calls' }],
    })
  })

  it('answers Anthropic `any` tool choice and streams its JSON input', async () => {
    const tools = [
      { name: 't', input_schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } },
    ]
    const r = json(
      (
        await post('/anthropic/v1/messages', {
          model: 'c',
          max_tokens: 100,
          messages,
          tools,
          tool_choice: { type: 'any' },
        })
      ).text,
    )
    expect(r).toMatchObject({
      stop_reason: 'tool_use',
      content: [{ type: 'tool_use', name: 't', input: { ok: expect.any(Boolean) } }],
    })
    const capped = json((await post('/anthropic/v1/messages', { model: 'c', max_tokens: 1, messages })).text)
    expect(capped).toMatchObject({ stop_reason: 'max_tokens', usage: { output_tokens: 1 } })
  })

  it('paces stream chunks with chunk-delay and invalidates json_object output', async () => {
    const paced = await post(
      '/openai/v1/chat/completions',
      { model: 'm', messages, stream: true },
      { 'x-sim-fault': 'chunk-delay=1' },
    )
    expect(sseData(paced.text).at(-1)).toBe('[DONE]')
    const broken = json(
      (
        await post(
          '/openai/v1/chat/completions',
          { model: 'm', messages, response_format: { type: 'json_object' } },
          { 'x-sim-fault': 'invalid-schema' },
        )
      ).text,
    ) as { choices: { message: { content: string } }[] }
    expect(JSON.parse(broken.choices[0]?.message.content ?? '')).toBe('not an object')
    const badTool = json(
      (
        await post(
          '/openai/v1/chat/completions',
          {
            model: 'm',
            messages,
            tools: [
              {
                type: 'function',
                function: {
                  name: 'f',
                  parameters: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
                },
              },
            ],
            tool_choice: 'required',
          },
          { 'x-sim-fault': 'invalid-schema' },
        )
      ).text,
    ) as { choices: { message: { tool_calls: { function: { arguments: string } }[] } }[] }
    expect(JSON.parse(badTool.choices[0]?.message.tool_calls[0]?.function.arguments ?? '')).toEqual({
      n: 'unexpected string',
    })
  })

  it('stalls a stream half-way with the connection open', async () => {
    const controller = new AbortController()
    const response = await fetch(`${sim.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { ...auth, 'x-sim-fault': 'stall' },
      body: JSON.stringify({ model: 'c', max_tokens: 100, messages, stream: true }),
      signal: controller.signal,
    })
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    expect(first).toMatch(/^event: message_start/)
    expect(first).not.toMatch(/message_stop/)
    const next = reader.read()
    const timeout = new Promise((resolve) => setTimeout(() => resolve('silent'), 100))
    expect(await Promise.race([next, timeout])).toBe('silent')
    controller.abort()
    await next.catch(() => undefined)
    const gemini = new AbortController()
    const array = await fetch(`${sim.url}/google/v1beta/models/g:streamGenerateContent`, {
      method: 'POST',
      headers: { ...auth, 'x-sim-fault': 'stall' },
      body: JSON.stringify(geminiBody),
      signal: gemini.signal,
    })
    expect(array.status).toBe(200)
    gemini.abort()
    const plain = new AbortController()
    const hung = fetch(`${sim.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'x-sim-fault': 'stall' },
      body: JSON.stringify({ model: 'm', messages }),
      signal: plain.signal,
    })
    expect(await Promise.race([hung, new Promise((resolve) => setTimeout(() => resolve('silent'), 100))])).toBe(
      'silent',
    )
    plain.abort()
    await hung.catch(() => undefined)
    expect(sim.stats().faults.stall).toBe(3)
  })

  it('ends hanging requests on close', async () => {
    const other = await createSimulator({ faults: { hang: true } })
    const pending = fetch(`${other.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ model: 'm', messages }),
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    await other.close()
    await expect(pending).rejects.toThrow()
  })
})
