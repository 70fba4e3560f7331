import { Pool } from 'undici'
import { ErrorClass, ProviderCallError, classifyStatus, parseRetryAfter, upstreamError } from '../router/errors.ts'
import type { AiUsage } from '../types.ts'
import type { UpstreamStream } from './passthrough.ts'

/**
 * The fast path of `/v1/messages` to an upstream that speaks the Anthropic Messages API: the body
 * forwarded with the model id swapped (and the client's `anthropic-version`/`anthropic-beta`), over
 * a keep-alive undici `Pool`; the answer goes back as the upstream wrote it.
 */

/** An upstream speaking the Anthropic Messages API: its `/messages` URL and auth headers. */
export type AnthropicUpstream = { provider: string; messagesUrl: string; headers: Record<string, string> }

export type AnthropicPassthrough = {
  complete(
    upstream: AnthropicUpstream,
    body: string,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<{ body: string; usage: AiUsage }>
  stream(
    upstream: AnthropicUpstream,
    body: string,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<UpstreamStream>
  close(): Promise<void>
}

/** Anthropic's input count: uncached, cache-written and cache-read tokens together (all are prompt). */
export function anthropicUsage(usage: unknown): { input: number | undefined; output: number | undefined } {
  const u = (usage ?? {}) as Record<string, unknown>
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined)
  const parts = [u.input_tokens, u.cache_creation_input_tokens, u.cache_read_input_tokens].map(num)
  const input = parts.every((p) => p === undefined) ? undefined : parts.reduce<number>((a, b) => a + (b ?? 0), 0)
  return { input, output: num(u.output_tokens) }
}

const malformed = (provider: string, message: string, cause?: unknown) =>
  new ProviderCallError({ provider, model: '', errorClass: ErrorClass.MalformedResponse, message, cause })

export function createAnthropicPassthrough(options: { connections?: number } = {}): AnthropicPassthrough {
  const pools = new Map<string, Pool>()
  const poolOf = (url: URL) => {
    let pool = pools.get(url.origin)
    if (!pool) {
      pool = new Pool(url.origin, { connections: options.connections ?? 256, keepAliveTimeout: 30_000 })
      pools.set(url.origin, pool)
    }
    return pool
  }

  async function send(upstream: AnthropicUpstream, body: string, headers: Record<string, string>, signal: AbortSignal) {
    const url = new URL(upstream.messagesUrl)
    const response = await poolOf(url).request({
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...upstream.headers, ...headers },
      body,
      signal,
    })
    if (response.statusCode >= 200 && response.statusCode < 300) return response
    const text = await response.body.text().catch(() => '')
    const said = upstreamError(text, `${upstream.provider} answered ${response.statusCode}`)
    throw new ProviderCallError({
      upstream: said,
      provider: upstream.provider,
      model: '',
      errorClass: classifyStatus(response.statusCode),
      statusCode: response.statusCode,
      retryAfterMs: parseRetryAfter(response.headers['retry-after']),
      message: `${upstream.provider} answered ${response.statusCode}: ${said.message.slice(0, 300)}`,
    })
  }

  return {
    async complete(upstream, body, headers, signal) {
      const response = await send(upstream, body, headers, signal)
      const text = await response.body.text()
      let parsed: { type?: unknown; content?: unknown; usage?: unknown }
      try {
        parsed = JSON.parse(text) as typeof parsed
      } catch (error) {
        throw malformed(upstream.provider, `${upstream.provider} sent a body that is not JSON`, error)
      }
      if (parsed.type !== 'message' || !Array.isArray(parsed.content))
        throw malformed(upstream.provider, `${upstream.provider} sent no message`)
      const usage = anthropicUsage(parsed.usage)
      return { body: text, usage: { inputTokens: usage.input, outputTokens: usage.output } }
    },
    async stream(upstream, body, headers, signal) {
      const response = await send(upstream, body, { ...headers, accept: 'text/event-stream' }, signal)
      const iterator = (response.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
      const first = await iterator.next()
      if (first.done) throw malformed(upstream.provider, `${upstream.provider} ended the stream before any data`)
      return { first: first.value, chunks: { [Symbol.asyncIterator]: () => iterator } }
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()))
      pools.clear()
    },
  }
}
