import type { Answer, PipelineDeps, PipelineRequest } from './types.ts'

/**
 * The router, innermost of the request-level steps: candidates in order (weights, breakers per
 * provider and model, half-open probe), retries, timeouts, deadline, hedging and fallback, each
 * attempt running the (paced) innermost call. A stream may fall back until its first chunk.
 */
export function routed(deps: Pick<PipelineDeps, 'router' | 'config'>) {
  return async <T>(request: PipelineRequest<T>): Promise<Answer<T>> => {
    const result = await deps.router.run({
      candidates: request.candidates ?? [],
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
    }
  }
}
