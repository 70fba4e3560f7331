import { DEEP_ASSESSMENT_TYPES, type DeepAssessmentType } from '../assessments/types.ts'
import { AREA_LABELS, rankedAreas, type ScoreArea, type ScoreSet } from './scores.ts'

/**
 * Which assessment to take next, from the user's gaps. Rules, in priority order:
 * 1. No growth assessment yet → take it first (every other score builds on it).
 * 2. Deep assessments that explore the weakest growth area and are not yet taken.
 * 3. Deep assessments whose last result is older than the retake period (stale).
 * 4. Any deep assessment not yet taken, then the lowest-scoring taken ones.
 */
export const AREA_DEEP_ASSESSMENTS: Record<'strategy' | 'process' | 'technology', DeepAssessmentType[]> = {
  strategy: ['strategic_maturity', 'competitive_benchmarking', 'leadership', 'marketing_effectiveness', 'sales'],
  process: ['bpm', 'customer_experience', 'sales'],
  technology: ['tech_stack', 'digital_transformation', 'ai_readiness'],
}

export type Gap = { area: ScoreArea; score: number | null; status: 'low' | 'missing' | 'stale' }
/** A recommended assessment, with the title to show and the web page that takes it (`path`). */
export type NextAssessment = {
  type: DeepAssessmentType | 'growth'
  title: string
  path: string
  reason: string
  priority: number
}

/** The web page where an assessment is taken: the growth assessment is the onboarding page. */
export function assessmentPath(type: DeepAssessmentType | 'growth'): string {
  return type === 'growth' ? '/onboarding' : `/assessments/${type}`
}

export function assessmentTitle(type: DeepAssessmentType | 'growth'): string {
  return type === 'growth' ? 'the growth assessment' : `the ${AREA_LABELS[type]} assessment`
}

const DAY_MS = 86_400_000

export function findGaps(
  scores: ScoreSet,
  lastTaken: Partial<Record<ScoreArea, Date | null>>,
  options: { now: Date; retakeDays: number },
): Gap[] {
  const gaps: Gap[] = []
  for (const [area, score] of rankedAreas(scores)) {
    const taken = lastTaken[area]
    if (taken && options.now.getTime() - taken.getTime() > options.retakeDays * DAY_MS)
      gaps.push({ area, score, status: 'stale' })
    else if (score < 3) gaps.push({ area, score, status: 'low' })
  }
  for (const area of ['strategy', 'process', 'technology', ...DEEP_ASSESSMENT_TYPES] as const) {
    if (typeof scores.areas[area] !== 'number') gaps.push({ area, score: null, status: 'missing' })
  }
  return gaps
}

export function nextAssessments(scores: ScoreSet, gaps: Gap[], limit = 3): NextAssessment[] {
  const result: NextAssessment[] = []
  const add = (type: NextAssessment['type'], reason: string) => {
    if (!result.some((r) => r.type === type))
      result.push({
        type,
        title: assessmentTitle(type),
        path: assessmentPath(type),
        reason,
        priority: result.length + 1,
      })
  }
  const growthScores = (['strategy', 'process', 'technology'] as const).filter(
    (a) => typeof scores.areas[a] === 'number',
  )
  if (growthScores.length === 0)
    add(
      'growth',
      'Start with the growth assessment: it scores strategy, process and technology and sets the question level of every deep assessment.',
    )
  const weakest = growthScores.sort((a, b) => scores.areas[a]! - scores.areas[b]!)[0]
  const missing = new Set(gaps.filter((g) => g.status === 'missing').map((g) => g.area))
  if (weakest) {
    for (const type of AREA_DEEP_ASSESSMENTS[weakest]) {
      if (missing.has(type))
        add(
          type,
          `${AREA_LABELS[weakest]} is your weakest growth area (${scores.areas[weakest]!.toFixed(1)}); this assessment pinpoints what to fix there.`,
        )
    }
  }
  for (const gap of gaps.filter((g) => g.status === 'stale')) {
    if ((DEEP_ASSESSMENT_TYPES as readonly string[]).includes(gap.area))
      add(
        gap.area as DeepAssessmentType,
        `Your ${AREA_LABELS[gap.area]} result is older than the retake period; retake it to see whether your work has paid off.`,
      )
  }
  for (const type of DEEP_ASSESSMENT_TYPES)
    if (missing.has(type) && type !== 'reassessment')
      add(type, 'Not assessed yet: it completes your picture of the business.')
  for (const [area, score] of rankedAreas(scores)) {
    if ((DEEP_ASSESSMENT_TYPES as readonly string[]).includes(area))
      add(
        area as DeepAssessmentType,
        `Your lowest deep score (${score.toFixed(1)}); retake it after acting on its recommendations.`,
      )
  }
  return result.slice(0, limit)
}
