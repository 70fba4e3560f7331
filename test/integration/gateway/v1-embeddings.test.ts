import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../../src/simulator/index.ts'
import { hashedEmbedding } from '../../../src/simulator/embeddings.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'

/**
 * `POST /v1/embeddings` (issue 13, item 1) through the official `openai` SDK: an OpenAI-format
 * upstream (passthrough), translated ones (Gemini, Mistral, Bedrock Titan through the AI SDK),
 * dimensions, order, batches, base64, the exact cache, cost in the ledger, and bad input in
 * OpenAI's error shape with `param`.
 */
describeBackends('/v1/embeddings', (backend) => {
  let sim: Simulator
  let t: GatewayTestApp
  let openai: OpenAI
  let v1: { authorization: string }

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    t = await startGatewayApp(backend, {
      ...sim.env(['openai', 'google', 'mistral', 'bedrock', 'anthropic']),
      AI_PROVIDER: 'openai',
      AI_MAX_RETRIES: '1',
      AI_BREAKER_THRESHOLD: '50',
    })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const owner = await userWithKey(t.app)
    v1 = owner.v1
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

  const ledgerRow = async (requestId: string) => {
    await t.container.ai.ledger?.flush()
    const [row] = await t.database.db.query<{
      provider: string
      model: string
      feature: string
      input_tokens: number | null
      cost_usd: string | null
      cache_hit: boolean
      status: string
    }>('select provider, model, feature, input_tokens, cost_usd, cache_hit, status from ai_log where request_id = $1', [
      requestId,
    ])
    return row
  }

  const cosine = (a: number[], b: number[]) => {
    let dot = 0
    let na = 0
    let nb = 0
    a.forEach((x, i) => {
      dot += x * (b[i] as number)
      na += x * x
      nb += (b[i] as number) ** 2
    })
    return dot / Math.sqrt(na * nb)
  }

  const texts = ['growth plans for a bakery', 'a bakery growth plan', 'quarterly tax filing deadlines']

  it('embeds a batch through an OpenAI-format upstream (passthrough), in order, with the SDK default base64', async () => {
    // The SDK asks for base64 when the caller names no encoding, and decodes it itself.
    const { data, response } = await openai.embeddings
      .create({ model: 'text-embedding-3-small', input: texts })
      .withResponse()
    expect(response.headers.get('x-optimaliq-provider')).toBe('openai')
    expect(response.headers.get('x-optimaliq-model')).toBe('text-embedding-3-small')
    expect(data.data.map((d) => d.index)).toEqual([0, 1, 2])
    expect(data.data[0]!.embedding).toHaveLength(1536)
    // Order kept: each vector is the simulator's vector of that text.
    data.data.forEach((d, i) =>
      expect(cosine(d.embedding, hashedEmbedding(texts[i] as string, 1536))).toBeCloseTo(1, 5),
    )
    // Similar texts lie near each other, unrelated ones far.
    expect(cosine(data.data[0]!.embedding, data.data[1]!.embedding)).toBeGreaterThan(
      cosine(data.data[0]!.embedding, data.data[2]!.embedding) + 0.2,
    )
    const row = await ledgerRow(response.headers.get('x-request-id')!)
    expect(row).toMatchObject({ provider: 'openai', model: 'text-embedding-3-small', feature: 'v1.embeddings' })
    expect(row!.input_tokens).toBe(data.usage.prompt_tokens)
    expect(Number(row!.cost_usd)).toBeCloseTo((data.usage.prompt_tokens * 0.02) / 1e6, 12)
  })

  it('passes dimensions and float encoding through to OpenAI', async () => {
    const floats = await openai.embeddings.create({
      model: 'openai/text-embedding-3-large',
      input: 'one text',
      dimensions: 256,
      encoding_format: 'float',
    })
    expect(floats.data).toHaveLength(1)
    expect(floats.data[0]!.embedding).toHaveLength(256)
    expect(floats.model).toBe('text-embedding-3-large')
  })

  it('translates to Gemini (batchEmbedContents, outputDimensionality), base64 and float alike', async () => {
    const { data, response } = await openai.embeddings
      .create({ model: 'google/text-embedding-004', input: texts, dimensions: 128 })
      .withResponse()
    expect(response.headers.get('x-optimaliq-provider')).toBe('google')
    expect(data.data.map((d) => d.embedding.length)).toEqual([128, 128, 128])
    data.data.forEach((d, i) => expect(cosine(d.embedding, hashedEmbedding(texts[i] as string, 128))).toBeCloseTo(1, 5))
    // Gemini reports no token count: the ledger keeps tokens unknown and charges the estimate.
    const row = await ledgerRow(response.headers.get('x-request-id')!)
    expect(row).toMatchObject({ provider: 'google', model: 'text-embedding-004', input_tokens: null })
    const estimate = Math.ceil(texts.join('').length / 4)
    expect(Number(row!.cost_usd)).toBeCloseTo((estimate * 0.1) / 1e6, 12)

    const raw = await t.app.inject({
      method: 'POST',
      url: '/v1/embeddings',
      headers: v1,
      payload: { model: 'gemini/text-embedding-004', input: 'single text', encoding_format: 'float' },
    })
    expect(raw.statusCode).toBe(200)
    const body = raw.json() as { object: string; data: Array<{ object: string; embedding: number[] }> }
    expect(body.object).toBe('list')
    expect(body.data[0]!.object).toBe('embedding')
    expect(body.data[0]!.embedding).toHaveLength(768)
  })

  it('translates to Mistral with its token count and price', async () => {
    const batch = Array.from({ length: 40 }, (_, i) => `text number ${i}`)
    const { data, response } = await openai.embeddings
      .create({ model: 'mistral-embed', input: batch, encoding_format: 'float' })
      .withResponse()
    expect(response.headers.get('x-optimaliq-provider')).toBe('mistral')
    // Mistral takes 32 a call: two calls, one answer, order kept.
    expect(sim.stats().byProvider.mistral).toBe(2)
    expect(data.data).toHaveLength(40)
    data.data.forEach((d, i) =>
      expect(cosine(d.embedding, hashedEmbedding(batch[i] as string, 1024))).toBeCloseTo(1, 5),
    )
    const row = await ledgerRow(response.headers.get('x-request-id')!)
    expect(row!.input_tokens).toBe(data.usage.prompt_tokens)
    expect(Number(row!.cost_usd)).toBeCloseTo((data.usage.prompt_tokens * 0.1) / 1e6, 12)
  })

  it('embeds through Bedrock Titan (one invoke per text), dimensions 256', async () => {
    const { data, response } = await openai.embeddings
      .create({ model: 'bedrock/titan-embed-text-v2', input: texts, dimensions: 256 })
      .withResponse()
    expect(response.headers.get('x-optimaliq-provider')).toBe('bedrock')
    expect(response.headers.get('x-optimaliq-model')).toBe('amazon.titan-embed-text-v2:0')
    expect(sim.stats().byProvider.bedrock).toBe(3)
    data.data.forEach((d, i) => expect(cosine(d.embedding, hashedEmbedding(texts[i] as string, 256))).toBeCloseTo(1, 5))
    const row = await ledgerRow(response.headers.get('x-request-id')!)
    expect(row!.input_tokens).toBe(data.usage.prompt_tokens)
    expect(Number(row!.cost_usd)).toBeCloseTo((data.usage.prompt_tokens * 0.02) / 1e6, 12)
  })

  it('caches identical requests per tenant (x-optimaliq-cache-ttl), the hit free in the ledger', async () => {
    const payload = { model: 'text-embedding-3-small', input: ['cache me', 'and me'], encoding_format: 'float' }
    const headers = { ...v1, 'x-optimaliq-cache-ttl': '60' }
    const first = await t.app.inject({ method: 'POST', url: '/v1/embeddings', headers, payload })
    const second = await t.app.inject({ method: 'POST', url: '/v1/embeddings', headers, payload })
    expect(first.headers['x-optimaliq-cache']).toBe('miss')
    expect(second.headers['x-optimaliq-cache']).toBe('hit')
    expect(second.body).toBe(first.body)
    expect(sim.stats().byProvider.openai).toBe(1)
    const row = await ledgerRow(String(second.headers['x-request-id']))
    expect(row).toMatchObject({ cache_hit: true })
    expect(Number(row!.cost_usd)).toBe(0)
    // Another tenant does not share the entry.
    const other = await userWithKey(t.app)
    const theirs = await t.app.inject({
      method: 'POST',
      url: '/v1/embeddings',
      headers: { ...other.v1, 'x-optimaliq-cache-ttl': '60' },
      payload,
    })
    expect(theirs.headers['x-optimaliq-cache']).toBe('miss')
  })

  it('passes token arrays through to OpenAI-format upstreams and refuses them for translated ones', async () => {
    const ok = await openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: [
        [1, 2, 3],
        [4, 5],
      ],
    })
    expect(ok.data).toHaveLength(2)
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/embeddings',
      headers: v1,
      payload: { model: 'mistral-embed', input: [1, 2, 3] },
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.json()).toMatchObject({ error: { code: 'unsupported_parameter', param: 'input' } })
  })

  it('answers bad input in OpenAI error shape with the param at fault', async () => {
    const post = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'POST', url: '/v1/embeddings', headers: { ...v1, ...headers }, payload })
    const cases: Array<[Record<string, unknown>, number, string, string]> = [
      [{ model: 'text-embedding-3-small', input: '' }, 400, 'input', 'invalid_request'],
      [{ model: 'text-embedding-3-small', input: [] }, 400, 'input', 'invalid_request'],
      [{ model: 'text-embedding-3-small' }, 400, 'input', 'invalid_request'],
      [
        { model: 'text-embedding-3-small', input: 'x', encoding_format: 'int8' },
        400,
        'encoding_format',
        'invalid_request',
      ],
      [{ model: 'text-embedding-3-small', input: 'x', dimensions: 0 }, 400, 'dimensions', 'invalid_request'],
      [{ model: 'no-such-model', input: 'x' }, 404, 'model', 'model_not_found'],
      [{ model: 'mistral-embed', input: 'x', dimensions: 256 }, 400, 'dimensions', 'unsupported_parameter'],
      [
        { model: 'bedrock/titan-embed-text-v2', input: 'x', dimensions: 300 },
        400,
        'dimensions',
        'unsupported_parameter',
      ],
      [{ model: 'mistral-embed', input: 'x', user: 'u-1' }, 400, 'user', 'unsupported_parameter'],
      [{ model: 'google/gemini-2.5-flash', input: 'x' }, 400, 'model', 'unsupported_parameter'],
      [{ model: 'openai/gpt-4.1-mini', input: 'x' }, 400, 'model', 'unsupported_parameter'],
      [{ model: 'anthropic/claude-sonnet-4', input: 'x' }, 400, 'model', 'unsupported_parameter'],
    ]
    for (const [payload, status, param, code] of cases) {
      const response = await post(payload)
      expect({ payload, status: response.statusCode }).toEqual({ payload, status })
      const body = response.json() as { error: { param: string; code: string; type: string; message: string } }
      expect({ payload, param: body.error.param, code: body.error.code }).toEqual({ payload, param, code })
      expect(body.error.type).toBe('invalid_request_error')
      expect(body.error.message).toBeTruthy()
    }
    // A missing field in OpenAI's words.
    expect((await post({ model: 'text-embedding-3-small' })).json()).toMatchObject({
      error: { message: "Missing required parameter: 'input'.", param: 'input', code: 'invalid_request' },
    })
    expect(sim.stats().total).toBe(0)
    // An upstream's own 400 keeps its message and param: dimensions on a model without them.
    const upstream = await post({ model: 'text-embedding-ada-002', input: 'x', dimensions: 64 })
    expect(upstream.statusCode).toBe(400)
    expect((upstream.json() as { error: { message: string } }).error.message).toMatch(/dimensions/)
    // With x-optimaliq-drop-params, what a translated model cannot take is dropped and listed.
    const dropped = await post(
      { model: 'mistral-embed', input: 'x', user: 'u-1' },
      { 'x-optimaliq-drop-params': 'true' },
    )
    expect(dropped.statusCode).toBe(200)
    expect(dropped.headers['x-optimaliq-dropped-params']).toBe('user')
  })

  it('retries and falls back like chat: a 503 from the upstream is retried, then answered', async () => {
    sim.setFaults({ status: 503, times: 1 }, 'mistral')
    const answer = await openai.embeddings.create({
      model: 'mistral-embed',
      input: 'retry me',
      encoding_format: 'float',
    })
    expect(answer.data).toHaveLength(1)
    expect(sim.stats().faults.status_503).toBe(1)
  })
})
