import { OptimaliqError } from '../../errors.ts'
import { metaOf } from './meta.ts'
import { rulesAnswer } from './with-rules.ts'
import type { Middleware, PipelineDeps } from './types.ts'

/**
 * Governance guards (limits, budgets): `before` refuses before any upstream call (and so before a
 * stream's first byte); `after` settles every answer, a stream's at its end. A budget refusal that
 * allows the rules engine answers from rules, for free.
 */
export function withGuards(deps: Pick<PipelineDeps, 'guards' | 'catalog' | 'logger' | 'enabled'>): Middleware {
  return async (request, next) => {
    // AI off: the rules engine answers, free and unguarded.
    if (deps.guards.length === 0 || !deps.enabled) return next(request)
    const call = { feature: request.feature, estimatedTokens: request.estimatedTokens }
    let answer
    try {
      for (const guard of deps.guards) await guard.before(request.caller, call)
      answer = await next(request)
    } catch (error) {
      if (request.rules && isRulesFallbackRefusal(error)) answer = await rulesAnswer(request, [])
      else throw error
    }
    const settled = answer
    void answer.settled.then((settlement) => {
      const meta = metaOf(deps, request, settled, settlement)
      for (const guard of deps.guards)
        guard
          .after(request.caller, { feature: request.feature, meta })
          .catch((error: unknown) => deps.logger?.warn({ err: error }, 'ai guard after() failed'))
    })
    return answer
  }
}

/** A guard refusal that allows the rules engine to answer instead (budgets with `rulesFallback`). */
function isRulesFallbackRefusal(error: unknown): boolean {
  if (!(error instanceof OptimaliqError) || error.code !== 'budget_exceeded') return false
  const details = error.details as { rulesFallback?: unknown } | undefined
  return details?.rulesFallback === true
}
