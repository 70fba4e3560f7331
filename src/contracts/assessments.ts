import { z } from 'zod'
import { BRACKETS } from '../domain/assessments/config-schema.ts'
import { growthAnswersSchema } from '../domain/assessments/growth.ts'
import { DEEP_ASSESSMENT_TYPES } from '../domain/assessments/types.ts'

/** Request and response shapes of `/api/assessments`, `/api/scores` and `/api/growth-assessment`. */

const score = z.number().min(1).max(5)
const timestamp = z.string().describe('ISO 8601')

export const assessmentTypeParam = z.object({
  type: z
    .string()
    .min(1)
    .max(64)
    .describe(`One of ${DEEP_ASSESSMENT_TYPES.join(', ')}`),
})
export const bracketKey = z.enum(BRACKETS)

export const assessmentSummary = z
  .object({
    type: z.enum(DEEP_ASSESSMENT_TYPES),
    title: z.string(),
    description: z.string(),
    version: z.number().int(),
    bracketKey: bracketKey.describe('The question set you would be served now'),
    questionCount: z.number().int(),
    score: score.nullable(),
    lastTaken: timestamp.nullable(),
    retakeAvailableAt: timestamp.nullable().describe('When you may take it again; null when you may now'),
  })
  .meta({ id: 'AssessmentSummary' })

export const growthSummary = z.object({
  baseScore: score.nullable(),
  strategyScore: score.nullable(),
  processScore: score.nullable(),
  technologyScore: score.nullable(),
  lastTaken: timestamp.nullable(),
})

export const assessmentCatalogueResponse = z.object({
  assessments: z.array(assessmentSummary),
  growth: growthSummary,
  overallScore: score.nullable(),
})

const publicOption = z.object({ value: z.string(), label: z.string() })
const publicQuestion = z.object({
  key: z.string(),
  type: z.enum(['select', 'multi_select', 'text_area', 'rank']),
  prompt: z.string(),
  help: z.string().optional(),
  required: z.boolean(),
  maxSelections: z.number().int().optional(),
  maxLength: z.number().int().optional(),
  options: z.array(publicOption).optional().describe('Least to most mature; scores are not disclosed'),
})
export const assessmentQuestions = assessmentSummary
  .extend({
    groups: z.array(
      z.object({
        key: z.string(),
        title: z.string(),
        description: z.string().optional(),
        questions: z.array(publicQuestion),
      }),
    ),
  })
  .meta({ id: 'AssessmentQuestions' })

export const submitAssessmentBody = z
  .object({
    answers: z
      .record(z.string().max(64), z.unknown())
      .describe(
        'Question key → option value (select), option values (multi_select; rank: every option, most important first) or text (text_area, ≤ 1,000 characters)',
      ),
    bracketKey: bracketKey
      .optional()
      .describe(
        'The bracket of the questions answered (from GET). If your bracket has changed since, the answer is 409 bracket_changed: fetch the questions again',
      ),
  })
  .strict()

export const submissionResult = z
  .object({
    id: z.uuid(),
    type: z.enum(DEEP_ASSESSMENT_TYPES),
    score,
    bracketKey: bracketKey.describe('The bracket the new score falls in'),
    bracketLabel: z.string().describe('Its one label ("Level 3.5"), the same in history and in the breakdown'),
    overallScore: score.nullable(),
    takenAt: timestamp,
  })
  .meta({ id: 'AssessmentSubmissionResult' })

export const historyQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) })
export const assessmentHistory = z.object({
  type: z.enum(DEEP_ASSESSMENT_TYPES),
  submissions: z.array(
    z.object({
      id: z.uuid(),
      score,
      bracketKey: bracketKey.describe('The bracket the score fell in'),
      bracketLabel: z.string().describe('Its one label ("Level 3.5"), as on the result page'),
      bracketServed: bracketKey.describe('The bracket whose questions were answered'),
      baseScoreAtTime: score.nullable(),
      answers: z.record(z.string(), z.unknown()),
      takenAt: timestamp,
    }),
  ),
})

export const scoresResponse = z
  .object({
    overallScore: score.nullable(),
    baseScore: score.nullable(),
    strategyScore: score.nullable(),
    processScore: score.nullable(),
    technologyScore: score.nullable(),
    growthLastTaken: timestamp.nullable(),
    assessments: z.record(
      z.enum(DEEP_ASSESSMENT_TYPES),
      z.object({ score: score.nullable(), lastTaken: timestamp.nullable() }),
    ),
  })
  .meta({ id: 'Scores' })

export const growthAssessmentBody = growthAnswersSchema
export type GrowthAssessmentBody = z.infer<typeof growthAssessmentBody>
export const growthAssessmentResult = z
  .object({
    id: z.uuid(),
    strategyScore: score,
    processScore: score,
    technologyScore: score,
    baseScore: score,
    overallScore: score.nullable(),
    takenAt: timestamp,
  })
  .meta({ id: 'GrowthAssessmentResult' })
