import { Pool } from 'undici'
import { ErrorClass, ProviderCallError, classifyStatus, parseRetryAfter, upstreamError } from '../router/errors.ts'
import type { AiUsage } from '../types.ts'

/**
 * The fast path of `/v1` to an upstream that already speaks OpenAI chat completions: the body is
 * forwarded with the model id swapped, over a keep-alive undici `Pool`, and the answer is sent
 * back as the upstream wrote it. Measured: undici Pool ≈ 9,000 RPS vs AI SDK ≈ 1,900 on 2 cores.
 */

/** An upstream speaking OpenAI chat completions: its chat URL, its base URL (for `/models`) and auth headers. */
export type OpenAiUpstream = {
  provider: string
  chatCompletionsUrl: string
  baseURL: string
  headers: Record<string, string>
}

export type UpstreamCompletion = { body: string; usage: AiUsage; model: string | undefined }
export type UpstreamStream = { chunks: AsyncIterable<Buffer>; first: Buffer }

export type Passthrough = {
  complete(upstream: OpenAiUpstream, body: string, signal: AbortSignal): Promise<UpstreamCompletion>
  stream(upstream: OpenAiUpstream, body: string, signal: AbortSignal): Promise<UpstreamStream>
  /** An unpaid health probe: `GET /models`. */
  probe(upstream: OpenAiUpstream, signal?: AbortSignal): Promise<void>
  close(): Promise<void>
}

type Target = { pool: Pool; chatPath: string; modelsPath: string; headers: Record<string, string> }

export function createPassthrough(options: { connections?: number } = {}): Passthrough {
  const pools = new Map<string, Pool>()
  const targets = new WeakMap<OpenAiUpstream, Target>()
  const target = (upstream: OpenAiUpstream): Target => {
    let found = targets.get(upstream)
    if (!found) {
      const chat = new URL(upstream.chatCompletionsUrl)
      let pool = pools.get(chat.origin)
      if (!pool) {
        pool = new Pool(chat.origin, { connections: options.connections ?? 256, keepAliveTimeout: 30_000 })
        pools.set(chat.origin, pool)
      }
      found = {
        pool,
        chatPath: `${chat.pathname}${chat.search}`,
        modelsPath: `${new URL(upstream.baseURL).pathname.replace(/\/$/, '')}/models`,
        headers: { 'content-type': 'application/json', accept: 'application/json', ...upstream.headers },
      }
      targets.set(upstream, found)
    }
    return found
  }

  async function send(
    upstream: OpenAiUpstream,
    kind: 'chat' | 'models',
    body: string | undefined,
    signal: AbortSignal | undefined,
  ) {
    const t = target(upstream)
    const response = await t.pool.request({
      path: kind === 'chat' ? t.chatPath : t.modelsPath,
      method: kind === 'chat' ? 'POST' : 'GET',
      headers: t.headers,
      body,
      signal,
    })
    if (response.statusCode >= 200 && response.statusCode < 300) return response
    const text = await response.body.text().catch(() => '')
    const upstreamSaid = upstreamError(text, `${upstream.provider} answered ${response.statusCode}`)
    const message = upstreamSaid.message.slice(0, 300)
    throw new ProviderCallError({
      upstream: upstreamSaid,
      provider: upstream.provider,
      model: '',
      errorClass: classifyStatus(response.statusCode),
      statusCode: response.statusCode,
      retryAfterMs: parseRetryAfter(response.headers['retry-after']),
      message: `${upstream.provider} answered ${response.statusCode}: ${message}`,
    })
  }

  return {
    async complete(upstream, body, signal) {
      const response = await send(upstream, 'chat', body, signal)
      const text = await response.body.text()
      let parsed: { choices?: unknown; usage?: { prompt_tokens?: number; completion_tokens?: number }; model?: string }
      try {
        parsed = JSON.parse(text) as typeof parsed
      } catch (error) {
        throw new ProviderCallError({
          provider: upstream.provider,
          model: '',
          errorClass: ErrorClass.MalformedResponse,
          statusCode: response.statusCode,
          message: `${upstream.provider} sent a body that is not JSON`,
          cause: error,
        })
      }
      if (!Array.isArray(parsed.choices))
        throw new ProviderCallError({
          provider: upstream.provider,
          model: '',
          errorClass: ErrorClass.MalformedResponse,
          message: `${upstream.provider} sent no choices`,
        })
      return {
        body: text,
        usage: { inputTokens: parsed.usage?.prompt_tokens, outputTokens: parsed.usage?.completion_tokens },
        model: parsed.model,
      }
    },
    async stream(upstream, body, signal) {
      const response = await send(upstream, 'chat', body, signal)
      const iterator = (response.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
      const first = await iterator.next()
      if (first.done)
        throw new ProviderCallError({
          provider: upstream.provider,
          model: '',
          errorClass: ErrorClass.MalformedResponse,
          message: `${upstream.provider} ended the stream before any data`,
        })
      return { first: first.value, chunks: { [Symbol.asyncIterator]: () => iterator } }
    },
    async probe(upstream, signal) {
      const response = await send(upstream, 'models', undefined, signal)
      await response.body.dump()
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()))
      pools.clear()
    },
  }
}
