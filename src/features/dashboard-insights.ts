import { z } from 'zod'
import type { ScoreSet } from '../domain/growth/scores.ts'
import type { AiFeature } from '../gateway/types.ts'
import { focusAreas, fmt, industryFocus, label, levelWords, pickActions } from './rules/advice.ts'
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
  strengths: z.array(point).min(3).max(4),
  weaknesses: z.array(point).min(3).max(4),
  roadmap: z.array(roadmapItem).length(4),
  insights: z.array(z.string().min(10).max(600)).min(1).max(5),
})
export type DashboardInsightsOutput = z.infer<typeof dashboardInsightsOutput>

function benchmarkPhrase(b: BenchmarkEntry | undefined): string {
  if (!b || b.userScore === null) return ''
  const who =
    b.source === 'industry'
      ? `${b.peers} industry peers`
      : b.source === 'global'
        ? `${b.peers} businesses on OptimaliQ`
        : 'the scale midpoint'
  const delta = b.userScore - b.average
  return ` That is ${Math.abs(delta) < 0.05 ? 'level with' : `${Math.abs(delta).toFixed(1)} ${delta > 0 ? 'above' : 'below'}`} the average of ${who} (${b.average.toFixed(1)})${b.percentile !== null && b.source !== 'default' ? `, percentile ${Math.round(b.percentile)}` : ''}.`
}

/** Strengths, weaknesses, a four-step roadmap and insights for the dashboard. */
export const dashboardInsights: AiFeature<DashboardInsightsInput, DashboardInsightsOutput> = {
  name: 'dashboard_insights',
  description: 'Dashboard strengths, weaknesses, a four-item roadmap and insights from all scores and peer benchmarks.',
  input: dashboardInsightsInput,
  output: dashboardInsightsOutput,
  prompt: {
    version: 'dashboard_insights@1',
    system: `You write the executive dashboard of a growth-maturity platform. From the user's scores (1–5), overall score and peer benchmarks, return 3–4 strengths and 3–4 weaknesses ({title, impact}: why it matters for growth), a roadmap of exactly 4 items ({task, expectedImpact, owner, timeframe}) ordered by priority, and 1–5 short insights. Be specific to the numbers; cite benchmarks where they matter. ${DATA_SAFETY}`,
    render: (input) =>
      [
        `Scores, lowest first: ${describeScores(input.scores.areas) || 'none yet'}; base ${input.scores.base ?? 'n/a'}; overall ${input.scores.overall ?? 'n/a'}.`,
        `Benchmarks: ${dataBlock('benchmarks', input.benchmarks)}`,
        `Business context: ${dataBlock('context', input.context)}`,
      ].join('\n'),
  },
  route: 'default',
  temperature: 0.4,
  maxTokens: 1500,
  cacheTtlSeconds: 24 * 3600,
  rules(input) {
    const scores = input.scores as ScoreSet
    const bench = new Map(input.benchmarks.map((b) => [b.area, b]))
    const low = focusAreas(scores)
    const high = [...low].reverse()
    const strengths = high.slice(0, 4).map(([area, score]) => ({
      title: `${label(area)} (${fmt(score)})`,
      impact: `${label(area)} is ${levelWords(score)} and among your strongest areas; use it to carry improvements elsewhere.${benchmarkPhrase(bench.get(area))}`,
    }))
    const weaknesses = low.slice(0, 4).map(([area, score]) => ({
      title: `${label(area)} (${fmt(score)})`,
      impact: `${label(area)} is ${levelWords(score)}, which limits growth until it improves.${benchmarkPhrase(bench.get(area))}`,
    }))
    const pad = [
      {
        title: 'A measured baseline',
        impact:
          'You have a scored baseline to track progress against; reassess after each initiative to see what moved.',
      },
      { title: 'Clear next step', impact: 'Your lowest area is identified, so effort can go where it pays back most.' },
      {
        title: 'Peer comparison available',
        impact: 'Benchmarks against peers show where you stand, not just how you feel about it.',
      },
    ]
    const gaps = [
      {
        title: 'Few areas assessed',
        impact: 'Only part of the business is measured; take the deep assessments to find hidden gaps.',
      },
      { title: 'No trend yet', impact: 'One data point cannot show direction; reassess to build a trend.' },
      { title: 'Uneven maturity', impact: 'Growth stalls at the weakest link; balance the areas before scaling.' },
    ]
    while (strengths.length < 3) strengths.push(pad[strengths.length]!)
    while (weaknesses.length < 3) weaknesses.push(gaps[weaknesses.length]!)
    const roadmap = pickActions(low, 4).map(({ area, score, action }) => ({
      task: `${action.title} (${label(area)})`,
      expectedImpact: `${action.description} Expected impact ${action.impact}; lifts ${label(area).toLowerCase()} from ${fmt(score)}.`,
      owner: action.owner,
      timeframe: action.timeframe,
    }))
    const [lowest] = low
    const overallBench = bench.get('overall')
    const insights = [
      `Your overall score is ${fmt(scores.overall)}.${benchmarkPhrase(overallBench)}`,
      `${label(lowest![0])} (${fmt(lowest![1])}) is the area with the most room to grow; the roadmap starts there.`,
      industryFocus(input.context.industry),
    ]
    return { strengths, weaknesses, roadmap, insights }
  },
}
