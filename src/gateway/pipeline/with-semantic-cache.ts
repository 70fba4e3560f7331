import { settledAt, unknownUsage, type Answer, type Middleware, type PipelineDeps } from './types.ts'

/** What a semantic entry holds: the answer's value and who gave it. */
type SemanticValue = { value: unknown; provider: string; model: string; modelVersion?: string | undefined }

/**
 * The semantic cache (after the exact one), for requests that carry a prompt text and a route with
 * it on: the prompt is embedded (through the gateway), the nearest stored prompt of the same tenant
 * and scope above the route's cosine threshold answers (`cached`, `cacheKind: 'semantic'`, free in
 * the ledger); otherwise the answer, once settled without error, is stored. The cache never fails a
 * request: an embedding or database error is logged and the request goes on uncached.
 */
export function withSemanticCache(deps: Pick<PipelineDeps, 'semanticCache' | 'logger'>): Middleware {
  return async (request, next) => {
    const cache = deps.semanticCache
    const spec = request.semantic
    const settings = cache && spec && !request.stream ? cache.settingsFor(request.route) : undefined
    if (!cache || !spec || !settings) return next(request)
    let vector: Float32Array
    try {
      vector = await cache.embed(spec.text, request.caller, request.signal)
      const hit = await cache.lookup({ tenant: spec.tenant, scope: spec.scope, vector, threshold: settings.threshold })
      if (hit) {
        const stored = hit.value as SemanticValue
        const usage = unknownUsage()
        return {
          value: stored.value as never,
          usage,
          settled: settledAt(usage),
          provider: stored.provider,
          model: stored.model,
          modelVersion: stored.modelVersion,
          attempts: [],
          fallbackUsed: false,
          cached: true,
          cacheKind: 'semantic',
        } satisfies Answer<unknown>
      }
    } catch (error) {
      deps.logger?.warn({ err: error, route: request.route }, 'semantic cache unavailable; answering uncached')
      return next(request)
    }
    const answer = await next(request)
    if (!answer.cached)
      void answer.settled
        .then(async (settlement) => {
          if (settlement.error) return
          const value: SemanticValue = {
            value: answer.value,
            provider: answer.provider,
            model: answer.model,
            modelVersion: answer.modelVersion,
          }
          await cache.store({
            tenant: spec.tenant,
            scope: spec.scope,
            vector,
            value,
            ttlSeconds: settings.ttlSeconds,
            userId: request.caller.userId,
          })
        })
        .catch((error: unknown) => deps.logger?.warn({ err: error }, 'semantic cache: storing failed'))
    return answer
  }
}
