import type { CallNeeds } from '../router/strategies.ts'
import type { Answer, PipelineDeps, PipelineRequest } from './types.ts'

/** The call's needs as the entry stated them; tokens default to the request's estimate. */
function needsOf(request: Pick<PipelineRequest<unknown>, 'needs' | 'estimatedUsage'>): CallNeeds {
  const needs = request.needs ?? {}
  return {
    tools: needs.tools ?? false,
    vision: needs.vision ?? false,
    jsonSchema: needs.jsonSchema ?? false,
    inputTokens: needs.inputTokens ?? request.estimatedUsage.inputTokens ?? 0,
    outputTokens: needs.outputTokens ?? request.estimatedUsage.outputTokens ?? 0,
  }
}

/**
 * The router, innermost of the request-level steps: candidates in order (weights, breakers per
 * provider and model, half-open probe), retries, timeouts, deadline, hedging and fallback, each
 * attempt running the (paced) innermost call. A stream may fall back until its first chunk.
 */
export function routed(deps: Pick<PipelineDeps, 'router' | 'config' | 'order'>) {
  return async <T>(request: PipelineRequest<T>): Promise<Answer<T>> => {
    const listed = request.candidates ?? []
    const candidates = request.plan ? deps.order(request.plan, listed, needsOf(request)) : listed
    const result = await deps.router.run({
      candidates,
      signal: request.signal,
      // A stream's attempt lasts as long as the stream: the deadline, not one attempt's timeout.
      ...(request.stream ? { attemptTimeoutMs: deps.config.ai.gateway.deadlineMs } : {}),
      call: request.call,
    })
    return {
      ...result.value,
      provider: result.candidate.provider,
      model: result.candidate.model,
      modelVersion: result.candidate.versionId,
      attempts: result.attempts,
      fallbackUsed: result.fallbackUsed,
      cached: false,
      route: request.plan?.name,
    }
  }
}
