import { z } from 'zod'
import type { AiFeature } from '../gateway/types.ts'
import { standingOf } from '../domain/advice/standing.ts'
import { actionsFor, fmt, industryFocus, label, levelWords } from './rules/advice.ts'
import { businessContext, dataBlock, DATA_SAFETY, excerpt, score15, textAnswers } from './shared.ts'

export const growthInsightsInput = z.object({
  answers: z.record(z.string(), z.unknown()),
  scores: z.object({ strategy: score15, process: score15, technology: score15 }),
  baseScore: score15.nullable(),
  context: businessContext,
})
export type GrowthInsightsInput = z.infer<typeof growthInsightsInput>

const areaInsight = z.object({ score: score15, insight: z.string().min(20).max(1200) })
export const growthInsightsOutput = z.object({
  strategy: areaInsight,
  process: areaInsight,
  technology: areaInsight,
  summary: z.string().min(20).max(1500),
  priorities: z.array(z.string().min(3).max(300)).min(1).max(3),
})
export type GrowthInsightsOutput = z.infer<typeof growthInsightsOutput>

const AREAS = ['strategy', 'process', 'technology'] as const

/** Strategy, process and technology insights from the growth assessment. */
export const growthInsights: AiFeature<GrowthInsightsInput, GrowthInsightsOutput> = {
  name: 'growth_insights',
  description: 'Strategy, process and technology scores (1–5) with an insight for each, from the growth assessment.',
  input: growthInsightsInput,
  output: growthInsightsOutput,
  prompt: {
    version: 'growth_insights@1',
    system: `You are a senior growth advisor for small and mid-sized businesses. From a growth assessment you write one concrete, specific insight per area (strategy, process, technology): what the answers show, why it matters, and the next step. For each area, return a score from 1 to 5; stay within half a point of the computed score unless the text answers clearly justify more. Add a two-sentence summary and up to three priorities. ${DATA_SAFETY}`,
    render: (input) =>
      [
        `Computed scores (1–5): strategy ${input.scores.strategy}, process ${input.scores.process}, technology ${input.scores.technology}; base score ${input.baseScore ?? 'unknown'}.`,
        `Business context: ${dataBlock('context', input.context)}`,
        `Assessment answers: ${dataBlock('answers', input.answers)}`,
      ].join('\n'),
  },
  route: 'default',
  temperature: 0.3,
  maxTokens: 1200,
  cacheTtlSeconds: 24 * 3600,
  rules(input) {
    const texts = textAnswers(input.answers)
    const ranked = [...AREAS].sort((a, b) => input.scores[a] - input.scores[b])
    // Strongest and weakest only as the rules engine classifies them (relative, level-aware).
    const standing = standingOf({ areas: input.scores, base: input.baseScore, overall: null })
    const isStrength = (area: string) => standing.strengths.some((a) => a.area === area)
    const isWeakness = (area: string) => standing.weaknesses.some((a) => a.area === area)
    const positionOf = (area: (typeof AREAS)[number]) =>
      isWeakness(area)
        ? area === ranked[0]
          ? 'your lowest area and the first place to invest'
          : 'below your other areas and worth investing in'
        : isStrength(area)
          ? area === ranked[2]
            ? 'your strongest area, to build on'
            : 'one of your stronger areas, to build on'
          : standing.balanced
            ? 'level with your other areas'
            : 'in the middle of your profile'
    const insight = (area: (typeof AREAS)[number]) => {
      const score = input.scores[area]
      const [first, second] = actionsFor(area, score)
      const position = positionOf(area)
      return {
        score,
        insight: `${label(area)} scores ${fmt(score)} (${levelWords(score)}), ${position}. ${first!.title}: ${first!.description}${second ? ` Then: ${second.title.toLowerCase()}.` : ''}`,
      }
    }
    const lowest = ranked[0]!
    const highest = ranked[2]!
    const summaryOf = () => {
      const low = `${label(lowest)} (${fmt(input.scores[lowest])})`
      const high = `${label(highest)} (${fmt(input.scores[highest])})`
      if (standing.balanced) return `Your three areas are level, from ${low} to ${high}: lift them together.`
      const holds = isWeakness(lowest) ? `${low} holds you back most` : `${low} has the most room to grow`
      return isStrength(highest)
        ? `${holds}, and ${high} is your strongest area.`
        : `${holds}; ${high} is your highest area but not yet a strength.`
    }
    const quoted = texts[0]
      ? ` You noted: "${excerpt(texts[0])}" — address that within the ${label(lowest).toLowerCase()} work.`
      : ''
    return {
      strategy: insight('strategy'),
      process: insight('process'),
      technology: insight('technology'),
      summary: `Your growth base score is ${fmt(input.baseScore)} (${levelWords(input.baseScore)}). ${summaryOf()} ${industryFocus(input.context.industry)}${quoted}`,
      priorities: ranked.map((area) => `${label(area)}: ${actionsFor(area, input.scores[area])[0]!.title}`),
    }
  },
}
