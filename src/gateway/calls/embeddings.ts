import type { EmbeddingModelV3 } from '@ai-sdk/provider'
import { embedMany } from 'ai'
import { Pool } from 'undici'
import { ErrorClass, ProviderCallError, classifyStatus, parseRetryAfter, upstreamError } from '../router/errors.ts'
import type { AiUsage } from '../types.ts'
import type { OpenAiUpstream } from './passthrough.ts'

/**
 * Embedding calls: to an OpenAI-format upstream (OpenAI, Azure, OpenAI-compatible) the body is
 * forwarded as is with the model id swapped (`POST …/embeddings`, undici `Pool`); to the others
 * (Gemini, Mistral, Bedrock) the AI SDK's `embedMany` with the provider's embedding model.
 */

export type EmbeddingsPassthrough = {
  /** The upstream's answer as it wrote it, and its usage (`prompt_tokens`). */
  embed(upstream: OpenAiUpstream, body: string, signal: AbortSignal): Promise<{ body: string; usage: AiUsage }>
  close(): Promise<void>
}

/** The embeddings URL of an upstream, beside its chat-completions URL (query kept: Azure's api-version). */
export function embeddingsUrl(upstream: OpenAiUpstream): URL {
  const url = new URL(upstream.chatCompletionsUrl)
  url.pathname = url.pathname.replace(/\/chat\/completions\/?$/, '/embeddings')
  return url
}

const malformed = (provider: string, message: string, cause?: unknown) =>
  new ProviderCallError({ provider, model: '', errorClass: ErrorClass.MalformedResponse, message, cause })

export function createEmbeddingsPassthrough(options: { connections?: number } = {}): EmbeddingsPassthrough {
  const pools = new Map<string, Pool>()
  return {
    async embed(upstream, body, signal) {
      const url = embeddingsUrl(upstream)
      let pool = pools.get(url.origin)
      if (!pool) {
        pool = new Pool(url.origin, { connections: options.connections ?? 64, keepAliveTimeout: 30_000 })
        pools.set(url.origin, pool)
      }
      const response = await pool.request({
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...upstream.headers },
        body,
        signal,
      })
      const text = await response.body.text()
      if (response.statusCode < 200 || response.statusCode >= 300) {
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
      let parsed: { data?: unknown; usage?: { prompt_tokens?: unknown } }
      try {
        parsed = JSON.parse(text) as typeof parsed
      } catch (error) {
        throw malformed(upstream.provider, `${upstream.provider} sent a body that is not JSON`, error)
      }
      if (!Array.isArray(parsed.data)) throw malformed(upstream.provider, `${upstream.provider} sent no data`)
      const prompt = parsed.usage?.prompt_tokens
      return { body: text, usage: { inputTokens: typeof prompt === 'number' ? prompt : undefined, outputTokens: 0 } }
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()))
      pools.clear()
    },
  }
}

/**
 * Texts through an AI SDK embedding model: `embedMany` splits them into the provider's batch size
 * (Gemini 100, Mistral 32, Titan one per call, in parallel) and keeps their order. No SDK retries:
 * the router retries and falls back. Usage: the provider's token count, unknown when it sends none.
 */
export async function sdkEmbed(
  model: EmbeddingModelV3,
  texts: string[],
  providerOptions: Record<string, Record<string, number>> | undefined,
  signal: AbortSignal,
): Promise<{ vectors: number[][]; usage: AiUsage }> {
  const result = await embedMany({
    model,
    values: texts,
    maxRetries: 0,
    maxParallelCalls: 8,
    abortSignal: signal,
    ...(providerOptions ? { providerOptions } : {}),
  })
  const tokens = result.usage.tokens
  return {
    vectors: result.embeddings,
    usage: { inputTokens: Number.isFinite(tokens) ? tokens : undefined, outputTokens: 0 },
  }
}
