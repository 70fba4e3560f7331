import { z } from 'zod'
import type { AiFeature } from '../gateway/types.ts'
import { fmt } from './rules/advice.ts'
import { DATA_SAFETY, dataBlock } from './shared.ts'

const forecastPoint = z.object({
  horizonDays: z.number(),
  at: z.string(),
  value: z.number(),
  lower: z.number(),
  upper: z.number(),
})
export const seriesSummary = z.object({
  area: z.string(),
  method: z.enum(['none', 'naive', 'two_point', 'linear_regression']),
  points: z.number().int(),
  lastScore: z.number().nullable(),
  slopePerMonth: z.number(),
  trend: z.enum(['improving', 'stable', 'declining', 'unknown']),
  forecast: z.array(forecastPoint),
})
export type SeriesSummary = z.infer<typeof seriesSummary>

export const trendForecastInput = z.object({
  overall: seriesSummary,
  areas: z.array(seriesSummary),
  industry: z.string().nullish(),
})
export type TrendForecastInput = z.infer<typeof trendForecastInput>

export const trendForecastOutput = z.object({
  narrative: z.string().min(20).max(1500),
  outlook: z.enum(['improving', 'stable', 'declining', 'insufficient_data']),
  highlights: z.array(z.string().min(5).max(400)).min(1).max(4),
})
export type TrendForecastOutput = z.infer<typeof trendForecastOutput>

const at90 = (s: SeriesSummary) => s.forecast.find((p) => p.horizonDays === 90) ?? s.forecast[0]

/** Narration of the statistical forecast; the numbers are computed in code, never by the model. */
export const trendForecast: AiFeature<TrendForecastInput, TrendForecastOutput> = {
  name: 'trend_forecast',
  description:
    'Narrates the statistical forecast (regression with prediction intervals) of the overall and per-area scores.',
  input: trendForecastInput,
  output: trendForecastOutput,
  prompt: {
    version: 'trend_forecast@1',
    system: `You explain a statistical forecast of business-maturity scores (1–5) to a business owner. The forecast values and 95 % intervals were computed by a regression on their assessment history; do not change or invent numbers. Say where the overall score is heading, how certain that is (interval width, number of data points), and which areas rise or fall. Return a narrative, an outlook, and 1–4 highlights. ${DATA_SAFETY}`,
    render: (input) => `Forecast: ${dataBlock('forecast', input)}`,
  },
  route: 'default',
  temperature: 0.3,
  maxTokens: 700,
  cacheTtlSeconds: 24 * 3600,
  rules(input) {
    const o = input.overall
    if (o.method === 'none') {
      return {
        narrative:
          'There is no score history yet, so there is nothing to forecast. Complete the growth assessment and a deep assessment to start your trend.',
        outlook: 'insufficient_data',
        highlights: ['No assessments completed yet.'],
      }
    }
    const next = at90(o)!
    const certainty =
      o.points < 3
        ? `With only ${o.points} data point${o.points === 1 ? '' : 's'}, the range is wide and driven by a prior, not your history`
        : `From ${o.points} data points, the 95 % range is ${next.lower.toFixed(1)}–${next.upper.toFixed(1)}`
    const direction =
      o.trend === 'stable'
        ? 'holding steady'
        : o.trend === 'improving'
          ? `rising about ${o.slopePerMonth.toFixed(2)} points a month`
          : `falling about ${Math.abs(o.slopePerMonth).toFixed(2)} points a month`
    const movers = input.areas
      .filter((a) => a.points >= 2 && a.trend !== 'stable' && a.trend !== 'unknown')
      .sort((a, b) => Math.abs(b.slopePerMonth) - Math.abs(a.slopePerMonth))
    const highlights = [
      `Overall: ${fmt(o.lastScore)} now, about ${next.value.toFixed(1)} in ${next.horizonDays} days (${next.lower.toFixed(1)}–${next.upper.toFixed(1)}).`,
      ...movers
        .slice(0, 2)
        .map(
          (a) => `${a.area} is ${a.trend} (${a.slopePerMonth > 0 ? '+' : ''}${a.slopePerMonth.toFixed(2)} per month).`,
        ),
    ]
    if (o.points < 3) highlights.push('Reassess in 30–90 days to turn the estimate into a measured trend.')
    return {
      narrative: `Your overall score is ${direction}, from ${fmt(o.lastScore)} today to about ${next.value.toFixed(1)} in ${next.horizonDays} days. ${certainty}.`,
      outlook: o.points < 2 ? 'insufficient_data' : o.trend === 'unknown' ? 'insufficient_data' : o.trend,
      highlights: highlights.slice(0, 4),
    }
  },
}
