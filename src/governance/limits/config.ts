import { z } from 'zod'
import type { Tier } from '../../contracts/common.ts'

/**
 * Limits and budgets as data. Defaults follow the plan (free 10/100/1,000 requests per
 * minute/hour/day, premium 60/1,000/10,000, enterprise 200/5,000/50,000); any part can be
 * overridden from configuration (`AI_RATE_LIMITS`, `AI_BUDGETS`, `AI_PROVIDER_PACING` as JSON).
 */

/** Counters are 32-bit in the database: a limit plus one request's points must stay below 2³¹. */
export const MAX_LIMIT = 1_000_000_000
const limit = z.number().int().positive().max(MAX_LIMIT)
export const tierLimitSchema = z.object({ perMinute: limit, perHour: limit, perDay: limit, tokensPerDay: limit })
export type TierLimit = z.infer<typeof tierLimitSchema>
export type TierLimits = Record<Tier, TierLimit>

export const DEFAULT_TIER_LIMITS: TierLimits = {
  free: { perMinute: 10, perHour: 100, perDay: 1_000, tokensPerDay: 100_000 },
  premium: { perMinute: 60, perHour: 1_000, perDay: 10_000, tokensPerDay: 2_000_000 },
  enterprise: { perMinute: 200, perHour: 5_000, perDay: 50_000, tokensPerDay: 20_000_000 },
}

export const budgetLimitSchema = z.object({
  dailyUsd: z.number().nonnegative().optional(),
  monthlyUsd: z.number().nonnegative().optional(),
})
export type BudgetLimit = z.infer<typeof budgetLimitSchema>

export type Budgets = {
  /** Per user, by tier. */
  user: Record<Tier, BudgetLimit>
  /** All callers together. */
  global: BudgetLimit
  /** Fraction at which a warning (alert and `budget.threshold` event) goes out. */
  warnAt: number
  /** When a budget is spent, let features answer from the rules engine instead of failing. */
  rulesFallback: boolean
}

export const DEFAULT_BUDGETS: Budgets = {
  user: {
    free: { dailyUsd: 0.5, monthlyUsd: 5 },
    premium: { dailyUsd: 5, monthlyUsd: 100 },
    enterprise: { dailyUsd: 50, monthlyUsd: 1_000 },
  },
  global: { dailyUsd: 500, monthlyUsd: 10_000 },
  warnAt: 0.8,
  rulesFallback: true,
}

export const pacingSchema = z.record(z.string(), z.object({ rpm: limit.optional(), tpm: limit.optional() }))
export type ProviderPacing = z.infer<typeof pacingSchema>

const partialTiers = z
  .object({
    free: tierLimitSchema.partial().optional(),
    premium: tierLimitSchema.partial().optional(),
    enterprise: tierLimitSchema.partial().optional(),
  })
  .strict()
const partialBudgets = z
  .object({
    user: z
      .object({
        free: budgetLimitSchema.optional(),
        premium: budgetLimitSchema.optional(),
        enterprise: budgetLimitSchema.optional(),
      })
      .strict()
      .optional(),
    global: budgetLimitSchema.optional(),
    warnAt: z.number().gt(0).lt(1).optional(),
    rulesFallback: z.boolean().optional(),
  })
  .strict()

/** Defaults with a partial override laid over them (from JSON configuration). */
export function resolveTierLimits(override: unknown): TierLimits {
  const parsed = partialTiers.parse(override ?? {})
  return {
    free: { ...DEFAULT_TIER_LIMITS.free, ...parsed.free },
    premium: { ...DEFAULT_TIER_LIMITS.premium, ...parsed.premium },
    enterprise: { ...DEFAULT_TIER_LIMITS.enterprise, ...parsed.enterprise },
  }
}

export function resolveBudgets(override: unknown): Budgets {
  const parsed = partialBudgets.parse(override ?? {})
  return {
    user: {
      free: { ...DEFAULT_BUDGETS.user.free, ...parsed.user?.free },
      premium: { ...DEFAULT_BUDGETS.user.premium, ...parsed.user?.premium },
      enterprise: { ...DEFAULT_BUDGETS.user.enterprise, ...parsed.user?.enterprise },
    },
    global: { ...DEFAULT_BUDGETS.global, ...parsed.global },
    warnAt: parsed.warnAt ?? DEFAULT_BUDGETS.warnAt,
    rulesFallback: parsed.rulesFallback ?? DEFAULT_BUDGETS.rulesFallback,
  }
}

export function resolvePacing(override: unknown): ProviderPacing {
  return pacingSchema.parse(override ?? {})
}
