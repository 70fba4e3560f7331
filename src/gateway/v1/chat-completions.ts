import { once } from 'node:events'
import type { FastifyReply } from 'fastify'
import { cacheKey } from '../cache/cache.ts'
import { contentText, type ChatChunk, type ChatMessage } from '../calls/chat.ts'
import type { UpstreamStream } from '../calls/passthrough.ts'
import { sdkGenerate, sdkStream } from '../calls/sdk.ts'
import type { AiGateway } from '../client.ts'
import {
  AiUnavailableError,
  AllProvidersFailedError,
  ErrorClass,
  ProviderCallError,
  UpstreamClientError,
  errorMessage,
} from '../router/errors.ts'
import type { CallContext } from '../router/router.ts'
import { cacheTenant, type AiAttempt, type AiCaller, type AiMeta, type AiUsage } from '../types.ts'
import {
  firstChunkEvent,
  toChatRequest,
  toChunkEvents,
  toCompletion,
  type ChatCompletionBody,
} from '../wire/openai-chat.ts'
import { createSseRelay, type SseRelay } from '../wire/openai-sse.ts'

/**
 * `/v1/chat/completions` on top of the gateway: an OpenAI-format upstream gets the body forwarded
 * as is (model id swapped) through the undici passthrough; any other provider goes through its AI
 * SDK model and is translated. Breaker, retries, fallback, cache, guards and ledger apply to both.
 */

const FEATURE = 'v1'

export type CompletedChat = { body: string; provider: string; model: string; cached: boolean; fallbackUsed: boolean }

type Answer = {
  body: string
  usage: AiUsage
  provider: string
  model: string
  attempts: AiAttempt[]
  fallbackUsed: boolean
}

const estimate = (body: ChatCompletionBody) => {
  let chars = 0
  for (const m of body.messages) chars += typeof m.content === 'string' ? m.content.length : 0
  return Math.ceil(chars / 4) + (body.max_completion_tokens ?? body.max_tokens ?? 0)
}

function start(ai: AiGateway, body: ChatCompletionBody) {
  if (!ai.enabled)
    throw new AiUnavailableError(
      ai.config.ai.enabled
        ? 'No AI provider is configured: set a provider key (e.g. OPENAI_API_KEY) to use /v1'
        : 'AI is disabled on this server (AI_ENABLED=false)',
    )
  return ai.routes.resolve(body.model)
}

const created = () => Math.floor(Date.now() / 1000)

/**
 * The cache key of a request: route, messages and parameters. A stream's key also holds `stream`
 * and its options, so a streamed answer (SSE text) and a JSON one never stand in for each other.
 */
function v1CacheKey(ai: AiGateway, body: ChatCompletionBody, caller: AiCaller): string {
  const { messages, model, stream, stream_options: streamOptions, ...params } = body
  return cacheKey({
    route: model,
    feature: FEATURE,
    messages,
    params: stream ? { ...params, stream: true, stream_options: streamOptions } : params,
    tenant: ai.sharedCacheRoutes.has(model) ? undefined : cacheTenant(caller),
  })
}

/** A stream is cached only up to this size (the SSE text as sent). */
const MAX_CACHED_STREAM_BYTES = 1_000_000

