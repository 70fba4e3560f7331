import { DEEP_ASSESSMENT_TYPES, GROWTH_AREAS, type DeepAssessmentType, type GrowthArea } from './types.ts'

/** The scores that make up the overall score: the three growth areas and the eleven deep assessments. */
export type OverallComponent = GrowthArea | DeepAssessmentType
export const OVERALL_COMPONENTS: readonly OverallComponent[] = [...GROWTH_AREAS, ...DEEP_ASSESSMENT_TYPES]

export type OverallWeights = Record<OverallComponent, number>

/**
 * Default weights. The growth areas keep the seed's 0.40 / 0.30 / 0.30 (so with only the growth
 * assessment taken, the overall equals the base score); each deep assessment counts 0.10 and the
 * reassessment, which spans every area, 0.20. They need not sum to 1: the mean renormalizes over
 * the scores present. Override with `ASSESSMENT_OVERALL_WEIGHTS`.
 */
export const DEFAULT_OVERALL_WEIGHTS: OverallWeights = {
  strategy: 0.4,
  process: 0.3,
  technology: 0.3,
  ai_readiness: 0.1,
  bpm: 0.1,
  sales: 0.1,
  tech_stack: 0.1,
  strategic_maturity: 0.1,
  marketing_effectiveness: 0.1,
  customer_experience: 0.1,
  digital_transformation: 0.1,
  leadership: 0.1,
  competitive_benchmarking: 0.1,
  reassessment: 0.2,
}

/** Defaults with overrides applied; an unknown name or a negative/non-finite weight is an error. */
export function resolveOverallWeights(overrides: Record<string, number> = {}): OverallWeights {
  const weights = { ...DEFAULT_OVERALL_WEIGHTS }
  for (const [name, weight] of Object.entries(overrides)) {
    if (!(OVERALL_COMPONENTS as readonly string[]).includes(name)) {
      throw new Error(`unknown overall-score component "${name}" (use one of ${OVERALL_COMPONENTS.join(', ')})`)
    }
    if (!Number.isFinite(weight) || weight < 0) throw new Error(`weight of "${name}" must be a number ≥ 0`)
    weights[name as OverallComponent] = weight
  }
  return weights
}

/**
 * Weighted mean of the scores present (null/undefined/non-finite scores and zero weights are
 * left out, the other weights renormalized), rounded to two decimals. No score → null, never NaN.
 */
export function computeOverallScore(
  scores: Partial<Record<OverallComponent, number | null | undefined>>,
  weights: OverallWeights = DEFAULT_OVERALL_WEIGHTS,
): number | null {
  let sum = 0
  let total = 0
  for (const name of OVERALL_COMPONENTS) {
    const score = scores[name]
    const weight = weights[name]
    if (score === null || score === undefined || !Number.isFinite(score) || !(weight > 0)) continue
    sum += weight * Math.min(5, Math.max(1, score))
    total += weight
  }
  if (total === 0) return null
  return Math.round((sum / total) * 100 + 1e-9) / 100
}
