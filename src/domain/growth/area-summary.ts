import { z } from 'zod'

/**
 * `assessment_analysis`: insights and recommendations from a user's weakest areas. This is the
 * deterministic analysis; the AI-features work replaces `analyzeAssessment` (same input and
 * output) with the gateway call and keeps this as its rules fallback.
 */

const areaName = z.string().trim().min(1).max(64)
const areaScore = z.number().min(0).max(5)

export const assessmentAnalysisInput = z
  .object({
    submissionId: z.uuid().optional(),
    assessmentType: areaName.optional(),
    scores: z
      .record(areaName, areaScore)
      .refine((r) => Object.keys(r).length > 0 && Object.keys(r).length <= 50, { message: 'give from 1 to 50 scores' })
      .optional(),
  })
  .strict()
  .refine((v) => v.submissionId !== undefined || (v.assessmentType !== undefined && v.scores !== undefined), {
    message: 'give either submissionId, or assessmentType and scores',
    path: ['submissionId'],
  })

export type AssessmentAnalysisInput = z.infer<typeof assessmentAnalysisInput>

/** What the analysis works on, once a submission id is resolved to its scores. */
export type AnalysisSubject = { assessmentType: string; scores: Record<string, number> }

export const assessmentAnalysisOutput = z.object({
  assessmentType: z.string(),
  provider: z.literal('rules'),
  averageScore: z.number(),
  weakestAreas: z.array(z.object({ area: z.string(), score: z.number() })),
  strongestArea: z.object({ area: z.string(), score: z.number() }).nullable(),
  insights: z.array(z.string()),
  recommendations: z.array(
    z.object({ area: z.string(), priority: z.enum(['high', 'medium', 'low']), action: z.string() }),
  ),
})

export type AssessmentAnalysis = z.infer<typeof assessmentAnalysisOutput>

const ADVICE: Record<string, string> = {
  strategy: 'Write a one-page growth strategy with three measurable goals and review it monthly.',
  process: 'Map your three most frequent workflows end to end and remove one hand-off from each.',
  technology: 'List the tools each team uses daily and retire the ones that duplicate another.',
  ai_readiness: 'Pick one repetitive, well-documented task and pilot an AI assistant on it for a month.',
  bpm: 'Document your core processes with owners and a single success metric each.',
  sales: 'Define your pipeline stages with exit criteria and review conversion between them weekly.',
  tech_stack: 'Consolidate overlapping tools and connect the remaining ones to one source of customer data.',
  strategic_maturity: 'Turn annual goals into quarterly objectives with named owners.',
  marketing_effectiveness: 'Attribute leads to channels and move budget from the weakest channel to the strongest.',
  customer_experience: 'Measure satisfaction after each key interaction and fix the lowest-scoring touchpoint first.',
  digital_transformation: 'Digitise one paper or spreadsheet process end to end before starting the next.',
  leadership: 'Hold a monthly review where each leader reports progress against one growth metric.',
  competitive_benchmarking: 'Compare pricing, offer and reviews with three direct competitors every quarter.',
}

const label = (area: string) => area.replace(/[_-]+/g, ' ').replace(/\s+score$/i, '')
const round = (n: number) => Math.round(n * 100) / 100

/** The deterministic analysis: the weakest areas (up to three) drive insights and actions. */
export function analyzeAssessment(subject: AnalysisSubject): AssessmentAnalysis {
  const areas = Object.entries(subject.scores)
    .map(([area, score]) => ({ area, score: round(score) }))
    .sort((a, b) => a.score - b.score || a.area.localeCompare(b.area))
  const average = areas.length ? round(areas.reduce((sum, a) => sum + a.score, 0) / areas.length) : 0
  const weakest = areas.filter((a) => a.score < 4).slice(0, 3)
  const strongest = areas.length > 0 ? areas[areas.length - 1]! : null
  const insights = [
    `Your average across ${areas.length} area${areas.length === 1 ? '' : 's'} of ${label(subject.assessmentType)} is ${average.toFixed(2)} out of 5.`,
    ...weakest.map(
      (a) =>
        `${label(a.area)} scores ${a.score.toFixed(2)}: ${a.score < 2 ? 'a foundational gap that holds back other areas' : a.score < 3 ? 'below the level where growth compounds' : 'solid, with room to reach best practice'}.`,
    ),
  ]
  if (strongest && strongest.score >= 4)
    insights.push(
      `${label(strongest.area)} is a strength (${strongest.score.toFixed(2)}); use it to lift the weaker areas.`,
    )
  if (weakest.length === 0)
    insights.push('No area scores below 4: focus on keeping the lead and on benchmarking against the best peers.')
  const recommendations = weakest.map((a) => ({
    area: a.area,
    priority: a.score < 2 ? ('high' as const) : a.score < 3 ? ('medium' as const) : ('low' as const),
    action:
      ADVICE[a.area.replace(/_score$/, '')] ??
      `Set one measurable goal for ${label(a.area)} and review it every month.`,
  }))
  return {
    assessmentType: subject.assessmentType,
    provider: 'rules',
    averageScore: average,
    weakestAreas: weakest,
    strongestArea: strongest,
    insights,
    recommendations,
  }
}
