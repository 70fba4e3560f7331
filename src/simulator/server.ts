import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { catalog } from '../gateway/catalog/model-catalog.ts'
import { digest, produce, type SimRequest } from './content.ts'
import { embeddingAnswer, type EmbeddingFormat } from './embeddings.ts'
import { simulatorBaseUrls, simulatorEnv, SIM_CUSTOM_MODEL, type SimulatedProvider } from './endpoints.ts'
import { createFaultState, faultsSchema, parseFaultHeader, type Faults } from './faults.ts'
import { createAnthropicFormat } from './formats/anthropic.ts'
import { createBedrockFormat } from './formats/bedrock.ts'
import { createGeminiFormat } from './formats/gemini.ts'
import { createOpenAiFormat } from './formats/openai.ts'
import { createOpenAiResponsesFormat } from './formats/openai-responses.ts'
import { BadRequest, isRecord, type WireFormat } from './formats/wire.ts'
import {
  hasCredentials,
  headerValue,
  readBody,
  sendJson,
  sendText,
  sendTruncated,
  sleep,
  streamEvents,
  streamFrames,
} from './transport.ts'

/**
 * The provider simulator: one loopback HTTP server speaking the OpenAI, Azure OpenAI,
 * OpenAI-compatible, Mistral, Anthropic, Gemini (Google AI and Vertex) and Bedrock Converse wire formats under one
 * path prefix per provider, with deterministic answers and scriptable faults (see `faults.ts`).
 *
 * Control API: `GET|POST|DELETE /_control/faults`, `GET /_control/stats`, `POST /_control/reset`.
 */

export type SimulatorOptions = {
  port?: number
  host?: string
  /** Faults active from the start (all providers, or `faults.provider`). */
  faults?: Faults
}

export type SimulatorStats = {
  total: number
  byProvider: Record<string, number>
  streams: number
  /** Streams closed before their last event: the client went away (or a `truncate` fault cut it). */
  streamsCancelled: number
  /** Injected failures by kind: status_429, hang, malformed, truncate, invalidSchema, … */
  faults: Record<string, number>
}

export type Simulator = {
  url: string
  port: number
  baseUrls: Record<SimulatedProvider, string>
  /** OptimaliQ env variables pointing these providers (default: all) at this simulator. */
  env(providers?: readonly SimulatedProvider[]): Record<string, string>
  /** Replace the faults of one provider (or of all, when neither argument names one). `undefined` clears. */
  setFaults(faults: Faults | undefined, provider?: string): void
  clearFaults(): void
  faults(): Record<string, Faults>
  stats(): SimulatorStats
  /** Zero the stats and the failure-rate counters (faults stay). */
  resetStats(): void
  close(): Promise<void>
}

type Route = {
  provider: SimulatedProvider
  format: WireFormat
  kind: 'completion' | 'models' | 'embeddings'
  model?: string
  stream?: boolean
  /** Embeddings: Gemini's `:batchEmbedContents`. */
  batch?: boolean
}

const PROVIDER_FORMAT: Record<SimulatedProvider, 'openai' | 'mistral' | 'anthropic' | 'gemini' | 'bedrock'> = {
  openai: 'openai',
  azure: 'openai',
  custom: 'openai',
  mistral: 'mistral',
  anthropic: 'anthropic',
  google: 'gemini',
  vertex: 'gemini',
  bedrock: 'bedrock',
}

const GEMINI_METHOD = /\/models\/([^/:]+):(generateContent|streamGenerateContent)$/
const BEDROCK_METHOD = /^\/model\/([^/]+)\/(converse|converse-stream)$/
const GEMINI_EMBED = /\/models\/([^/:]+):(embedContent|batchEmbedContents)$/
const BEDROCK_INVOKE = /^\/model\/([^/]+)\/invoke$/

