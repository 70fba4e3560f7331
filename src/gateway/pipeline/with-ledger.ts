import { AllProvidersFailedError, UpstreamClientError } from '../router/errors.ts'
import { GuardrailBlockedError, inputRedaction, policyFor } from '../guardrails/config.ts'
import type { AiMeta } from '../types.ts'
import { metaOf } from './meta.ts'
import type { Middleware, PipelineDeps } from './types.ts'

/**
 * The ledger: one `ai_log` row per request, written when the answer settled (a stream at its end,
 * cancelled or broken included, with its cost) or when the request failed (with every attempt).
 */
export function withLedger(deps: Pick<PipelineDeps, 'catalog' | 'record' | 'config' | 'guardrails'>): Middleware {
  return async (request, next) => {
    // With input redaction on, the stored prompt is the one that left (the guardrail's own rewrite).
    const redaction = request.ledger.rewrite ? inputRedaction(policyFor(deps.guardrails, request)) : undefined
    const base = {
      requestId: request.requestId,
      userId: request.caller.userId,
      apiKeyId: request.caller.apiKeyId,
      feature: request.feature,
      route: request.route,
      request: redaction && request.ledger.rewrite ? request.ledger.rewrite(redaction) : request.ledger.request,
    }
    let answer
    try {
      answer = await next(request)
    } catch (error) {
      // A guardrail that refused an answer says what it cost (it was generated and is paid for).
      const spent = error instanceof GuardrailBlockedError ? (error.spent as AiMeta | undefined) : undefined
      deps.record({
        ...base,
        ...(spent
          ? {
              provider: spent.provider,
              model: spent.model,
              modelVersion: spent.modelVersion,
              inputTokens: spent.usage.inputTokens,
              outputTokens: spent.usage.outputTokens,
              costUsd: spent.costUsd,
            }
          : {}),
        guardrails: error instanceof GuardrailBlockedError ? error.guardrails : undefined,
        latencyMs: performance.now() - request.started,
        cacheHit: false,
        fallbackUsed: false,
        status: 'error',
        errorClass: (error as { code?: string }).code ?? 'error',
        error: error instanceof Error ? error.message : String(error),
        attempts:
          error instanceof AllProvidersFailedError || error instanceof UpstreamClientError ? error.attempts : [],
      })
      throw error
    }
    const settled = answer
    void answer.settled.then((settlement) => {
      const meta = metaOf(deps, request, settled, settlement)
      deps.record({
        ...base,
        provider: meta.provider,
        model: meta.model,
        modelVersion: meta.modelVersion,
        response:
          deps.config.ai.gateway.logPrompts && request.ledger.response && !settlement.error
            ? request.ledger.response(settled.value)
            : undefined,
        inputTokens: meta.usage.inputTokens,
        outputTokens: meta.usage.outputTokens,
        costUsd: meta.costUsd,
        latencyMs: meta.latencyMs,
        cacheHit: meta.cached,
        fallbackUsed: meta.fallbackUsed,
        status: settlement.error ? 'error' : 'ok',
        errorClass: settlement.error?.errorClass,
        error: settlement.error?.message,
        attempts: meta.attempts,
        guardrails: settlement.guardrails,
      })
    })
    return answer
  }
}
