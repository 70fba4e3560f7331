import { z } from 'zod'
import { DEEP_ASSESSMENT_TYPES } from './types.ts'

/**
 * The shape of a deep assessment's JSON config (`configs/<type>.json`), validated at start-up
 * and in tests. One question set per maturity bracket; each set is ordered groups (steps) of
 * questions; options are listed from least to most mature and carry a score from 1 to 5.
 */

/** The nine maturity brackets: `score_1` serves overall scores in [1, 1.5), … `score_5` serves 5. */
export const BRACKETS = [
  'score_1',
  'score_1_5',
  'score_2',
  'score_2_5',
  'score_3',
  'score_3_5',
  'score_4',
  'score_4_5',
  'score_5',
] as const
export type BracketKey = (typeof BRACKETS)[number]

const key = z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, 'must be snake_case (a-z, 0-9, _), 2–64 characters')

export const optionSchema = z
  .object({
    value: key,
    label: z.string().min(1).max(300),
    score: z.number().min(1).max(5),
  })
  .strict()

export const questionSchema = z
  .object({
    key,
    type: z.enum(['select', 'multi_select', 'text_area', 'rank']),
    prompt: z.string().min(5).max(500),
    help: z.string().max(500).optional(),
    required: z.boolean().default(true),
    weight: z.number().positive().max(5).default(1),
    options: z.array(optionSchema).min(2).max(12).optional(),
    /** multi_select only: the most options a user may pick. */
    maxSelections: z.number().int().min(1).optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    const needsOptions = q.type !== 'text_area'
    if (needsOptions && !q.options)
      ctx.addIssue({ code: 'custom', message: `${q.type} question needs options`, path: ['options'] })
    if (!needsOptions && q.options)
      ctx.addIssue({ code: 'custom', message: 'text_area question takes no options', path: ['options'] })
    if (q.options) {
      const values = q.options.map((o) => o.value)
      const dup = values.find((v, i) => values.indexOf(v) !== i)
      if (dup) ctx.addIssue({ code: 'custom', message: `duplicate option value "${dup}"`, path: ['options'] })
      const scores = q.options.map((o) => o.score)
      if (q.type === 'select' && scores.some((s, i) => i > 0 && s < scores[i - 1]!)) {
        ctx.addIssue({
          code: 'custom',
          message: 'select options must be ordered from least to most mature (non-decreasing score)',
          path: ['options'],
        })
      }
    }
    if (q.maxSelections !== undefined && q.type !== 'multi_select')
      ctx.addIssue({ code: 'custom', message: 'maxSelections is for multi_select only', path: ['maxSelections'] })
  })

export const groupSchema = z
  .object({
    key,
    title: z.string().min(1).max(120),
    description: z.string().max(500).optional(),
    questions: z.array(questionSchema).min(1, 'a group needs at least one question'),
  })
  .strict()

export const questionSetSchema = z.object({ groups: z.array(groupSchema).min(1) }).strict()

export const assessmentConfigSchema = z
  .object({
    type: z.enum(DEEP_ASSESSMENT_TYPES),
    title: z.string().min(1).max(120),
    description: z.string().min(1).max(600),
    version: z.number().int().min(1),
    brackets: z
      .object(
        Object.fromEntries(BRACKETS.map((b) => [b, questionSetSchema])) as Record<BracketKey, typeof questionSetSchema>,
      )
      .strict(),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const bracket of BRACKETS) {
      const set = config.brackets[bracket]
      const groupKeys = set.groups.map((g) => g.key)
      const questionKeys = set.groups.flatMap((g) => g.questions.map((q) => q.key))
      for (const [kind, keys] of [
        ['group', groupKeys],
        ['question', questionKeys],
      ] as const) {
        const dup = keys.find((k, i) => keys.indexOf(k) !== i)
        if (dup)
          ctx.addIssue({
            code: 'custom',
            message: `duplicate ${kind} key "${dup}" in ${bracket}`,
            path: ['brackets', bracket],
          })
      }
      if (!set.groups.some((g) => g.questions.some((q) => q.type !== 'text_area'))) {
        ctx.addIssue({ code: 'custom', message: `${bracket} has no scored question`, path: ['brackets', bracket] })
      }
    }
  })

export type AssessmentConfig = z.infer<typeof assessmentConfigSchema>
export type QuestionSet = z.infer<typeof questionSetSchema>
export type Question = z.infer<typeof questionSchema>
export type QuestionOption = z.infer<typeof optionSchema>
