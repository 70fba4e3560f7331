import { z } from 'zod'
import { roundScore } from './scoring.ts'

/**
 * The growth assessment: the short public funnel every user takes first. Its answers give the
 * three area scores (strategy, process, technology) and the base score. The AI features issue adds
 * AI scoring with insights on top; this deterministic scoring is its rules fallback and what the
 * funnel stores meanwhile.
 */

export const COMPANY_SIZES = ['1', '2-10', '11-50', '51-200', '201-1000', '1000+'] as const
export const REVENUE_RANGES = [
  'under_100k',
  '100k_500k',
  '500k_1m',
  '1m_5m',
  '5m_20m',
  '20m_100m',
  'over_100m',
] as const
export const GROWTH_OBSTACLES = [
  'lead_generation',
  'sales_conversion',
  'customer_retention',
  'cash_flow',
  'hiring',
  'operational_inefficiency',
  'scaling',
  'outdated_technology',
  'unclear_strategy',
  'competition',
  'other',
] as const
/** How clear the growth strategy is, least to most mature. */
export const STRATEGY_LEVELS = ['none', 'informal', 'documented', 'documented_with_kpis'] as const
/** How well the business knows its customers, least to most mature. */
export const CUSTOMER_INSIGHT_LEVELS = ['guessing', 'anecdotal', 'regular_feedback', 'data_driven'] as const
/** The seed's four technology levels, least to most mature. */
export const TECHNOLOGY_LEVELS = ['outdated', 'needs_work', 'optimized', 'cutting_edge'] as const

export const growthAnswersSchema = z
  .object({
    industry: z.string().trim().min(1).max(100),
    companySize: z.enum(COMPANY_SIZES),
    revenueRange: z.enum(REVENUE_RANGES),
    obstacles: z
      .array(z.enum(GROWTH_OBSTACLES))
      .min(1)
      .max(5)
      .refine((v) => new Set(v).size === v.length, 'lists an obstacle more than once'),
    obstaclesDetail: z.string().trim().max(1000).optional(),
    strategy: z.enum(STRATEGY_LEVELS).describe('How clear is your growth strategy?'),
    process: z.boolean().describe('Do you have documented, repeatable processes for your core operations?'),
    customers: z
      .enum(CUSTOMER_INSIGHT_LEVELS)
      .describe('How well do you know why customers buy from you and why they leave?'),
    technology: z.enum(TECHNOLOGY_LEVELS).describe('How would you describe your technology?'),
  })
  .strict()
export type GrowthAnswers = z.infer<typeof growthAnswersSchema>

export type GrowthScores = { strategy: number; process: number; technology: number }
export type GrowthResult = GrowthScores & { base: number }

const STRATEGY_POINTS: Record<GrowthAnswers['strategy'], number> = {
  none: 1,
  informal: 2,
  documented: 3.5,
  documented_with_kpis: 5,
}
const CUSTOMER_POINTS: Record<GrowthAnswers['customers'], number> = {
  guessing: 1,
  anecdotal: 2,
  regular_feedback: 3.5,
  data_driven: 5,
}
const TECHNOLOGY_POINTS: Record<GrowthAnswers['technology'], number> = {
  outdated: 1,
  needs_work: 2.5,
  optimized: 4,
  cutting_edge: 5,
}
/** What naming an obstacle costs the area it belongs to. */
const OBSTACLE_PENALTY = 0.5

/** Base score = 0.4 · strategy + 0.3 · process + 0.3 · technology, each input and the result bounded to [1, 5], two decimals. */
export function computeBaseScore(scores: GrowthScores): number {
  for (const [area, value] of Object.entries(scores)) {
    if (!Number.isFinite(value)) throw new RangeError(`${area} score must be a finite number`)
  }
  const bound = (v: number) => Math.min(5, Math.max(1, v))
  return roundScore(0.4 * bound(scores.strategy) + 0.3 * bound(scores.process) + 0.3 * bound(scores.technology))
}

/**
 * Deterministic area scores of a growth assessment, each in [1, 5] (two decimals):
 *
 * - strategy   = 0.7 · strategy clarity + 0.3 · customer insight − 0.5 if "unclear strategy" is an obstacle
 *   (clarity: none 1, informal 2, documented 3.5, documented with KPIs 5; insight: guessing 1,
 *   anecdotal 2, regular feedback 3.5, data-driven 5)
 * - process    = 4 with documented processes (5 when the strategy is also tracked with KPIs), else 1.5;
 *   − 0.5 if "operational inefficiency" or "scaling" is an obstacle
 * - technology = outdated 1, needs work 2.5, optimized 4, cutting edge 5; − 0.5 if "outdated technology" is an obstacle
 *
 * A more mature answer, or one obstacle fewer, never lowers a score. Industry, size and revenue
 * are context for benchmarks and the AI, not part of the number.
 */
export function scoreGrowthAssessment(answers: GrowthAnswers): GrowthResult {
  const has = (o: (typeof GROWTH_OBSTACLES)[number]) => answers.obstacles.includes(o)
  const strategy = roundScore(
    0.7 * STRATEGY_POINTS[answers.strategy] +
      0.3 * CUSTOMER_POINTS[answers.customers] -
      (has('unclear_strategy') ? OBSTACLE_PENALTY : 0),
  )
  const processPoints = answers.process ? (answers.strategy === 'documented_with_kpis' ? 5 : 4) : 1.5
  const process = roundScore(processPoints - (has('operational_inefficiency') || has('scaling') ? OBSTACLE_PENALTY : 0))
  const technology = roundScore(
    TECHNOLOGY_POINTS[answers.technology] - (has('outdated_technology') ? OBSTACLE_PENALTY : 0),
  )
  return { strategy, process, technology, base: computeBaseScore({ strategy, process, technology }) }
}
