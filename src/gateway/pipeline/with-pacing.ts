import { ErrorClass, ProviderCallError } from '../router/errors.ts'
import type { AiUsage } from '../types.ts'
import { usageKnown, type Middleware, type PipelineDeps } from './types.ts'

const noSettle = () => undefined

/**
 * Provider pacing (RPM/TPM per provider, shared by all processes) around every attempt: room is
 * asked for first (a short wait, else a `paced` failure so the router moves on without touching
 * the breaker), and the token estimate is settled with the real usage once the answer settled.
 */
export function withPacing(deps: Pick<PipelineDeps, 'pacer' | 'pacingMaxWaitMs' | 'logger'>): Middleware {
  const pacer = deps.pacer
  async function pace(provider: string, model: string, estimatedTokens: number): Promise<(usage: AiUsage) => void> {
    if (!pacer) return noSettle
    let paced: boolean
    try {
      paced = await pacer.acquire(provider, estimatedTokens, { maxWaitMs: deps.pacingMaxWaitMs ?? 250 })
    } catch (error) {
      // Pacing is our courtesy to the provider, kept in our database: when the database fails, the
      // call goes ahead unpaced rather than count as the provider's failure (breaker, fallback).
      deps.logger?.warn({ err: error, provider }, 'provider pacing unavailable; calling unpaced')
      return noSettle
    }
    if (!paced)
      throw new ProviderCallError({
        provider,
        model,
        errorClass: ErrorClass.Paced,
        message: `${provider} is at its requests- or tokens-per-minute pace`,
      })
    return (usage) => {
      if (usageKnown(usage))
        pacer.settle(provider, estimatedTokens, (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0))
    }
  }
  return (request, next) => {
    if (!pacer) return next(request)
    const call = request.call
    return next({
      ...request,
      call: async (context) => {
        const settle = await pace(context.candidate.provider, context.candidate.model, request.estimatedTokens)
        const answer = await call(context)
        void answer.settled.then((s) => settle(s.usage))
        return answer
      },
    })
  }
}
