import type { LatencyOptions, RoutingStrategy } from '../../contracts/routing.ts'
import type { AiCandidate } from '../types.ts'
import type { LatencyTracker } from './latency.ts'

/**
 * How a route orders its candidates for one request (DESIGN §6, issue 13):
 * - `ordered`: as written (fallbacks in order);
 * - `weighted`: a full order drawn by weight without replacement, so fallbacks follow the weights too;
 * - `cost`: candidates whose catalog capabilities fit the call (tools, vision, JSON schema, context
 *   window vs the estimated tokens), healthy ones first, cheapest estimated cost first;
 * - `latency`: healthy ones first, lowest live p50 first; a candidate without a recent sample is
 *   explored first once per `probeAfterSeconds`, and with `explorationRate` a random healthy one leads.
 * The router then tries them in this order (breakers, retries, fallback).
 */

export type RouteStrategy = { strategy: RoutingStrategy; latency?: LatencyOptions | undefined }

/** What a call needs from a model, estimated before it is sent. */
export type CallNeeds = {
  tools: boolean
  vision: boolean
  jsonSchema: boolean
  /** Estimated prompt tokens. */
  inputTokens: number
  /** The output the call allows (or its estimate). */
  outputTokens: number
}

export type StrategyDeps = {
  random: () => number
  /** Milliseconds, the same clock as `latency`. */
  now: () => number
  /** Breaker closed, or open long enough that the next call is its probe. */
  healthy(candidate: AiCandidate): boolean
  /** Estimated USD of this call on the candidate (catalog or custom price); undefined: unknown. */
  costOf(candidate: AiCandidate, needs: CallNeeds): number | undefined
  /** Catalog capabilities; undefined for a model the catalog does not know (not checked). */
  capabilities(provider: string, model: string): readonly string[] | undefined
  /** Catalog context window; undefined when unknown (not checked). */
  contextWindow(provider: string, model: string): number | undefined
  latency: LatencyTracker
}

export const LATENCY_DEFAULTS = { windowSeconds: 300, explorationRate: 0.05, probeAfterSeconds: 30 } as const

/** Why a candidate cannot take the call (by its catalog entry), or undefined when it fits or is unknown. */
export function misfit(candidate: AiCandidate, needs: CallNeeds, deps: StrategyDeps): string | undefined {
  const caps = deps.capabilities(candidate.provider, candidate.model)
  if (caps) {
    if (needs.tools && !caps.includes('tools')) return 'no tools'
    if (needs.vision && !caps.includes('vision')) return 'no vision'
    if (needs.jsonSchema && !caps.includes('json_schema')) return 'no json_schema'
  }
  const window = deps.contextWindow(candidate.provider, candidate.model)
  if (window !== undefined && needs.inputTokens + needs.outputTokens > window) return 'context window too small'
  return undefined
}

/** Weighted random order without replacement (Efraimidis–Spirakis keys): each place is drawn by weight among the rest. */
export function weightedOrder(candidates: readonly AiCandidate[], random: () => number): AiCandidate[] {
  if (candidates.length < 2) return [...candidates]
  const keyed = candidates.map((c, i) => {
    const weight = c.weight !== undefined && c.weight > 0 ? c.weight : 1
    // An exponential draw with rate `weight`: the smallest leads (1 - random() avoids log(0)).
    return { c, i, key: -Math.log(1 - random()) / weight }
  })
  keyed.sort((a, b) => a.key - b.key || a.i - b.i)
  return keyed.map((k) => k.c)
}

/** Healthy before unhealthy, then by `score` (undefined last), then as written. */
function rank(candidates: readonly AiCandidate[], deps: StrategyDeps, score: (c: AiCandidate) => number | undefined) {
  return candidates
    .map((c, i) => ({ c, i, healthy: deps.healthy(c), score: score(c) ?? Infinity }))
    .sort((a, b) => Number(b.healthy) - Number(a.healthy) || a.score - b.score || a.i - b.i)
    .map((r) => r.c)
}

function byCost(candidates: readonly AiCandidate[], needs: CallNeeds, deps: StrategyDeps): AiCandidate[] {
  const fitting = candidates.filter((c) => misfit(c, needs, deps) === undefined)
  // Nothing fits by the catalog: keep them all and let the providers answer (or the refusal say why).
  return rank(fitting.length > 0 ? fitting : candidates, deps, (c) => deps.costOf(c, needs))
}

function byLatency(candidates: readonly AiCandidate[], options: LatencyOptions | undefined, deps: StrategyDeps) {
  const windowMs = (options?.windowSeconds ?? LATENCY_DEFAULTS.windowSeconds) * 1000
  const probeMs = (options?.probeAfterSeconds ?? LATENCY_DEFAULTS.probeAfterSeconds) * 1000
  const rate = options?.explorationRate ?? LATENCY_DEFAULTS.explorationRate
  const now = deps.now()
  const ordered = rank(candidates, deps, (c) => deps.latency.p50(c.provider, c.model, windowMs))
  const healthy = ordered.filter((c) => deps.healthy(c))
  if (healthy.length < 2) return ordered
  // Exploration: a healthy candidate nobody heard from for `probeMs` (never, or not since it
  // recovered) goes first once per `probeMs`, the one silent longest first.
  let lead: AiCandidate | undefined
  let oldest = Infinity
  for (const c of healthy) {
    const last = deps.latency.lastSampleAt(c.provider, c.model)
    const explored = deps.latency.exploredAt(c.provider, c.model)
    const silent = last === undefined || now - last >= probeMs
    const due = explored === undefined || now - explored >= probeMs
    const since = last ?? -Infinity
    if (silent && due && since < oldest) {
      oldest = since
      lead = c
    }
  }
  if (lead) deps.latency.markExplored(lead.provider, lead.model)
  else if (rate > 0 && deps.random() < rate) lead = healthy[Math.floor(deps.random() * healthy.length)]
  if (!lead || lead === ordered[0]) return ordered
  return [lead, ...ordered.filter((c) => c !== lead)]
}

/** The candidates of one request in the order the router should try them. */
export function orderByStrategy(
  strategy: RouteStrategy,
  candidates: readonly AiCandidate[],
  needs: CallNeeds,
  deps: StrategyDeps,
): AiCandidate[] {
  if (candidates.length === 0) return []
  switch (strategy.strategy) {
    case 'weighted':
      return weightedOrder(candidates, deps.random)
    case 'cost':
      return byCost(candidates, needs, deps)
    case 'latency':
      return candidates.length < 2 ? [...candidates] : byLatency(candidates, strategy.latency, deps)
    default:
      return [...candidates]
  }
}
