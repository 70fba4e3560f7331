import { mkdtemp, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTracing } from '../../../src/main/tracing.ts'
import { createSimulator, simulatorEnv, type Simulator } from '../../../src/simulator/index.ts'
import { startTestApp, type TestApp } from '../../helpers/app.ts'
import { userWithKey } from '../../helpers/gateway.ts'
import { createRecordingUpstream, type RecordingUpstream } from '../../helpers/recording-upstream.ts'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const PARENT = '00f067aa0ba902b7'
const CLAUDE = 'anthropic/claude-sonnet-4-0'
const messages = [{ role: 'user' as const, content: 'One growth tip, please.' }]

const baseEnv = (upstream: string, file: string) => ({
  ...simulatorEnv(upstream, ['openai', 'anthropic']),
  OPTIMALIQ_ADMIN_EMAILS: 'admin@example.com',
  AI_LEDGER_FLUSH_MS: '50',
  AI_LIMITS_ENABLED: 'false',
  AI_PROVIDER: 'openai',
  AI_MAX_RETRIES: '0',
  AI_BREAKER_THRESHOLD: '50',
  OPTIMALIQ_CONFIG: file,
})

/**
 * OpenTelemetry: a span per gateway request and per attempt with the GenAI semantic conventions,
 * continuing the caller's `traceparent`; with an in-memory exporter, and once over real OTLP/HTTP.
 */
describe('gateway traces', () => {
  let sim: Simulator
  let upstream: RecordingUpstream
  let t: TestApp
  let openai: OpenAI
  let apiKey: string
  let file: string
  const exporter = new InMemorySpanExporter()
  const tracing = createTracing('optimaliq-test', [new SimpleSpanProcessor(exporter)])

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    upstream = await createRecordingUpstream(sim.url)
    file = join(await mkdtemp(join(tmpdir(), 'oq-trace-')), 'gateway.json')
    await writeFile(file, JSON.stringify({ routes: { traced: ['openai/gpt-4.1-mini', CLAUDE] } }))
    t = await startTestApp('pglite', baseEnv(upstream.url, file), { tracer: tracing.tracer })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const port = (t.app.server.address() as { port: number }).port
    const owner = await userWithKey(t.app)
    apiKey = owner.key.key
    openai = new OpenAI({ apiKey: owner.key.key, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 })
  }, 120_000)
  afterAll(async () => {
    await t?.close()
    await tracing.shutdown()
    await upstream?.close()
    await sim?.close()
  })
  beforeEach(() => {
    exporter.reset()
    upstream.script = undefined
  })

  /** The spans of one request: the request span and its attempts, once the request span ended. */
  const spansOf = async (requestId: string) => {
    for (let i = 0; i < 100; i++) {
      const request = exporter
        .getFinishedSpans()
        .find((s) => s.attributes['optimaliq.request_id'] === requestId && s.kind === SpanKind.SERVER)
      if (request) {
        const id = request.spanContext().spanId
        const attempts = exporter.getFinishedSpans().filter((s) => s.parentSpanContext?.spanId === id)
        return { request, attempts }
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    throw new Error(`no request span for ${requestId}`)
  }
  const idOf = (response: Response) => String(response.headers.get('x-request-id'))

  it('continues the caller traceparent: a request span and an attempt span with gen_ai attributes and usage', async () => {
    const { data, response } = await openai.chat.completions
      .create(
        { model: 'openai/gpt-4.1-mini', messages, max_tokens: 64, temperature: 0.2 },
        { headers: { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'vendor=abc' } },
      )
      .withResponse()
    const { request, attempts } = await spansOf(idOf(response))

    expect(request.name).toBe('chat openai/gpt-4.1-mini')
    expect(request.spanContext().traceId).toBe(TRACE)
    expect(request.parentSpanContext?.spanId).toBe(PARENT)
    expect(request.spanContext().traceState?.get('vendor')).toBe('abc')
    expect(request.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'openai/gpt-4.1-mini',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.system': 'openai',
      'gen_ai.response.model': 'gpt-4.1-mini',
      'gen_ai.usage.input_tokens': data.usage?.prompt_tokens,
      'gen_ai.usage.output_tokens': data.usage?.completion_tokens,
      'optimaliq.feature': 'v1',
      'optimaliq.cache_hit': false,
      'optimaliq.fallback_used': false,
    })
    expect(request.attributes['optimaliq.cost_usd']).toBeGreaterThan(0)
    expect(request.resource.attributes['service.name']).toBe('optimaliq-test')

    expect(attempts).toHaveLength(1)
    expect(attempts[0]?.kind).toBe(SpanKind.CLIENT)
    expect(attempts[0]?.spanContext().traceId).toBe(TRACE)
    expect(attempts[0]?.attributes).toMatchObject({
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4.1-mini',
      'gen_ai.usage.input_tokens': data.usage?.prompt_tokens,
      'optimaliq.retry': 0,
    })
  })

  it('continues the traceparent on /v1/embeddings, /v1/responses and /v1/messages too', async () => {
    const headers = { traceparent: `00-${TRACE}-${PARENT}-01` }
    const embedded = await openai.embeddings
      .create({ model: 'openai/text-embedding-3-small', input: ['a', 'b'] }, { headers })
      .withResponse()
    const responded = await openai.responses
      .create({ model: 'openai/gpt-4.1-mini', input: 'One tip.', store: false }, { headers })
      .withResponse()
    const messaged = await t.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { ...headers, 'x-api-key': apiKey, 'anthropic-version': '2023-06-01' },
      payload: { model: CLAUDE, max_tokens: 64, messages },
    })
    expect(messaged.statusCode, messaged.body).toBe(200)
    for (const [id, name] of [
      [idOf(embedded.response), 'embeddings openai/text-embedding-3-small'],
      [idOf(responded.response), 'chat openai/gpt-4.1-mini'],
      [String(messaged.headers['x-request-id']), `chat ${CLAUDE}`],
    ] as const) {
      const { request, attempts } = await spansOf(id)
      expect(request.name).toBe(name)
      expect(request.spanContext().traceId).toBe(TRACE)
      expect(request.parentSpanContext?.spanId).toBe(PARENT)
      expect(attempts.length, name).toBeGreaterThan(0)
    }
  })

  it('starts a new trace without a traceparent, and ends a stream span with its usage when the stream ends', async () => {
    const { data: stream, response } = await openai.chat.completions
      .create({ model: CLAUDE, messages, stream: true, stream_options: { include_usage: true } })
      .withResponse()
    let usage
    for await (const chunk of stream) usage = chunk.usage ?? usage
    const { request, attempts } = await spansOf(idOf(response))
    expect(request.parentSpanContext).toBeUndefined()
    expect(request.attributes).toMatchObject({
      'gen_ai.system': 'anthropic',
      'optimaliq.stream': true,
      'gen_ai.usage.output_tokens': usage?.completion_tokens,
    })
    expect(attempts.map((a) => a.attributes['gen_ai.system'])).toEqual(['anthropic'])
  })

  it('records a failed attempt as an error span with its class, then the fallback attempt', async () => {
    upstream.script = (req, res) => {
      if (!req.path.startsWith('/openai/')) return false
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { message: 'upstream broke', type: 'server_error' } }))
      return true
    }
    const { response } = await openai.chat.completions.create({ model: 'traced', messages }).withResponse()
    const { request, attempts } = await spansOf(idOf(response))
    expect(request.attributes).toMatchObject({ 'optimaliq.fallback_used': true, 'gen_ai.system': 'anthropic' })
    const [first, second] = [...attempts].sort(
      (a, b) => a.startTime[1] - b.startTime[1] + (a.startTime[0] - b.startTime[0]) * 1e9,
    )
    expect(first?.attributes).toMatchObject({ 'gen_ai.system': 'openai', 'error.type': 'server_error' })
    expect(first?.status.code).toBe(SpanStatusCode.ERROR)
    expect(second?.attributes['gen_ai.system']).toBe('anthropic')
    expect(second?.status.code).not.toBe(SpanStatusCode.ERROR)
  })

  it('traces a client error as an error request span, and a cache hit with no attempt at all', async () => {
    const refused = await openai.chat.completions
      .create({ model: 'openai/gpt-4.1-mini', messages: [] })
      .withResponse()
      .catch((error: unknown) => error as { status: number; headers: Headers })
    expect((refused as { status: number }).status).toBe(400)

    const ask = () =>
      openai.chat.completions
        .create({ model: 'openai/gpt-4.1-mini', messages }, { headers: { 'x-optimaliq-cache-ttl': '60' } })
        .withResponse()
    await ask()
    const { response } = await ask()
    expect(response.headers.get('x-optimaliq-cache')).toBe('hit')
    const { request, attempts } = await spansOf(idOf(response))
    expect(request.attributes['optimaliq.cache_hit']).toBe(true)
    expect(attempts).toEqual([])
  })
})

