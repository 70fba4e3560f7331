import { OptimaliqError } from '../../errors.ts'
import type {
  LatencyOptions,
  RouteCandidateSpec,
  RouteCondition,
  RouteDefinition,
  RouteRule,
  RoutingStrategy,
} from '../../contracts/routing.ts'
import type { AiCandidate } from '../types.ts'
import type { RouteStrategy } from './strategies.ts'

/** What the route table needs to know about providers and the catalog. */
export type RouteSources = {
  /** Configured providers, `AI_PROVIDER` first. */
  providers: string[]
  defaultModel(provider: string): string | undefined
  /** A catalog alias or model id → the provider and real model id. */
  resolveModel(name: string): { provider: string; model: string } | undefined
}

/** What a request tells the rules about itself. */
export type RouteContext = {
  tier?: string | undefined
  feature?: string | undefined
  apiKeyId?: string | undefined
  metadata?: Readonly<Record<string, string>> | undefined
}

/** The route that serves a request: its name, strategy and candidates (not yet ordered). */
export type RoutePlan = RouteStrategy & {
  /** The route after rules (a rule may have chosen another), or the alias / `provider/model` named. */
  name: string
  candidates: AiCandidate[]
}

export type RouteSource = 'admin' | 'config' | 'default'

/** A route as the table holds it. */
export type RouteEntry = {
  name: string
  source: RouteSource
  strategy: RoutingStrategy
  latency: LatencyOptions | undefined
  candidates: AiCandidate[]
  rules: RouteRule[]
}

export type RouteTable = {
  /** Candidates for a route name, catalog alias or `provider/model`; undefined → `default`. No rules. */
  resolve(spec?: string | undefined): AiCandidate[]
  /** The route serving a request: the first matching rule of the named route may choose another. */
  plan(spec: string | undefined, context?: RouteContext): RoutePlan
  names(): string[]
  /** Every route with its source, strategy, resolved candidates and rules. */
  entries(): RouteEntry[]
  /** A candidate spec as this process resolves it; undefined when its provider is not configured here. */
  candidateOf(spec: RouteCandidateSpec): AiCandidate | undefined
  /** Replace the admin-stored routes; the config file's and the built-in `default` stay beneath them. */
  setStored(routes: Readonly<Record<string, RouteDefinition>>): void
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

/** A config-file route: a list of candidates (any weight → `weighted`) or a full definition. */
export type FileRoute = Array<AiCandidate | string> | RouteDefinition

const normalise = (route: FileRoute): RouteDefinition =>
  Array.isArray(route)
    ? {
        strategy: route.some((c) => typeof c !== 'string' && c.weight !== undefined) ? 'weighted' : 'ordered',
        candidates: route,
      }
    : route

const listed = (value: string | undefined, list: readonly string[] | undefined) =>
  list === undefined || (value !== undefined && list.includes(value))

/** Whether a rule's condition holds for the request: every field given matches (lists: any of). */
export function ruleMatches(when: RouteCondition, context: RouteContext): boolean {
  if (!listed(context.tier, when.tier)) return false
  if (!listed(context.feature, when.feature)) return false
  if (!listed(context.apiKeyId, when.apiKeyId)) return false
  for (const [key, expected] of Object.entries(when.metadata ?? {})) {
    const value = context.metadata?.[key]
    if (value === undefined || !(Array.isArray(expected) ? expected.includes(value) : expected === value)) return false
  }
  return true
}

/**
 * Named routes plus `default` (every configured provider's default model, `AI_PROVIDER` first).
 * Layers, top wins per name: routes stored by admins, the `OPTIMALIQ_CONFIG` file, the built-in
 * `default`. A stored route without candidates keeps the candidates of the layer beneath.
 */
export function createRouteTable(sources: RouteSources, routes: Record<string, FileRoute> = {}): RouteTable {
  const file = new Map(Object.entries(routes).map(([name, route]) => [name, normalise(route)]))
  let stored = new Map<string, RouteDefinition>()
  let table = new Map<string, RouteEntry>()

  const candidateOf = (entry: RouteCandidateSpec): AiCandidate | undefined => {
    if (typeof entry !== 'string') return sources.providers.includes(entry.provider) ? entry : undefined
    const slash = entry.indexOf('/')
    if (slash > 0) {
      const provider = entry.slice(0, slash)
      if (sources.providers.includes(provider)) {
        // A catalog alias of this provider becomes the model's real id (the provider knows only ids).
        const known = sources.resolveModel(entry)
        return { provider, model: known?.provider === provider ? known.model : entry.slice(slash + 1) }
      }
    }
    const found = sources.resolveModel(entry)
    return found && sources.providers.includes(found.provider)
      ? { provider: found.provider, model: found.model }
      : undefined
  }
  const defaults = sources.providers.flatMap((provider) => {
    const model = sources.defaultModel(provider)
    return model ? [{ provider, model }] : []
  })

  function rebuild() {
    const next = new Map<string, RouteEntry>()
    const names = new Set<string>(['default', ...file.keys(), ...stored.keys()])
    for (const name of names) {
      const own = stored.get(name)
      const base = file.get(name)
      const definition = own ?? base
      const specs = own?.candidates ?? base?.candidates
      const candidates = specs
        ? specs.flatMap((spec) => {
            const found = candidateOf(spec)
            return found ? [found] : []
          })
        : name === 'default'
          ? defaults
          : []
      const rules = definition?.rules ?? []
      if (candidates.length === 0 && rules.length === 0) continue
      next.set(name, {
        name,
        source: own ? 'admin' : base ? 'config' : 'default',
        strategy: definition?.strategy ?? 'ordered',
        latency: definition?.latency,
        candidates,
        rules,
      })
    }
    table = next
  }
  rebuild()

  const planOf = (entry: RouteEntry): RoutePlan => ({
    name: entry.name,
    strategy: entry.strategy,
    latency: entry.latency,
    candidates: entry.candidates,
  })

  function resolve(spec: string | undefined): AiCandidate[] {
    const name = spec ?? 'default'
    const route = table.get(name)
    if (route && route.candidates.length > 0) return route.candidates
    const found = candidateOf(name)
    if (found) return [found]
    throw new UnknownModelError(name)
  }

  return {
    resolve,
    plan(spec, context = {}) {
      const name = spec ?? 'default'
      const route = table.get(name)
      if (route) {
        for (const rule of route.rules) {
          if (!ruleMatches(rule.when, context)) continue
          // One hop: the chosen route's own rules do not apply (no loops). A rule naming a route
          // that no longer exists (or has no candidates here) is passed over.
          const target = table.get(rule.route)
          if (target && target.candidates.length > 0) return planOf(target)
        }
        if (route.candidates.length > 0) return planOf(route)
      }
      return { name, strategy: 'ordered', candidates: resolve(name) }
    },
    names: () => [...table.keys()],
    entries: () => [...table.values()],
    candidateOf,
    setStored(routes) {
      stored = new Map(Object.entries(routes))
      rebuild()
    },
  }
}
