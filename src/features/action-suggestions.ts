import { z } from 'zod'
import type { AiFeature } from '../gateway/types.ts'
import type { ScoreSet } from '../domain/growth/scores.ts'
import { industryFocus, recommendedActions } from '../domain/advice/engine.ts'
import { businessContext, dataBlock, DATA_SAFETY, priority, scoreArea, scoreSetSchema } from './shared.ts'

export const actionSuggestionsInput = z.object({
  gaps: z.array(
    z.object({ area: scoreArea, score: z.number().nullable(), status: z.enum(['low', 'missing', 'stale']) }),
  ),
  nextAssessments: z.array(
    z.object({ type: z.string(), title: z.string().optional(), reason: z.string(), priority: z.number() }),
  ),
  overall: z.number().nullable(),
  /** All current scores: the rules plan from them (after the dashboard roadmap's actions). */
  scores: scoreSetSchema,
  /** The dashboard roadmap's tasks, which these actions must not repeat. */
  roadmap: z.array(z.string()).default([]),
  context: businessContext,
})
export type ActionSuggestionsInput = z.infer<typeof actionSuggestionsInput>

export const actionSuggestionsOutput = z.object({
  summary: z.string().min(20).max(1000),
  actions: z
    .array(
      z.object({
        title: z.string().min(3).max(200),
        description: z.string().min(10).max(800),
        area: scoreArea,
        priority,
        timeframe: z.string().min(2).max(60),
      }),
    )
    .min(3)
    .max(5),
})
export type ActionSuggestionsOutput = z.infer<typeof actionSuggestionsOutput>

/** What to do next, from the user's gaps (low, missing and stale scores). */
export const actionSuggestions: AiFeature<ActionSuggestionsInput, ActionSuggestionsOutput> = {
  name: 'action_suggestions',
  description: "What to do next (3–5 prioritised actions) from the user's gaps and recommended assessments.",
  input: actionSuggestionsInput,
  output: actionSuggestionsOutput,
  prompt: {
    version: 'action_suggestions@2',
    system: `You suggest the next actions for a business owner. From their gaps (low, missing or stale scores) and the assessments recommended next, return a one-paragraph summary and 3–5 concrete actions ({title, description, area, priority, timeframe}), highest priority first. Each action must be doable by a small team and tied to one area key from the input, and must not repeat a task of the dashboard roadmap given. ${DATA_SAFETY}`,
    render: (input) =>
      `Gaps and next assessments: ${dataBlock('gaps', { gaps: input.gaps, nextAssessments: input.nextAssessments, overall: input.overall })}\nDashboard roadmap (do not repeat): ${dataBlock('roadmap', input.roadmap)}\nBusiness context: ${dataBlock('context', input.context)}`,
  },
  route: 'default',
  temperature: 0.5,
  maxTokens: 900,
  cacheTtlSeconds: 24 * 3600,
  rules(input) {
    // The plan's actions after the roadmap's four: the dashboard's two lists complement each other.
    const actions = recommendedActions(input.scores as ScoreSet).map(({ key: _key, ...action }) => action)
    const next = input.nextAssessments[0]
    const stale = input.gaps.filter((g) => g.status === 'stale').length
    const parts = [
      next ? `Next, take ${next.title ?? next.type.replace(/_/g, ' ')}: ${next.reason}` : '',
      'The actions below follow on from your dashboard roadmap without repeating it.',
      stale > 0 ? `${stale} result${stale === 1 ? ' is' : 's are'} out of date.` : '',
      industryFocus(input.context.industry),
    ]
    return { summary: parts.filter(Boolean).join(' '), actions }
  },
}