/** Whether SSE text is a whole answer: it ends with `[DONE]` and carries no in-stream error event. */
const ranToItsEnd = (sse: string) =>
  /data: \[DONE\]\s*$/.test(sse) && !/^data: *\{("error"|"object": *"error")/m.test(sse)

/** What the cache holds for a stream: the SSE text as it was sent, and who answered it. */
type CachedStream = { sse: string; provider: string; model: string }

async function callOne(
  ai: AiGateway,
  body: ChatCompletionBody,
  context: CallContext,
  requestId: string,
): Promise<{ body: string; usage: AiUsage }> {
  const { candidate } = context
  const settle = await ai.pace(candidate, estimate(body))
  const upstream = ai.upstreams.get(candidate.provider)
  let answer: { body: string; usage: AiUsage }
  if (upstream) {
    answer = await ai.passthrough.complete(
      upstream,
      JSON.stringify({ ...body, model: candidate.model }),
      context.signal,
    )
  } else {
    const result = await sdkGenerate(
      ai.providers.languageModel(candidate.provider, candidate.model),
      toChatRequest(body),
      context.signal,
    )
    answer = {
      body: toCompletion(result, { id: `chatcmpl-${requestId}`, model: candidate.model, created: created() }),
      usage: result.usage,
    }
  }
  settle(answer.usage)
  return { body: answer.body, usage: answer.usage }
}

function ledgerBase(caller: AiCaller, body: ChatCompletionBody, logPrompts: boolean) {
  return {
    requestId: caller.requestId ?? '',
    userId: caller.userId,
    apiKeyId: caller.apiKeyId,
    feature: FEATURE,
    route: body.model,
    request: logPrompts ? body : { messages: body.messages.length, stream: body.stream === true },
  }
}

function failed(ai: AiGateway, base: ReturnType<typeof ledgerBase>, started: number, error: unknown) {
  const attempts =
    error instanceof AllProvidersFailedError || error instanceof UpstreamClientError ? error.attempts : []
  ai.record({
    ...base,
    latencyMs: performance.now() - started,
    cacheHit: false,
    fallbackUsed: false,
    status: 'error',
    errorClass: (error as { code?: string }).code ?? 'error',
    error: error instanceof Error ? error.message : String(error),
    attempts,
  })
}

function finished(
  ai: AiGateway,
  base: ReturnType<typeof ledgerBase>,
  caller: AiCaller,
  answer: Answer,
  started: number,
  cached: boolean,
  response?: unknown,
) {
  const usage = cached ? { inputTokens: undefined, outputTokens: undefined } : answer.usage
  const meta: AiMeta = {
    requestId: base.requestId,
    provider: answer.provider,
    model: answer.model,
    modelVersion: undefined,
    usage,
    costUsd: cached ? 0 : ai.catalog.costUsd(answer.provider, answer.model, usage),
    latencyMs: Math.round(performance.now() - started),
    cached,
    fallbackUsed: cached ? false : answer.fallbackUsed,
    attempts: cached ? [] : answer.attempts,
  }
  ai.record({
    ...base,
    provider: meta.provider,
    model: meta.model,
    response,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    costUsd: meta.costUsd,
    latencyMs: meta.latencyMs,
    cacheHit: cached,
    fallbackUsed: meta.fallbackUsed,
    status: 'ok',
    attempts: meta.attempts,
  })
  ai.guardAfter(caller, { feature: FEATURE, meta })
  return meta
}

/** A non-streaming chat completion: the response body as the upstream (or our translation) wrote it. */
export async function completeChat(
  ai: AiGateway,
  input: { body: ChatCompletionBody; caller: AiCaller; cacheTtlSeconds: number; signal?: AbortSignal | undefined },
): Promise<CompletedChat> {
  const started = performance.now()
  const { body, caller } = input
  const base = ledgerBase(caller, body, ai.config.ai.gateway.logPrompts)
  try {
    const candidates = start(ai, body)
    await ai.guardBefore(caller, { feature: FEATURE, estimatedTokens: estimate(body) })
    const compute = async () => {
      const result = await ai.router.run({
        candidates,
        signal: input.signal,
        call: (context) => callOne(ai, body, context, base.requestId),
      })
      const value: Answer = {
        ...result.value,
        provider: result.candidate.provider,
        model: result.candidate.model,
        attempts: result.attempts,
        fallbackUsed: result.fallbackUsed,
      }
      return { value, cacheable: true }
    }
    let answer: Answer
    let cached = false
    if (input.cacheTtlSeconds > 0) {
      const key = v1CacheKey(ai, body, caller)
      const outcome = await ai.cache.getOrCompute(key, input.cacheTtlSeconds, compute, {
        feature: FEATURE,
        userId: caller.userId,
      })
      answer = outcome.value
      cached = outcome.hit
    } else {
      answer = (await compute()).value
    }
    const meta = finished(
      ai,
      base,
      caller,
      answer,
      started,
      cached,
      ai.config.ai.gateway.logPrompts ? answer.body : undefined,
    )
    return { body: answer.body, provider: meta.provider, model: meta.model, cached, fallbackUsed: meta.fallbackUsed }
  } catch (error) {
    failed(ai, base, started, error)
    throw error
  }
}

type Started = (
  | { kind: 'raw'; stream: UpstreamStream; relay: SseRelay; first: string }
  | { kind: 'sdk'; chunks: AsyncIterable<ChatChunk> }
) & {
  settle(usage: AiUsage | undefined): void
}

async function write(reply: FastifyReply, text: string | Buffer, signal: AbortSignal) {
  if (!reply.raw.write(text)) await once(reply.raw, 'drain', { signal })
}

function streamHead(
  reply: FastifyReply,
  extraHeaders: Record<string, string>,
  headers: { requestId: string; provider: string; model: string; cached: boolean; fallbackUsed: boolean },
) {
  reply.hijack()
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
    'x-request-id': headers.requestId,
    'x-optimaliq-provider': headers.provider,
    'x-optimaliq-model': headers.model,
    'x-optimaliq-cache': headers.cached ? 'hit' : 'miss',
    'x-optimaliq-fallback': String(headers.fallbackUsed),
    ...extraHeaders,
  })
}

