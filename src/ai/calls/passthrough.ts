import { Pool } from 'undici'
import type { Config } from '../../config/env.ts'
import { ErrorClass, ProviderCallError, classifyStatus, parseRetryAfter } from '../router/errors.ts'
import type { AiUsage } from '../types.ts'

/**
 * The fast path of `/v1` to an upstream that already speaks OpenAI chat completions: the body is
 * forwarded with the model id swapped, over a keep-alive undici `Pool`, and the answer is sent
 * back as the upstream wrote it. Measured: undici Pool ≈ 9,000 RPS vs AI SDK ≈ 1,900 on 2 cores.
 */

export type OpenAiUpstream = { provider: string; baseURL: string; apiKey?: string | undefined }

/** Providers whose wire format is OpenAI's, with where to reach them. */
export function openAiUpstreams(config: Config): Map<string, OpenAiUpstream> {
  const map = new Map<string, OpenAiUpstream>()
  const { openai, custom } = config.ai.providers
  if (openai.apiKey) map.set('openai', { provider: 'openai', baseURL: openai.baseURL ?? 'https://api.openai.com/v1', apiKey: openai.apiKey })
  if (custom.baseURL) map.set('custom', { provider: 'custom', baseURL: custom.baseURL, apiKey: custom.apiKey })
  return map
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

type Target = { pool: Pool; path: string; headers: Record<string, string> }

export function createPassthrough(options: { connections?: number } = {}): Passthrough {
  const targets = new Map<string, Target>()
  const target = (upstream: OpenAiUpstream): Target => {
    const key = `${upstream.baseURL}\n${upstream.apiKey ?? ''}`
    let found = targets.get(key)
    if (!found) {
      const url = new URL(upstream.baseURL)
      found = {
        pool: new Pool(url.origin, { connections: options.connections ?? 256, keepAliveTimeout: 30_000 }),
        path: url.pathname.replace(/\/$/, ''),
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(upstream.apiKey ? { authorization: `Bearer ${upstream.apiKey}` } : {}) },
      }
      targets.set(key, found)
    }
    return found
  }

  async function send(upstream: OpenAiUpstream, path: string, method: 'GET' | 'POST', body: string | undefined, signal: AbortSignal | undefined) {
    const t = target(upstream)
    const response = await t.pool.request({ origin: undefined, path: `${t.path}${path}`, method, headers: t.headers, body, signal })
    if (response.statusCode >= 200 && response.statusCode < 300) return response
    const text = await response.body.text().catch(() => '')
    const message = (() => {
      try {
        return String((JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text.slice(0, 300))
      } catch {
        return text.slice(0, 300)
      }
    })()
    throw new ProviderCallError({
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
      const response = await send(upstream, '/chat/completions', 'POST', body, signal)
      const text = await response.body.text()
      let parsed: { choices?: unknown; usage?: { prompt_tokens?: number; completion_tokens?: number }; model?: string }
      try {
        parsed = JSON.parse(text) as typeof parsed
      } catch (error) {
        throw new ProviderCallError({ provider: upstream.provider, model: '', errorClass: ErrorClass.MalformedResponse, statusCode: response.statusCode, message: `${upstream.provider} sent a body that is not JSON`, cause: error })
      }
      if (!Array.isArray(parsed.choices)) throw new ProviderCallError({ provider: upstream.provider, model: '', errorClass: ErrorClass.MalformedResponse, message: `${upstream.provider} sent no choices` })
      return { body: text, usage: { inputTokens: parsed.usage?.prompt_tokens, outputTokens: parsed.usage?.completion_tokens }, model: parsed.model }
    },
    async stream(upstream, body, signal) {
      const response = await send(upstream, '/chat/completions', 'POST', body, signal)
      const iterator = (response.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
      const first = await iterator.next()
      if (first.done) throw new ProviderCallError({ provider: upstream.provider, model: '', errorClass: ErrorClass.MalformedResponse, message: `${upstream.provider} ended the stream before any data` })
      return { first: first.value, chunks: { [Symbol.asyncIterator]: () => iterator } }
    },
    async probe(upstream, signal) {
      const response = await send(upstream, '/models', 'GET', undefined, signal)
      await response.body.dump()
    },
    async close() {
      await Promise.all([...targets.values()].map((t) => t.pool.close()))
      targets.clear()
    },
  }
}

/** Usage from the last SSE events of an OpenAI stream (present when `stream_options.include_usage`). */
export function usageFromSseTail(tail: string): AiUsage {
  const index = tail.lastIndexOf('"usage":{')
  if (index === -1) return { inputTokens: undefined, outputTokens: undefined }
  const prompt = /"prompt_tokens":(\d+)/.exec(tail.slice(index))
  const completion = /"completion_tokens":(\d+)/.exec(tail.slice(index))
  return { inputTokens: prompt ? Number(prompt[1]) : undefined, outputTokens: completion ? Number(completion[1]) : undefined }
}