describe('gateway traces over OTLP/HTTP', () => {
  let collector: Server
  const received: Array<{ path: string | undefined; type: string | undefined; body: string }> = []

  beforeAll(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        received.push({ path: req.url, type: req.headers['content-type'], body: Buffer.concat(chunks).toString() })
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve))
  })
  afterAll(() => new Promise((resolve) => collector.close(resolve)))

  it('exports the spans to OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces, flushed on shutdown', async () => {
    const sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    const file = join(await mkdtemp(join(tmpdir(), 'oq-otlp-')), 'gateway.json')
    await writeFile(file, '{}')
    const { port } = collector.address() as { port: number }
    const t = await startTestApp('pglite', {
      ...baseEnv(sim.url, file),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_SERVICE_NAME: 'optimaliq-otlp',
    })
    try {
      const owner = await userWithKey(t.app)
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: { ...owner.v1, traceparent: `00-${TRACE}-${PARENT}-01` },
        payload: { model: 'openai/gpt-4.1-mini', messages },
      })
      expect(res.statusCode).toBe(200)
    } finally {
      await t.close()
      await sim.close()
    }
    const sent = received.filter((r) => r.path === '/v1/traces')
    expect(sent.length).toBeGreaterThan(0)
    expect(sent[0]?.type).toContain('application/json')
    const body = sent.map((r) => r.body).join('\n')
    expect(body).toContain('optimaliq-otlp')
    expect(body).toContain('chat openai/gpt-4.1-mini')
    expect(body).toContain('gen_ai.usage.input_tokens')
    expect(body).toContain(TRACE)
  })
})
