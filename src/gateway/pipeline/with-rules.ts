import { AiUnavailableError, AllProvidersFailedError, UpstreamClientError } from '../router/errors.ts'
import type { AiAttempt } from '../types.ts'
import {
  settledAt,
  unknownUsage,
  type Answer,
  type Middleware,
  type PipelineDeps,
  type PipelineRequest,
} from './types.ts'

/** The deterministic answer (`provider: 'rules'`), or the error when the caller has no rules. */
export async function rulesAnswer<T>(request: PipelineRequest<T>, attempts: AiAttempt[]): Promise<Answer<T>> {
  if (!request.rules) throw attempts.length > 0 ? new AllProvidersFailedError(attempts) : new AiUnavailableError()
  const usage = unknownUsage()
  return {
    value: await request.rules(),
    usage,
    settled: settledAt(usage),
    provider: 'rules',
    model: 'rules',
    modelVersion: undefined,
    attempts,
    fallbackUsed: attempts.length > 0,
    cached: false,
  }
}

/**
 * The rules fallback: AI off or unconfigured, every candidate failed, or (for callers with rules)
 * a provider refused our request (400/404/413/422) — the caller's `rules()` answers.
 */
export function withRules(deps: Pick<PipelineDeps, 'enabled'>): Middleware {
  return async (request, next) => {
    if (!deps.enabled) {
      if (!request.rules && request.unavailable) throw request.unavailable()
      return rulesAnswer(request, [])
    }
    try {
      return await next(request)
    } catch (error) {
      if (error instanceof AllProvidersFailedError && request.rules) return rulesAnswer(request, error.attempts)
      if (error instanceof UpstreamClientError && request.rules) return rulesAnswer(request, error.attempts)
      throw error
    }
  }
}
