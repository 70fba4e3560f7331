import type { AiMeta } from '../types.ts'
import type { Answer, PipelineDeps, PipelineRequest, Settlement } from './types.ts'
import { unknownUsage, usageKnown } from './types.ts'

/**
 * The meta of a settled answer. A cache hit or the rules engine cost nothing; a stream whose usage
 * is unknown (cancelled, broken, an upstream that sent none) is charged its estimate, so budgets
 * still count it, while its tokens stay unknown (limits keep their estimate). A JSON answer without
 * usage keeps an unknown cost, unless the request asks for its estimate then (embeddings).
 */
export function metaOf<T>(
  deps: Pick<PipelineDeps, 'catalog'>,
  request: PipelineRequest<T>,
  answer: Answer<T>,
  settlement: Settlement,
): AiMeta {
  const free = answer.cached || answer.provider === 'rules'
  const usage = answer.cached ? unknownUsage() : settlement.usage
  return {
    requestId: request.requestId,
    provider: answer.provider,
    model: answer.model,
    modelVersion: answer.modelVersion,
    usage,
    costUsd: free
      ? 0
      : deps.catalog.costUsd(
          answer.provider,
          answer.model,
          (usageKnown(usage) || !request.stream) &&
            !(request.chargeEstimateWhenUnknown && usage.inputTokens === undefined)
            ? usage
            : request.estimatedUsage,
        ),
    latencyMs: Math.round(performance.now() - request.started),
    cached: answer.cached,
    fallbackUsed: answer.fallbackUsed,
    attempts: answer.attempts,
  }
}