/** An OpenAI-shaped error event, as the last event of a stream that broke. */
export const streamErrorEvent = (message: string) =>
  `data: ${JSON.stringify({ error: { message: `The stream failed: ${message}`, type: 'api_error', param: null, code: 'stream_failed' } })}\n\n`

/**
 * The body sent to an OpenAI-format upstream for a stream: the model id swapped, and usage asked
 * for (`stream_options.include_usage`) so every stream can be paid for; the relay strips the extra
 * usage chunk again when the client did not ask for it.
 */
export const upstreamStreamBody = (body: ChatCompletionBody, model: string) =>
  JSON.stringify({ ...body, model, stream_options: { ...body.stream_options, include_usage: true } })

/**
 * A streaming chat completion (SSE in OpenAI's chunk format). The router may fall back until the
 * first chunk arrived; after that, bytes are on the wire and a failure ends the stream with an
 * error event. Every stream is settled (ledger, cost, limits, budgets) however it ends: with the
 * upstream's usage, or with the request's estimate when the usage is unknown (cancelled, broken).
 * With a cache TTL, a stream that ran to its end is kept as the SSE text it sent, and an identical
 * streamed request within the TTL gets that text back (identical requests in flight at once are
 * not merged: each streams from upstream until one has finished).
 */
export async function streamChat(
  ai: AiGateway,
  input: {
    body: ChatCompletionBody
    caller: AiCaller
    reply: FastifyReply
    signal: AbortSignal
    cacheTtlSeconds?: number
    /** Extra response headers once the guards ran (e.g. X-RateLimit-* from `caller.rateLimit`). */
    headers?: ((caller: AiCaller) => Record<string, string>) | undefined
  },
): Promise<void> {
  const started = performance.now()
  const { body, caller, reply } = input
  const base = ledgerBase(caller, body, ai.config.ai.gateway.logPrompts)
  const ttl = input.cacheTtlSeconds ?? 0
  const key = ttl > 0 ? v1CacheKey(ai, body, caller) : undefined
  const extraHeaders = () => input.headers?.(caller) ?? {}
  let result
  try {
    const candidates = start(ai, body)
    await ai.guardBefore(caller, { feature: FEATURE, estimatedTokens: estimate(body) })
    const hit = key ? await ai.cache.get<CachedStream>(key) : undefined
    if (hit && typeof hit.sse === 'string') {
      streamHead(reply, extraHeaders(), {
        requestId: base.requestId,
        provider: hit.provider,
        model: hit.model,
        cached: true,
        fallbackUsed: false,
      })
      reply.raw.end(hit.sse)
      finished(
        ai,
        base,
        caller,
        {
          body: '',
          usage: { inputTokens: undefined, outputTokens: undefined },
          provider: hit.provider,
          model: hit.model,
          attempts: [],
          fallbackUsed: false,
        },
        started,
        true,
      )
      return
    }
    result = await ai.router.run<Started>({
      candidates,
      signal: input.signal,
      attemptTimeoutMs: ai.config.ai.gateway.deadlineMs,
      call: async (context) => {
        // The stream outlives the router: its upstream is cancelled by the attempt (while routing)
        // or by the client going away (after).
        const controller = new AbortController()
        const signal = controller.signal
        context.signal.addEventListener('abort', () => controller.abort(context.signal.reason), { once: true })
        input.signal.addEventListener('abort', () => controller.abort(input.signal.reason), { once: true })
        const settle = await ai.pace(context.candidate, estimate(body))
        const upstream = ai.upstreams.get(context.candidate.provider)
        if (upstream) {
          const stream = await ai.passthrough.stream(
            upstream,
            upstreamStreamBody(body, context.candidate.model),
            signal,
          )
          const relay = createSseRelay({ includeUsage: body.stream_options?.include_usage === true })
          let first: string
          try {
            first = relay.push(stream.first)
          } catch (error) {
            // Broken from its first bytes: nothing was sent yet, so the router may still route on.
            controller.abort(error)
            throw new ProviderCallError({
              provider: context.candidate.provider,
              model: context.candidate.model,
              errorClass: ErrorClass.MalformedResponse,
              message: `${context.candidate.provider} sent a malformed stream: ${errorMessage(error)}`,
              cause: error,
            })
          }
          return { kind: 'raw', stream, relay, first, settle }
        }
        return {
          kind: 'sdk',
          chunks: await sdkStream(
            ai.providers.languageModel(context.candidate.provider, context.candidate.model),
            toChatRequest(body),
            signal,
          ),
          settle,
        }
      },
    })
  } catch (error) {
    failed(ai, base, started, error)
    throw error
  }
  const { candidate } = result
  streamHead(reply, extraHeaders(), {
    requestId: base.requestId,
    provider: candidate.provider,
    model: candidate.model,
    cached: false,
    fallbackUsed: result.fallbackUsed,
  })
  let usage: AiUsage = { inputTokens: undefined, outputTokens: undefined }
  // What was sent, kept for the cache while it stays under the size cap.
  let sent: string[] | undefined = key ? [] : undefined
  let sentBytes = 0
  const send = async (piece: string) => {
    if (piece === '') return
    if (sent) {
      sentBytes += piece.length
      if (sentBytes > MAX_CACHED_STREAM_BYTES) sent = undefined
      else sent.push(piece)
    }
    await write(reply, piece, input.signal)
  }
  /** Ledger, cost, limits and budgets for a stream that did not run to its end. */
  const settleBroken = (errorClass: string, message: string) => {
    result.value.settle(usage)
    settleStream(ai, base, caller, body, {
      started,
      usage,
      provider: candidate.provider,
      model: candidate.model,
      attempts: result.attempts,
      fallbackUsed: result.fallbackUsed,
      error: { errorClass, message },
    })
  }
  try {
    const opened = result.value
    if (opened.kind === 'raw') {
      const { relay } = opened
      try {
        await send(opened.first)
        for await (const chunk of opened.stream.chunks) await send(relay.push(chunk))
        await send(relay.end())
      } finally {
        usage = relay.usage
      }
      if (relay.errored || !relay.done) {
        // The upstream's own error event went through (it is OpenAI-shaped); a stream that just
        // stopped gets ours, so the client never waits for a [DONE] that will not come.
        const message = relay.errorMessage ?? 'the upstream stream ended before [DONE]'
        if (!relay.errored && !reply.raw.destroyed) await send(streamErrorEvent(message))
        reply.raw.end()
        settleBroken('stream_failed', message)
        return
      }
    } else {
      const meta = {
        id: `chatcmpl-${base.requestId}`,
        model: candidate.model,
        created: created(),
        includeUsage: body.stream_options?.include_usage === true,
      }
      const state = { toolIndex: 0 }
      await send(firstChunkEvent(meta))
      for await (const chunk of opened.chunks) {
        if (chunk.type === 'finish') usage = chunk.usage
        await send(toChunkEvents(chunk, meta, state))
      }
      await send('data: [DONE]\n\n')
    }
    reply.raw.end()
    result.value.settle(usage)
    if (key && sent) {
      const sse = sent.join('')
      if (ranToItsEnd(sse))
        ai.cache.set(key, { sse, provider: candidate.provider, model: candidate.model } satisfies CachedStream, ttl, {
          feature: FEATURE,
          userId: caller.userId,
        })
    }
    settleStream(ai, base, caller, body, {
      started,
      usage,
      provider: candidate.provider,
      model: candidate.model,
      attempts: result.attempts,
      fallbackUsed: result.fallbackUsed,
    })
  } catch (error) {
    const gone = input.signal.aborted || reply.raw.destroyed
    const message = gone ? 'the client closed the connection' : errorMessage(error)
    if (!reply.raw.destroyed) reply.raw.end(streamErrorEvent(message))
    settleBroken(gone ? 'cancelled' : 'stream_failed', message)
  }
}

