import { OptimaliqError } from '../../errors.ts'
import type { AiCandidate } from '../types.ts'

/** What the route table needs to know about providers and the catalog. */
export type RouteSources = {
  /** Configured providers, `AI_PROVIDER` first. */
  providers: string[]
  defaultModel(provider: string): string | undefined
  /** A catalog alias or model id → the provider and real model id. */
  resolveModel(name: string): { provider: string; model: string } | undefined
}

export type RouteTable = {
  /** Candidates for a route name, catalog alias or `provider/model`; undefined → `default`. */
  resolve(spec?: string | undefined): AiCandidate[]
  names(): string[]
}

export class UnknownModelError extends OptimaliqError {
  constructor(spec: string) {
    super(
      'model_not_found',
      `The model "${spec}" is not a route, a catalog alias or provider/model of a configured provider`,
      { status: 404, details: { model: spec } },
    )
  }
}

/**
 * Named routes plus `default` (every configured provider's default model, `AI_PROVIDER` first).
 * A route's candidates may themselves name aliases or `provider/model`.
 */
export function createRouteTable(
  sources: RouteSources,
  routes: Record<string, Array<AiCandidate | string>> = {},
): RouteTable {
  const table = new Map<string, AiCandidate[]>()
  const single = (spec: string): AiCandidate | undefined => {
    const slash = spec.indexOf('/')
    if (slash > 0) {
      const provider = spec.slice(0, slash)
      if (sources.providers.includes(provider)) {
        // A catalog alias of this provider becomes the model's real id (the provider knows only ids).
        const known = sources.resolveModel(spec)
        return { provider, model: known?.provider === provider ? known.model : spec.slice(slash + 1) }
      }
    }
    const found = sources.resolveModel(spec)
    return found && sources.providers.includes(found.provider)
      ? { provider: found.provider, model: found.model }
      : undefined
  }
  const defaults = sources.providers.flatMap((provider) => {
    const model = sources.defaultModel(provider)
    return model ? [{ provider, model }] : []
  })
  if (defaults.length > 0) table.set('default', defaults)
  for (const [name, list] of Object.entries(routes)) {
    const candidates = list.flatMap((entry) => {
      if (typeof entry !== 'string') return sources.providers.includes(entry.provider) ? [entry] : []
      const found = single(entry)
      return found ? [found] : []
    })
    if (candidates.length > 0) table.set(name, candidates)
  }
  return {
    resolve(spec) {
      const name = spec ?? 'default'
      const route = table.get(name)
      if (route) return route
      const found = single(name)
      if (found) return [found]
      throw new UnknownModelError(name)
    },
    names: () => [...table.keys()],
  }
}
