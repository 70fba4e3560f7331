import { z } from 'zod'
import type { ScoreSet } from '../domain/growth/scores.ts'
import type { AiFeature } from '../gateway/types.ts'
import { leverAdvice } from '../domain/advice/engine.ts'
import { businessContext, dataBlock, DATA_SAFETY, describeScores, effort, scoreArea, scoreSetSchema } from './shared.ts'

export const growthLeversInput = z.object({ scores: scoreSetSchema, context: businessContext })
export type GrowthLeversInput = z.infer<typeof growthLeversInput>

export const growthLever = z.object({
  title: z.string().min(3).max(200),
  description: z.string().min(20).max(1200),
  targetArea: scoreArea,
  expectedImpact: z.string().min(5).max(400),
  effort,
})
export const growthLeversOutput = z.object({ levers: z.array(growthLever).length(5) })
export type GrowthLeversOutput = z.infer<typeof growthLeversOutput>

/** Exactly five actionable growth levers from the user's scores and industry. */
export const growthLevers: AiFeature<GrowthLeversInput, GrowthLeversOutput> = {
  name: 'growth_levers',
  description:
    'Five actionable growth levers ({title, description, targetArea, expectedImpact, effort}) from scores and industry.',
  input: growthLeversInput,
  output: growthLeversOutput,
  prompt: {
    version: 'growth_levers@1',
    system: `You are a growth strategist. Return exactly five growth levers for this business, most valuable first. Each lever names one concrete initiative (title), how to run it in practice (description), the score area it targets (targetArea, one of the given area keys), the expected impact in measurable terms, and the effort (low, medium or high). Aim at the lowest-scoring areas first and fit the industry. ${DATA_SAFETY}`,
    render: (input) =>
      [
        `Scores, lowest first: ${describeScores(input.scores.areas) || 'none yet'}; overall ${input.scores.overall ?? 'n/a'}.`,
        `Business context: ${dataBlock('context', input.context)}`,
      ].join('\n'),
  },
  route: 'default',
  temperature: 0.5,
  maxTokens: 1500,
  // The seed's 31-day cache; scores changes invalidate earlier through the scores hash.
  cacheTtlSeconds: 31 * 24 * 3600,
  rules(input) {
    // Each lever's key (area + title slug) is recomputed from these fields by the use case.
    const levers = leverAdvice(input.scores as ScoreSet, input.context.industry).map(({ key: _key, ...lever }) => lever)
    return { levers }
  },
}