/**
 * A stream's ledger row and guards' `after`, however it ended. Usage unknown (cancelled, broken,
 * an upstream that sent none): the tokens stay unknown (limits keep their estimate) and the cost is
 * the estimate's, so budgets still count the stream.
 */
function settleStream(
  ai: AiGateway,
  base: ReturnType<typeof ledgerBase>,
  caller: AiCaller,
  body: ChatCompletionBody,
  end: {
    started: number
    usage: AiUsage
    provider: string
    model: string
    attempts: AiAttempt[]
    fallbackUsed: boolean
    error?: { errorClass: string; message: string } | undefined
  },
) {
  const known = end.usage.inputTokens !== undefined || end.usage.outputTokens !== undefined
  const costUsd = ai.catalog.costUsd(end.provider, end.model, known ? end.usage : estimatedUsage(ai, body))
  const meta: AiMeta = {
    requestId: base.requestId,
    provider: end.provider,
    model: end.model,
    modelVersion: undefined,
    usage: end.usage,
    costUsd,
    latencyMs: Math.round(performance.now() - end.started),
    cached: false,
    fallbackUsed: end.fallbackUsed,
    attempts: end.attempts,
  }
  ai.record({
    ...base,
    provider: meta.provider,
    model: meta.model,
    inputTokens: end.usage.inputTokens,
    outputTokens: end.usage.outputTokens,
    costUsd,
    latencyMs: meta.latencyMs,
    cacheHit: false,
    fallbackUsed: meta.fallbackUsed,
    status: end.error ? 'error' : 'ok',
    errorClass: end.error?.errorClass,
    error: end.error?.message,
    attempts: meta.attempts,
  })
  ai.guardAfter(caller, { feature: FEATURE, meta })
}

