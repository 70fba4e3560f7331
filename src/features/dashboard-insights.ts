import { z } from 'zod'
import type { ScoreSet } from '../domain/growth/scores.ts'
import type { AiFeature } from '../gateway/types.ts'
import { dashboardAdvice } from '../domain/advice/engine.ts'
import { standingOf } from '../domain/advice/standing.ts'
import { businessContext, dataBlock, DATA_SAFETY, describeScores, scoreSetSchema } from './shared.ts'
import { benchmark } from '../contracts/features.ts'

/** One benchmark row: the API's own contract (`src/contracts/features.ts`). */
export const benchmarkEntry = benchmark
export type BenchmarkEntry = z.infer<typeof benchmarkEntry>

export const dashboardInsightsInput = z.object({
  scores: scoreSetSchema,
  benchmarks: z.array(benchmarkEntry),
  context: businessContext,
})
export type DashboardInsightsInput = z.infer<typeof dashboardInsightsInput>

const point = z.object({ title: z.string().min(3).max(200), impact: z.string().min(10).max(600) })
export const roadmapItem = z.object({
  task: z.string().min(3).max(300),
  expectedImpact: z.string().min(5).max(400),
  owner: z.string().min(2).max(100),
  timeframe: z.string().min(2).max(60),
})
export const dashboardInsightsOutput = z.object({
  // None for a new user: only assessed areas are strengths or weaknesses.
  strengths: z.array(point).max(4),
  weaknesses: z.array(point).max(4),
  roadmap: z.array(roadmapItem).length(4),
  insights: z.array(z.string().min(10).max(600)).min(1).max(5),
})
export type DashboardInsightsOutput = z.infer<typeof dashboardInsightsOutput>

/** Strengths, weaknesses, a four-step roadmap and insights for the dashboard. */
export const dashboardInsights: AiFeature<DashboardInsightsInput, DashboardInsightsOutput> = {
  name: 'dashboard_insights',
  description: 'Dashboard strengths, weaknesses, a four-item roadmap and insights from all scores and peer benchmarks.',
  input: dashboardInsightsInput,
  output: dashboardInsightsOutput,
  prompt: {
    version: 'dashboard_insights@2',
    system: `You write the executive dashboard of a growth-maturity platform. From the user's scores (1–5), overall score and peer benchmarks, return up to 4 strengths and up to 4 weaknesses ({title, impact}: why it matters for growth) — only assessed areas, never the same area in both lists, using the classification given (it is relative to the user's own areas), with words that match each score's level (below 2.5 foundational, below 3.75 developing, else advanced), a roadmap of exactly 4 items ({task, expectedImpact, owner, timeframe}) ordered by priority, and 1–5 short insights. Be specific to the numbers; cite benchmarks where they matter. ${DATA_SAFETY}`,
    render: (input) =>
      [
        `Scores, lowest first: ${describeScores(input.scores.areas) || 'none yet'}; base ${input.scores.base ?? 'n/a'}; overall ${input.scores.overall ?? 'n/a'}.`,
        `Classification: ${classification(input.scores as ScoreSet)}`,
        `Benchmarks: ${dataBlock('benchmarks', input.benchmarks)}`,
        `Business context: ${dataBlock('context', input.context)}`,
      ].join('\n'),
  },
  route: 'default',
  temperature: 0.4,
  maxTokens: 1500,
  cacheTtlSeconds: 24 * 3600,
  rules(input) {
    return dashboardAdvice(input.scores as ScoreSet, input.benchmarks, input.context.industry)
  },
}

/** The rules engine's strengths and weaknesses, handed to the model so both agree. */
function classification(scores: ScoreSet): string {
  const s = standingOf(scores)
  const list = (items: Array<{ area: string; score: number }>) =>
    items.map((a) => `${a.area} ${a.score.toFixed(2)}`).join(', ') || 'none'
  return `strengths ${list(s.strengths)}; weaknesses ${list(s.weaknesses)}; not assessed: ${s.unassessed.join(', ') || 'none'}.`
}
