import { z } from 'zod'
import { bracketLabel } from '../domain/assessments/breakdown.ts'
import { BRACKETS, type BracketKey } from '../domain/assessments/config-schema.ts'
import { ownerPhrase, timeframePhrase } from '../domain/advice/words.ts'
import { AREA_LABELS, type ScoreArea } from '../domain/growth/scores.ts'
import type { AiFeature } from '../gateway/types.ts'
import { actionsFor, fmt, industryFocus, levelWords } from './rules/advice.ts'
import {
  businessContext,
  dataBlock,
  DATA_SAFETY,
  excerpt,
  priority,
  score15,
  scoreArea,
  textAnswers,
} from './shared.ts'

export const assessmentAnalysisInput = z.object({
  type: scoreArea,
  score: score15,
  bracket: z.string().nullish(),
  answers: z.record(z.string(), z.unknown()),
  overall: score15.nullable(),
  context: businessContext,
})
export type AssessmentAnalysisInput = z.infer<typeof assessmentAnalysisInput>

export const assessmentAnalysisOutput = z.object({
  summary: z.string().min(20).max(1500),
  insights: z.array(z.string().min(10).max(600)).min(2).max(5),
  recommendations: z
    .array(z.object({ title: z.string().min(3).max(200), description: z.string().min(10).max(800), priority }))
    .min(2)
    .max(5),
})
export type AssessmentAnalysisOutput = z.infer<typeof assessmentAnalysisOutput>

/** Insights and recommendations for one assessment submission (runs as a queued task). */
export const assessmentAnalysis: AiFeature<AssessmentAnalysisInput, AssessmentAnalysisOutput> = {
  name: 'assessment_analysis',
  description: 'Per-assessment insights and recommendations after a submission.',
  input: assessmentAnalysisInput,
  output: assessmentAnalysisOutput,
  prompt: {
    version: 'assessment_analysis@1',
    system: `You analyse one completed business assessment. From the score (1–5), the answers and the business context, write a short summary, 2–5 specific insights grounded in the answers, and 2–5 prioritised recommendations ({title, description, priority}). Quote or paraphrase the user's own text answers where they explain a problem. ${DATA_SAFETY}`,
    render: (input) =>
      [
        `Assessment: ${input.type}; score ${input.score}; bracket ${input.bracket ?? 'n/a'}; overall score ${input.overall ?? 'n/a'}.`,
        `Answers: ${dataBlock('answers', input.answers)}`,
        `Business context: ${dataBlock('context', input.context)}`,
      ].join('\n'),
  },
  route: 'default',
  temperature: 0.3,
  maxTokens: 1200,
  cacheTtlSeconds: 0,
  rules(input) {
    const name = AREA_LABELS[input.type as ScoreArea]
    const actions = actionsFor(input.type, input.score)
    const texts = textAnswers(input.answers)
    const answered = Object.keys(input.answers).length
    const relative =
      input.overall === null
        ? ''
        : input.score < input.overall - 0.25
          ? `, below your overall score of ${fmt(input.overall)} — a drag on the whole business`
          : input.score > input.overall + 0.25
            ? input.score >= 3
              ? `, above your overall score of ${fmt(input.overall)} — a strength to build on`
              : `, above your overall score of ${fmt(input.overall)} though still ${levelWords(input.score)}`
            : `, in line with your overall score of ${fmt(input.overall)}`
    const insights = [
      `${name} scores ${fmt(input.score)} (${levelWords(input.score)})${relative}.`,
      `Based on ${answered} answer${answered === 1 ? '' : 's'}${input.bracket ? ` to the ${bracketName(input.bracket)} questions` : ''}; the recommendations below fit this maturity level.`,
      ...texts.slice(0, 2).map((t) => `You wrote: "${excerpt(t)}" — the first recommendation addresses this directly.`),
      industryFocus(input.context.industry),
    ].slice(0, 5)
    return {
      summary: `${name}: ${fmt(input.score)} out of 5, ${levelWords(input.score)}. Start with "${actions[0]!.title}" (${actions[0]!.timeframe}).`,
      insights,
      recommendations: actions.slice(0, 3).map((a, i) => ({
        title: a.title,
        description: `${a.description} ${capitalize(ownerPhrase(a.owner))}, ${timeframePhrase(a.timeframe)}.`,
        priority: i === 0 ? 'high' : a.impact === 'high' ? 'high' : 'medium',
      })),
    }
  },
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
/** "Level 2.5" for a bracket key; other text as it is. */
const bracketName = (bracket: string) =>
  (BRACKETS as readonly string[]).includes(bracket) ? bracketLabel(bracket as BracketKey) : bracket
