import type { Middleware, PipelineDeps } from './types.ts'

/**
 * Model versions and experiments: the candidates of the request's version key (a feature, or the
 * route `/v1` names) from its active version or running experiment (sticky by user), else the
 * route table's (`default`, an alias, `provider/model`, a named route). Candidates the request
 * refuses (a parameter their provider cannot carry) or its caller may not use (an API key's model
 * allowlist) are left out, before any upstream call.
 */
/** A version key that names no feature: the route table alone decides (no look-up). */
export const VERSIONLESS = ''

export function withVersions(deps: Pick<PipelineDeps, 'resolveVersions' | 'routes'>): Middleware {
  return async (request, next) => {
    const key = request.versionKey ?? request.feature
    const versioned =
      deps.resolveVersions && key !== VERSIONLESS ? await deps.resolveVersions(key, request.caller) : undefined
    // Unversioned: the route table's plan — rules on tier, feature, key and metadata may pick another route.
    const plan =
      versioned && versioned.length > 0
        ? undefined
        : deps.routes.plan(request.route, {
            tier: request.caller.tier,
            feature: request.feature,
            apiKeyId: request.caller.apiKeyId,
            metadata: request.caller.metadata,
          })
    let candidates = plan ? plan.candidates : (versioned as NonNullable<typeof versioned>)
    // The caller's model allowlist holds for the models that serve, not only for the name it sent:
    // an alias, a route or a rule's choice cannot reach a model the allowlist leaves out.
    const refusesModel = request.caller.refusesModel
    if (refusesModel) {
      const via = plan ? plan.name : key
      const refusals = candidates.map((candidate) => refusesModel({ via, candidate }))
      const allowed = candidates.filter((_, i) => refusals[i] === undefined)
      if (allowed.length === 0 && refusals[0]) throw refusals[0]
      candidates = allowed
    }
    // Candidates that cannot carry what the client sent are skipped; none left: the client hears why.
    const refuses = request.refuses
    if (refuses) {
      const refusals = candidates.map((c) => refuses(c))
      const accepted = candidates.filter((_, i) => refusals[i] === undefined)
      if (accepted.length === 0 && refusals[0]) throw refusals[0]
      candidates = accepted
    }
    return next({
      ...request,
      candidates,
      plan: plan && { name: plan.name, strategy: plan.strategy, latency: plan.latency },
    })
  }
}
