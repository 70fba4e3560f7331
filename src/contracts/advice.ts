import { z } from 'zod'
import { BRACKETS } from '../domain/assessments/config-schema.ts'
import { DEEP_ASSESSMENT_TYPES } from '../domain/assessments/types.ts'

/**
 * Contracts of issue 15: score breakdowns, score forecasts, feedback on any AI answer, and the
 * admin's satisfaction and completion figures.
 */

const score = z.number().min(1).max(5)
const timestamp = z.string().describe('ISO 8601')
const bracketKey = z.enum(BRACKETS)

// ---- GET /api/assessments/:type/submissions/:id -----------------------------------------------

export const submissionParams = z.object({ type: z.string().min(1).max(64), id: z.uuid() })

const answerBreakdown = z.object({
  key: z.string(),
  prompt: z.string(),
  type: z.enum(['select', 'multi_select', 'text_area', 'rank']),
  answer: z.union([z.string(), z.array(z.string())]),
  answerLabels: z.array(z.string()),
  weight: z.number(),
  contribution: z.number().nullable().describe('This answer on the 1–5 scale; null when it is not scored'),
  points: z.number().nullable().describe('weight × contribution ÷ total weight: what the answer adds to the score'),
  note: z.string().optional(),
})
const submissionSummary = z.object({ id: z.uuid(), score, bracketKey, bracketLabel: z.string(), takenAt: timestamp })

/** One submission explained: group sub-scores, each answer's contribution, the formula, the one before. */
export const submissionBreakdown = z
  .object({
    type: z.enum(DEEP_ASSESSMENT_TYPES),
    title: z.string(),
    id: z.uuid(),
    score,
    bracketKey: bracketKey.describe('The bracket the score fell in'),
    bracketLabel: z.string().describe('Its one label ("Level 3.5"), the same on the result page and in history'),
    bracketServed: bracketKey.describe('The bracket whose questions were answered'),
    bracketServedLabel: z.string(),
    takenAt: timestamp,
    groups: z.array(
      z.object({
        key: z.string(),
        title: z.string(),
        score: score.nullable(),
        weight: z.number(),
        answers: z.array(answerBreakdown),
      }),
    ),
    totals: z.object({ weightedSum: z.number(), totalWeight: z.number(), recomputed: score.nullable() }),
    formula: z.string().describe("How the score was computed, in words, with this submission's numbers"),
    previous: submissionSummary.extend({ change: z.number().describe('This score minus the previous one') }).nullable(),
  })
  .meta({ id: 'AssessmentSubmissionBreakdown' })

// ---- GET /api/insights/forecast ---------------------------------------------------------------

const forecastPoint = z.object({ horizonDays: z.number(), at: timestamp, value: score, lower: score, upper: score })
export const scoreForecast = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ok'),
    method: z.literal('damped_holt'),
    submissions: z.number().int().describe('Days with a score (same-day scores are merged)'),
    spanDays: z.number().int(),
    last: z.object({ at: timestamp, score: z.number() }),
    level: z.number(),
    trendPerMonth: z.number(),
    trend: z.enum(['improving', 'stable', 'declining']),
    params: z.object({ alpha: z.number(), beta: z.number(), phi: z.number() }),
    sigma: z.number(),
    intervalLevel: z.number().describe('Coverage of [lower, upper], e.g. 0.95'),
    forecast: z.array(forecastPoint),
    backtest: z
      .object({
        points: z.number().int(),
        mae: z.number(),
        naiveMae: z.number().describe('Error of "nothing changes" on the same points'),
      })
      .nullable(),
  }),
  z.object({
    status: z.literal('insufficient_data'),
    submissions: z.number().int(),
    spanDays: z.number().int(),
    needed: z.object({ submissions: z.number().int(), spanDays: z.number().int() }),
    message: z.string().describe('What is missing before a forecast can be made'),
    last: z.object({ at: timestamp, score: z.number() }).nullable(),
  }),
])

export const forecastResponse = z
  .object({
    overall: scoreForecast,
    areas: z.record(z.string(), scoreForecast),
    history: z
      .array(z.object({ at: timestamp, score }))
      .describe('The overall score after each change, oldest first (one point per instant); empty before any score'),
    narrative: z.object({
      narrative: z.string(),
      outlook: z.enum(['improving', 'stable', 'declining', 'insufficient_data']),
      highlights: z.array(z.string()),
    }),
    provider: z.string(),
    requestId: z.string(),
  })
  .meta({ id: 'ScoreForecast' })

// ---- feedback on any AI answer ----------------------------------------------------------------

export const answerFeedbackParams = z.object({ requestId: z.string().min(1).max(128) })
/** A part of an answer: a list and an item of it ("roadmap.2", "levers.<id>"), or a whole list ("roadmap"). */
export const FEEDBACK_ITEM = /^[a-z][A-Za-z0-9_]{0,39}(\.[A-Za-z0-9_-]{1,64})?$/
export const answerFeedbackBody = z
  .object({
    rating: z.enum(['up', 'down']),
    comment: z.string().trim().max(2_000).optional(),
    item: z
      .string()
      .regex(FEEDBACK_ITEM, 'must name a part of the answer, such as "roadmap" or "roadmap.2"')
      .optional()
      .describe('The part of the answer rated; without it the rating is of the whole answer'),
  })
  .strict()
export const answerFeedback = z.object({
  requestId: z.string(),
  item: z.string().nullable().describe('The part rated; null for the whole answer'),
  feature: z.string().nullable().describe('The AI feature that produced the answer'),
  rating: z.enum(['up', 'down']),
  comment: z.string().nullable(),
  createdAt: timestamp,
})

// ---- admin: satisfaction and the assessment funnel --------------------------------------------

export const windowQuery = z.object({ days: z.coerce.number().int().min(1).max(365).default(30) })

export const satisfactionResponse = z.object({
  since: timestamp,
  features: z.array(
    z.object({
      feature: z.string(),
      up: z.number().int(),
      down: z.number().int(),
      satisfaction: z.number().nullable().describe('up ÷ (up + down), 0–1; null without feedback'),
      byModel: z.array(
        z.object({
          provider: z.string(),
          model: z.string(),
          modelVersion: z.string().nullable(),
          up: z.number().int(),
          down: z.number().int(),
          comments: z.number().int(),
          satisfaction: z.number().nullable(),
        }),
      ),
    }),
  ),
})

const funnelFigures = z.object({
  started: z.number().int(),
  completed: z.number().int(),
  abandoned: z.number().int().describe('Started, not completed, and open longer than the abandonment window'),
  inProgress: z.number().int(),
  completionRate: z.number().nullable().describe('completed ÷ started, 0–1'),
  medianSecondsToComplete: z.number().nullable(),
})
export const funnelResponse = z.object({
  since: timestamp,
  abandonAfterHours: z.number(),
  assessments: z.array(funnelFigures.extend({ type: z.string() })),
  total: funnelFigures.omit({ medianSecondsToComplete: true }),
})
