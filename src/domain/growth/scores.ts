import { DEEP_ASSESSMENT_TYPES, GROWTH_AREAS, type DeepAssessmentType, type GrowthArea } from '../assessments/types.ts'

/** Every score area a user can have: the three growth areas and the eleven deep assessments. */
export const SCORE_AREAS = [...GROWTH_AREAS, ...DEEP_ASSESSMENT_TYPES] as const
export type ScoreArea = GrowthArea | DeepAssessmentType

/** A user's current scores (1–5, or null when not assessed), base and overall. */
export type ScoreSet = {
  areas: Partial<Record<ScoreArea, number | null>>
  base: number | null
  overall: number | null
}

/** Human labels for areas, used in advice and prompts. */
export const AREA_LABELS: Record<ScoreArea, string> = {
  strategy: 'Strategy',
  process: 'Process',
  technology: 'Technology',
  ai_readiness: 'AI readiness',
  bpm: 'Business process management',
  sales: 'Sales',
  tech_stack: 'Tech stack',
  strategic_maturity: 'Strategic maturity',
  marketing_effectiveness: 'Marketing effectiveness',
  customer_experience: 'Customer experience',
  digital_transformation: 'Digital transformation',
  leadership: 'Leadership',
  competitive_benchmarking: 'Competitive benchmarking',
  reassessment: 'Reassessment',
}

/** The areas present, as `[area, score]`, ordered from lowest to highest score (ties by name). */
export function rankedAreas(scores: ScoreSet): Array<[ScoreArea, number]> {
  const present: Array<[ScoreArea, number]> = []
  for (const area of SCORE_AREAS) {
    const value = scores.areas[area]
    if (typeof value === 'number' && Number.isFinite(value)) present.push([area, value])
  }
  return present.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
}

/**
 * The scores that drive generated content (dashboard, levers) in a canonical form: areas in a
 * fixed order, rounded to 2 decimals (the column precision) so float noise never changes it.
 * `app/scores-hash.ts` hashes it: cached content keyed on the hash is invalidated by any change.
 */
export function canonicalScores(scores: ScoreSet): string {
  const canonical: Array<[string, number | null]> = SCORE_AREAS.map((area) => [
    area,
    round2(scores.areas[area] ?? null),
  ])
  canonical.push(['base', round2(scores.base)], ['overall', round2(scores.overall)])
  return JSON.stringify(canonical)
}

function round2(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : Math.round(value * 100) / 100
}

/** Maturity level of a 1–5 score: the advice library is organised by it. */
export type MaturityLevel = 'foundational' | 'developing' | 'advanced'

/** Below 2.5 foundational, below 3.75 developing, else advanced. */
export function maturityLevel(score: number): MaturityLevel {
  if (score < 2.5) return 'foundational'
  if (score < 3.75) return 'developing'
  return 'advanced'
}

/** Clamp to the 1–5 score scale and round to 2 decimals. */
export function clampScore(value: number): number {
  const bounded = Math.min(5, Math.max(1, Number.isFinite(value) ? value : 1))
  return Math.round(bounded * 100) / 100
}
