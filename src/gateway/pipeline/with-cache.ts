import type { AiAttempt, AiUsage } from '../types.ts'
import { onePiece } from './settle.ts'
import { settledAt, unknownUsage, type Answer, type Middleware, type PipelineDeps } from './types.ts'

/** What the cache holds for a JSON answer (attempts and the fallback flag describe the first request). */
type CachedAnswer<T> = {
  value: T
  provider: string
  model: string
  modelVersion: string | undefined
  usage: AiUsage
  attempts: AiAttempt[]
  fallbackUsed: boolean
  dropped?: string[] | undefined
}
/** What the cache holds for a stream: the text as it was sent, and who answered it. */
type CachedStream = {
  sse: string
  provider: string
  model: string
  modelVersion?: string | undefined
  dropped?: string[] | undefined
}

/** A stream is cached only up to this size. */
const MAX_CACHED_STREAM_CHARS = 1_000_000

/**
 * The exact cache (key scoped to the tenant unless the route shares it): LRU → `ai_cache` → one
 * upstream call shared by identical concurrent requests. A stream is cached once it ran to its end
 * (settled without error, accepted as whole) as the text it sent, and replayed as that text.
 */
export function withCache(deps: Pick<PipelineDeps, 'cache'>): Middleware {
  return async (request, next) => {
    const spec = request.cache
    if (!spec || spec.ttlSeconds <= 0) return next(request)
    const owner = { feature: request.feature, userId: request.caller.userId }
    const hitAnswer = <T>(
      value: T,
      from: { provider: string; model: string; modelVersion?: string | undefined; dropped?: string[] | undefined },
    ) => {
      const usage = unknownUsage()
      return {
        value,
        usage,
        settled: settledAt(usage),
        provider: from.provider,
        model: from.model,
        modelVersion: from.modelVersion,
        attempts: [],
        fallbackUsed: false,
        cached: true,
        ...(from.dropped ? { dropped: from.dropped } : {}),
      } satisfies Answer<T>
    }

    if (request.stream) {
      const hit = await deps.cache.get<CachedStream>(spec.key)
      if (hit && typeof hit.sse === 'string') return hitAnswer(onePiece(hit.sse) as never, hit)
      const answer = await next(request)
      const source = answer.value as AsyncIterable<string>
      const collected = (async function* () {
        let sent: string[] | undefined = []
        let chars = 0
        for await (const piece of source) {
          if (sent) {
            chars += piece.length
            if (chars > MAX_CACHED_STREAM_CHARS) sent = undefined
            else sent.push(piece)
          }
          yield piece
        }
        const settlement = await answer.settled
        const sse = sent?.join('')
        if (sse !== undefined && !settlement.error && (spec.accept?.(sse) ?? true))
          deps.cache.set(
            spec.key,
            {
              sse,
              provider: answer.provider,
              model: answer.model,
              modelVersion: answer.modelVersion,
              dropped: answer.dropped,
            },
            spec.ttlSeconds,
            owner,
          )
      })()
      return { ...answer, value: collected as never }
    }

    const outcome = await deps.cache.getOrCompute(
      spec.key,
      spec.ttlSeconds,
      async () => {
        const answer = await next(request)
        const cached: CachedAnswer<typeof answer.value> = {
          value: answer.value,
          provider: answer.provider,
          model: answer.model,
          modelVersion: answer.modelVersion,
          usage: answer.usage,
          attempts: answer.attempts,
          fallbackUsed: answer.fallbackUsed,
          dropped: answer.dropped,
        }
        return { value: cached, cacheable: true }
      },
      owner,
    )
    const cached = outcome.value
    if (outcome.hit) return hitAnswer(cached.value, cached)
    return {
      value: cached.value,
      usage: cached.usage,
      settled: settledAt(cached.usage),
      provider: cached.provider,
      model: cached.model,
      modelVersion: cached.modelVersion,
      attempts: cached.attempts,
      fallbackUsed: cached.fallbackUsed,
      cached: false,
      ...(cached.dropped ? { dropped: cached.dropped } : {}),
    }
  }
}