export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const formats = {
    openai: createOpenAiFormat('openai'),
    mistral: createOpenAiFormat('mistral'),
    anthropic: createAnthropicFormat(),
    gemini: createGeminiFormat(),
    bedrock: createBedrockFormat(),
  }
  const responsesFormat = createOpenAiResponsesFormat()
  const faultState = createFaultState()
  if (options.faults) faultState.set(options.faults)
  let stats = emptyStats()

  function route(method: string, path: string): Route | undefined {
    const slash = path.indexOf('/', 1)
    let prefix = slash === -1 ? path.slice(1) : path.slice(1, slash)
    let rest = slash === -1 ? '' : path.slice(slash)
    if (prefix === 'v1' || prefix === 'v1beta') {
      // Unprefixed OpenAI paths, for clients that only know one base URL.
      prefix = 'openai'
      rest = path
    }
    if (!(prefix in PROVIDER_FORMAT)) return undefined
    const provider = prefix as SimulatedProvider
    const format = formats[PROVIDER_FORMAT[provider]]
    if (method === 'GET' && (rest.endsWith('/models') || rest === '/foundation-models'))
      return { provider, format, kind: 'models' }
    if (method !== 'POST') return undefined
    const embeddings = embeddingRoute(format.name, rest)
    if (embeddings) return { provider, format, kind: 'embeddings', ...embeddings }
    if (format.name === 'gemini') {
      const match = GEMINI_METHOD.exec(rest)
      if (!match) return undefined
      return {
        provider,
        format,
        kind: 'completion',
        model: decodeURIComponent(match[1] as string),
        stream: match[2] === 'streamGenerateContent',
      }
    }
    if (format.name === 'anthropic')
      return rest.endsWith('/messages') ? { provider, format, kind: 'completion' } : undefined
    if (format.name === 'bedrock') {
      const match = BEDROCK_METHOD.exec(rest)
      if (!match) return undefined
      return {
        provider,
        format,
        kind: 'completion',
        model: decodeURIComponent(match[1] as string),
        stream: match[2] === 'converse-stream',
      }
    }
    // OpenAI's Responses API, on the OpenAI-format prefixes (openai, azure, custom).
    if (format.name === 'openai' && rest.endsWith('/responses'))
      return { provider, format: responsesFormat, kind: 'completion' }
    return rest.endsWith('/chat/completions') ? { provider, format, kind: 'completion' } : undefined
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator')
    const method = req.method ?? 'GET'
    if (url.pathname.startsWith('/_control/')) return control(req, res, method, url.pathname)
    const found = route(method, url.pathname)
    if (!found)
      return sendJson(res, 404, {
        error: { message: `No simulated endpoint for ${method} ${url.pathname}`, type: 'not_found' },
      })
    const { provider, format } = found
    stats.total += 1
    stats.byProvider[provider] = (stats.byProvider[provider] ?? 0) + 1

    if (!hasCredentials(req, url))
      return sendJson(res, 401, format.errorBody(401, 'Missing API key (simulator accepts any key).'))
    if (found.kind === 'models') {
      const ids = provider === 'custom' ? [SIM_CUSTOM_MODEL] : catalog.modelsFor(provider).map((m) => m.id)
      return sendJson(res, 200, format.modelList(ids))
    }

    if (found.kind === 'embeddings') return embeddings(req, res, found)

    let headerFaults: Faults | undefined
    let request: SimRequest
    let seedText: string
    const raw = await readBody(req)
    try {
      headerFaults = parseFaultHeader(headerValue(req, 'x-sim-fault'))
      const body: unknown = JSON.parse(raw)
      if (!isRecord(body)) throw new BadRequest('request body must be a JSON object')
      request = format.parse(body, { model: found.model, stream: found.stream })
      // The same request answers the same, streamed or not.
      const { stream: _s, stream_options: _o, ...rest } = body
      seedText = `${request.model}\n${JSON.stringify(rest)}`
    } catch (error) {
      const message =
        error instanceof SyntaxError
          ? `Invalid JSON body: ${error.message}`
          : error instanceof Error
            ? error.message
            : String(error)
      return sendJson(res, 400, format.errorBody(400, message))
    }
    if (request.stream) {
      stats.streams += 1
      const counted = stats
      res.once('close', () => {
        if (!res.writableFinished) counted.streamsCancelled += 1
      })
    }

    const plan = faultState.plan(provider, headerFaults)
    if (plan.latencyMs > 0) await sleep(plan.latencyMs)
    if (res.destroyed || res.socket === null || res.socket.destroyed) return
    const failure = plan.failure
    if (failure.kind !== 'none') {
      const key = failure.kind === 'status' ? `status_${failure.status}` : failure.kind
      stats.faults[key] = (stats.faults[key] ?? 0) + 1
    }
    switch (failure.kind) {
      case 'hang':
        return // never answer; close() or the client's timeout ends it
      case 'stall':
        if (!request.stream) return // without a stream, a stall is a hang
        break
      case 'streamError':
        if (!request.stream) return sendJson(res, 500, format.errorBody(500, 'Simulated failure with status 500.'))
        break
      case 'status': {
        const headers: Record<string, string> = {}
        if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter)
        const message =
          failure.status === 429
            ? 'Rate limit exceeded (simulated).'
            : `Simulated failure with status ${failure.status}.`
        return sendJson(res, failure.status, format.errorBody(failure.status, message), headers)
      }
    }
    const out = produce(request, digest(seedText), failure.kind === 'invalidSchema')
    const sseMode = request.stream && !(format.name === 'gemini' && url.searchParams.get('alt') !== 'sse')
    if (!request.stream) {
      const text = JSON.stringify(format.renderJson(out, request))
      if (failure.kind === 'malformed')
        return sendText(res, 200, 'application/json', text.slice(0, Math.floor(text.length / 2)))
      if (failure.kind === 'truncate') return sendTruncated(res, 'application/json', text)
      return sendText(res, 200, 'application/json', text)
    }
    let events = format.renderStream(out, request)
    if (failure.kind === 'streamError') {
      events = [
        ...events.slice(0, Math.max(2, Math.floor(events.length / 2))),
        format.streamErrorEvent('Overloaded (simulated, mid-stream).'),
      ]
    }
    if (!sseMode) {
      // Gemini without `alt=sse` streams one JSON array.
      const text = `[${events.map((e) => e.data).join(',\r\n')}]`
      if (failure.kind === 'stall') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write(text.slice(0, Math.floor(text.length / 2)))
        return
      }
      if (failure.kind === 'malformed')
        return sendText(res, 200, 'application/json', text.slice(0, Math.floor(text.length / 2)))
      if (failure.kind === 'truncate') return sendTruncated(res, 'application/json', text)
      return sendText(res, 200, 'application/json', text)
    }
    if (format.encodeStream) return streamFrames(res, format.encodeStream(events), plan)
    return streamEvents(res, events, format.sseSeparator, plan)
  }

  /** An embeddings request: latency, hang, status and malformed faults apply as to completions. */
  async function embeddings(req: IncomingMessage, res: ServerResponse, found: Route): Promise<void> {
    const { format, provider } = found
    let answer: ReturnType<typeof embeddingAnswer>
    let headerFaults: Faults | undefined
    try {
      headerFaults = parseFaultHeader(headerValue(req, 'x-sim-fault'))
      const body: unknown = JSON.parse(await readBody(req))
      if (!isRecord(body)) throw new BadRequest('request body must be a JSON object')
      answer = embeddingAnswer(EMBEDDING_FORMAT[PROVIDER_FORMAT[provider]], body, found)
    } catch (error) {
      const message = error instanceof SyntaxError ? `Invalid JSON body: ${error.message}` : errorText(error)
      return sendJson(res, 400, format.errorBody(400, message))
    }
    const plan = faultState.plan(provider, headerFaults)
    if (plan.latencyMs > 0) await sleep(plan.latencyMs)
    const failure = plan.failure
    if (failure.kind !== 'none') {
      const key = failure.kind === 'status' ? `status_${failure.status}` : failure.kind
      stats.faults[key] = (stats.faults[key] ?? 0) + 1
    }
    if (failure.kind === 'hang' || failure.kind === 'stall') return
    if (failure.kind === 'status' || failure.kind === 'streamError') {
      const status = failure.kind === 'status' ? failure.status : 500
      const headers: Record<string, string> = {}
      if (failure.kind === 'status' && failure.retryAfter !== undefined)
        headers['retry-after'] = String(failure.retryAfter)
      return sendJson(res, status, format.errorBody(status, `Simulated failure with status ${status}.`), headers)
    }
    const text = JSON.stringify(answer.json)
    if (failure.kind === 'malformed')
      return sendText(res, 200, 'application/json', text.slice(0, Math.floor(text.length / 2)))
    if (failure.kind === 'truncate') return sendTruncated(res, 'application/json', text)
    return sendJson(res, 200, answer.json, answer.headers)
  }

  async function control(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    if (path === '/_control/stats' && method === 'GET') return sendJson(res, 200, stats)
    if (path === '/_control/reset' && method === 'POST') {
      faultState.clear()
      stats = emptyStats()
      return sendJson(res, 200, { ok: true })
    }
    if (path === '/_control/faults') {
      if (method === 'GET') return sendJson(res, 200, faultState.current())
      if (method === 'DELETE') {
        faultState.clear()
        return sendJson(res, 200, { ok: true })
      }
      if (method === 'POST' || method === 'PUT') {
        let body: unknown
        try {
          const raw = await readBody(req)
          body = raw.trim() === '' ? {} : JSON.parse(raw)
        } catch {
          return sendJson(res, 400, { error: { message: 'body must be JSON' } })
        }
        const parsed = faultsSchema.safeParse(body)
        if (!parsed.success)
          return sendJson(res, 400, {
            error: {
              message: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
            },
          })
        faultState.set(parsed.data)
        return sendJson(res, 200, faultState.current())
      }
    }
    return sendJson(res, 404, { error: { message: `No control endpoint ${method} ${path}` } })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { error: { message: error instanceof Error ? error.message : String(error) } })
      else res.destroy()
    })
  })
  // Loopback benchmarks keep connections open; do not race the client's pool.
  server.keepAliveTimeout = 65_000
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`

  return {
    url,
    port,
    baseUrls: simulatorBaseUrls(url),
    env: (providers) => simulatorEnv(url, providers),
    setFaults: (faults, provider) => faultState.set(faults, provider),
    clearFaults: () => faultState.clear(),
    faults: () => faultState.current(),
    stats: () => structuredClone(stats),
    resetStats() {
      stats = emptyStats()
      faultState.resetCounters()
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

const EMBEDDING_FORMAT = {
  openai: 'openai',
  mistral: 'mistral',
  anthropic: 'openai',
  gemini: 'gemini',
  bedrock: 'bedrock',
} as const satisfies Record<string, EmbeddingFormat>

/** The embeddings endpoint of a path, per provider format (Anthropic has none). */
function embeddingRoute(format: string, rest: string): { model?: string; batch?: boolean } | undefined {
  if (format === 'openai' || format === 'mistral') return rest.endsWith('/embeddings') ? {} : undefined
  if (format === 'gemini') {
    const match = GEMINI_EMBED.exec(rest)
    return match
      ? { model: decodeURIComponent(match[1] as string), batch: match[2] === 'batchEmbedContents' }
      : undefined
  }
  if (format === 'bedrock') {
    const match = BEDROCK_INVOKE.exec(rest)
    return match ? { model: decodeURIComponent(match[1] as string) } : undefined
  }
  return undefined
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error))

function emptyStats(): SimulatorStats {
  return { total: 0, byProvider: {}, streams: 0, streamsCancelled: 0, faults: {} }
}
