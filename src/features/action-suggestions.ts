import { z } from 'zod'
import type { AiFeature } from '../gateway/types.ts'
import { fmt, industryFocus, label, pickActions } from './rules/advice.ts'
import { businessContext, dataBlock, DATA_SAFETY, priority, scoreArea } from './shared.ts'

export const actionSuggestionsInput = z.object({
  gaps: z.array(
    z.object({ area: scoreArea, score: z.number().nullable(), status: z.enum(['low', 'missing', 'stale']) }),
  ),
  nextAssessments: z.array(z.object({ type: z.string(), reason: z.string(), priority: z.number() })),
  overall: z.number().nullable(),
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
    version: 'action_suggestions@1',
    system: `You suggest the next actions for a business owner. From their gaps (low, missing or stale scores) and the assessments recommended next, return a one-paragraph summary and 3–5 concrete actions ({title, description, area, priority, timeframe}), highest priority first. Each action must be doable by a small team and tied to one area key from the input. ${DATA_SAFETY}`,
    render: (input) =>
      `Gaps and next assessments: ${dataBlock('gaps', { gaps: input.gaps, nextAssessments: input.nextAssessments, overall: input.overall })}\nBusiness context: ${dataBlock('context', input.context)}`,
  },
  route: 'default',
  temperature: 0.5,
  maxTokens: 900,
  cacheTtlSeconds: 24 * 3600,
  rules(input) {
    const scored = input.gaps
      .filter((g) => g.status !== 'missing')
      .map((g) => [g.area, g.score] as [typeof g.area, number | null])
    const picks = pickActions(scored, 4)
    const actions = picks.map(({ area, score, action }, i) => ({
      title: action.title,
      description: `${action.description}${score !== null ? ` (${label(area)} is ${fmt(score)}.)` : ''}`,
      area,
      priority: i === 0 ? ('high' as const) : action.impact === 'high' ? ('high' as const) : ('medium' as const),
      timeframe: action.timeframe,
    }))
    const next = input.nextAssessments[0]
    const stale = input.gaps.filter((g) => g.status === 'stale').length
    return {
      summary: `${scored.length > 0 ? `Focus on ${label(picks[0]!.area).toLowerCase()} first (${fmt(picks[0]!.score)}).` : 'You have no weak scores on record yet.'}${next ? ` Next assessment: ${next.type} — ${next.reason}` : ''}${stale > 0 ? ` ${stale} result${stale === 1 ? ' is' : 's are'} out of date.` : ''} ${industryFocus(input.context.industry)}`,
      actions,
    }
  },
}
