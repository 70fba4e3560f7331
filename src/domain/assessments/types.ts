/**
 * The eleven deep assessments, by key. The key names the JSON config, the profile columns
 * `<key>_score` / `<key>_last_taken`, and the API path `/api/assessments/:type`.
 */
export const DEEP_ASSESSMENT_TYPES = [
  'ai_readiness',
  'bpm',
  'sales',
  'tech_stack',
  'strategic_maturity',
  'marketing_effectiveness',
  'customer_experience',
  'digital_transformation',
  'leadership',
  'competitive_benchmarking',
  'reassessment',
] as const

export type DeepAssessmentType = (typeof DEEP_ASSESSMENT_TYPES)[number]

/** The growth assessment's three area scores, stored on the profile beside the deep scores. */
export const GROWTH_AREAS = ['strategy', 'process', 'technology'] as const
export type GrowthArea = (typeof GROWTH_AREAS)[number]

export function isDeepAssessmentType(value: string): value is DeepAssessmentType {
  return (DEEP_ASSESSMENT_TYPES as readonly string[]).includes(value)
}