/** The request's own estimate as usage: its prompt (4 characters a token) and the output it allowed. */
function estimatedUsage(ai: AiGateway, body: ChatCompletionBody): AiUsage {
  let chars = 0
  for (const m of body.messages) chars += contentText(m.content as ChatMessage['content']).length
  return {
    inputTokens: Math.ceil(chars / 4),
    outputTokens: body.max_completion_tokens ?? body.max_tokens ?? ai.config.ai.maxTokens,
  }
}

/**
 * Route names, the catalog's models of configured providers, and every other model a route or a
 * provider's default names (e.g. the custom provider's `OPENAI_COMPATIBLE_MODEL`), as OpenAI's model list.
 */
export function listModels(ai: AiGateway) {
  const data: Array<{ id: string; object: 'model'; created: number; owned_by: string }> = []
  if (ai.enabled) {
    const seen = new Set<string>()
    const add = (id: string, ownedBy: string) => {
      if (seen.has(id)) return
      seen.add(id)
      data.push({ id, object: 'model', created: 0, owned_by: ownedBy })
    }
    for (const name of ai.routes.names()) add(name, 'optimaliq')
    for (const model of ai.models())
      if (ai.providers.names.includes(model.provider)) add(`${model.provider}/${model.id}`, model.provider)
    for (const provider of ai.providers.names) {
      const model = ai.providers.defaultModel(provider)
      if (model) add(`${provider}/${model}`, provider)
    }
    for (const name of ai.routes.names())
      for (const candidate of ai.routes.resolve(name))
        add(`${candidate.provider}/${candidate.model}`, candidate.provider)
  }
  return { object: 'list' as const, data }
}
