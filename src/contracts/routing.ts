import { z } from 'zod'
import { TIERS } from './common.ts'

/**
 * Routes and their strategies, as the `OPTIMALIQ_CONFIG` file and the admin API (`/api/admin/routes`)
 * write them. One schema for both, so a route that loads from the file can be stored and back.
 */

export const ROUTING_STRATEGIES = ['ordered', 'weighted', 'cost', 'latency'] as const
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number]

/** A route name: no `/` (that would read as `provider/model`). */
export const routeName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'letters, digits, ".", "_", ":" or "-", at most 64, no "/"')

/** A candidate: a catalog alias, `provider/model`, or an object with provider, model, weight and params. */
export const routeCandidate = z.union([
  z.string().trim().min(1).max(200),
  z
    .object({
      provider: z.string().trim().min(1).max(50),
      model: z.string().trim().min(1).max(200),
      weight: z.number().positive().max(1_000_000).optional(),
      params: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
])
export type RouteCandidateSpec = z.infer<typeof routeCandidate>

const oneOrMany = z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).min(1).max(100)])

/** When a rule applies: every field given must match (lists: any of). */
export const routeCondition = z
  .object({
    tier: z.array(z.enum(TIERS)).min(1).optional(),
    feature: z.array(z.string().min(1).max(100)).min(1).max(100).optional(),
    apiKeyId: z.array(z.string().min(1).max(100)).min(1).max(100).optional(),
    /** Keys of the caller's metadata (`x-optimaliq-metadata` on `/v1`) and the value(s) they must have. */
    metadata: z.record(z.string().min(1).max(64), oneOrMany).optional(),
  })
  .strict()
  .refine((c) => Object.keys(c).length > 0, { message: 'give at least one of tier, feature, apiKeyId, metadata' })
export type RouteCondition = z.infer<typeof routeCondition>

export const routeRule = z.object({ when: routeCondition, route: routeName }).strict()
export type RouteRule = z.infer<typeof routeRule>

/** Latency strategy tuning; defaults in `gateway/router/strategies.ts`. */
export const latencyOptions = z
  .object({
    /** Samples older than this no longer count toward the p50. */
    windowSeconds: z.number().int().min(1).max(86_400).optional(),
    /** Chance that a random healthy candidate goes first. */
    explorationRate: z.number().min(0).max(1).optional(),
    /** A candidate without a sample for this long is tried first once (a recovered provider gets traffic again). */
    probeAfterSeconds: z.number().int().min(1).max(86_400).optional(),
  })
  .strict()
export type LatencyOptions = z.infer<typeof latencyOptions>

export const routeDefinition = z
  .object({
    strategy: z.enum(ROUTING_STRATEGIES).default('ordered'),
    /** Omitted: the candidates of the same route in the config file (or the built-in `default`). */
    candidates: z.array(routeCandidate).min(1).max(50).optional(),
    /** First match wins: the request is served by that route instead (one hop; its own rules do not apply). */
    rules: z.array(routeRule).max(50).optional(),
    latency: latencyOptions.optional(),
  })
  .strict()
export type RouteDefinition = z.infer<typeof routeDefinition>
export type RouteDefinitionInput = z.input<typeof routeDefinition>

/** A route in the config file: a list of candidates (weights → `weighted`), or a definition. */
export const routeFileEntry = z.union([z.array(routeCandidate).min(1), routeDefinition])

/** Custom prices per `provider/model` (USD per million tokens), for models the catalog lacks or prices differently. */
export const modelPrice = z
  .object({
    inputPerMillion: z.number().min(0).max(100_000),
    outputPerMillion: z.number().min(0).max(100_000),
  })
  .strict()
export type ModelPrice = z.infer<typeof modelPrice>

export const routeSource = z.enum(['admin', 'config', 'default'])

/** A route as the admin API shows it: its definition and where it came from. */
export const routeView = z
  .object({
    name: z.string(),
    source: routeSource,
    /** The stored (admin) definition, when there is one. */
    definition: routeDefinition.optional(),
    strategy: z.enum(ROUTING_STRATEGIES),
    /** The candidates as resolved in this process (providers not configured here are left out). */
    candidates: z.array(z.object({ provider: z.string(), model: z.string(), weight: z.number().optional() })),
    rules: z.array(routeRule),
    updatedAt: z.string().optional(),
    updatedBy: z.string().nullable().optional(),
  })
  .meta({ id: 'Route' })
export type RouteView = z.infer<typeof routeView>

export const routeNameParam = z.object({ name: routeName }).strict()
