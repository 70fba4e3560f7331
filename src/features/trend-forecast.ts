import { z } from 'zod'
import { scoreForecast } from '../contracts/advice.ts'
import { areaLabel, formatScore } from '../domain/advice/words.ts'
import { SCORE_AREAS, type ScoreArea } from '../domain/growth/scores.ts'
import type { AiFeature } from '../gateway/types.ts'
import { DATA_SAFETY, dataBlock } from './shared.ts'

export const trendForecastInput = z.object({
  overall: scoreForecast,
  areas: z.array(z.object({ area: z.string(), forecast: scoreForecast })),
  industry: z.string().nullish(),
})
export type TrendForecastInput = z.infer<typeof trendForecastInput>

export const trendForecastOutput = z.object({
  narrative: z.string().min(20).max(1500),
  outlook: z.enum(['improving', 'stable', 'declining', 'insufficient_data']),
  highlights: z.array(z.string().min(5).max(400)).min(1).max(4),
})
export type TrendForecastOutput = z.infer<typeof trendForecastOutput>

const nameOf = (area: string) =>
  (SCORE_AREAS as readonly string[]).includes(area) ? areaLabel(area as ScoreArea) : area
const signed = (v: number) => `${v > 0 ? '+' : ''}${v.toFixed(2)}`

/** Narration of the statistical forecast; the numbers are computed in code, never by the model. */
export const trendForecast: AiFeature<TrendForecastInput, TrendForecastOutput> = {
  name: 'trend_forecast',
  description:
    'Narrates the statistical forecast (damped-trend Holt with prediction intervals and a backtest) of the overall and per-area scores, or what is missing before one can be made.',
  input: trendForecastInput,
  output: trendForecastOutput,
  prompt: {
    version: 'trend_forecast@2',
    system: `You explain a statistical forecast of business-maturity scores (1–5) to a business owner. The values, intervals and backtest errors were computed by a damped-trend model on their assessment history; do not change or invent numbers. When a series has status "insufficient_data", say plainly what is missing (its message) and do not guess a direction. Otherwise say where the overall score is heading, how certain that is (interval width, number of assessments, backtest error against the naive forecast), and which areas rise or fall. Return a narrative, an outlook, and 1–4 highlights. ${DATA_SAFETY}`,
    render: (input) => `Forecast: ${dataBlock('forecast', input)}`,
  },
  route: 'default',
  temperature: 0.3,
  maxTokens: 700,
  cacheTtlSeconds: 24 * 3600,
  rules(input) {
    const o = input.overall
    if (o.status === 'insufficient_data') {
      return {
        narrative: o.last
          ? `There is no forecast yet. ${o.message} Your latest overall score is ${formatScore(o.last.score)}.`
          : `There is no score history yet, so there is nothing to forecast. ${o.message}`,
        outlook: 'insufficient_data',
        highlights: [o.message],
      }
    }
    const next = o.forecast.find((p) => p.horizonDays === 90) ?? o.forecast[0]!
    const direction =
      o.trend === 'stable'
        ? 'holding steady'
        : o.trend === 'improving'
          ? `rising about ${o.trendPerMonth.toFixed(2)} points a month`
          : `falling about ${Math.abs(o.trendPerMonth).toFixed(2)} points a month`
    const pct = Math.round(o.intervalLevel * 100)
    const backtest = o.backtest
      ? ` Checked against your own history, it missed by ${o.backtest.mae.toFixed(2)} points on average (assuming no change missed by ${o.backtest.naiveMae.toFixed(2)}).`
      : ' There is not yet enough history to check it against past assessments.'
    const movers = input.areas
      .flatMap((a) =>
        a.forecast.status === 'ok' && a.forecast.trend !== 'stable' ? [{ area: a.area, f: a.forecast }] : [],
      )
      .sort((a, b) => Math.abs(b.f.trendPerMonth) - Math.abs(a.f.trendPerMonth))
    const highlights = [
      `Overall: ${formatScore(o.last.score)} now, about ${next.value.toFixed(1)} in ${next.horizonDays} days (${pct} % range ${next.lower.toFixed(1)}–${next.upper.toFixed(1)}).`,
      ...movers.slice(0, 2).map((m) => `${nameOf(m.area)} is ${m.f.trend} (${signed(m.f.trendPerMonth)} per month).`),
    ]
    return {
      narrative: `Your overall score is ${direction}, from ${formatScore(o.last.score)} to about ${next.value.toFixed(1)} in ${next.horizonDays} days, based on ${o.submissions} assessments over ${o.spanDays} days; the ${pct} % range is ${next.lower.toFixed(1)}–${next.upper.toFixed(1)}.${backtest}`,
      outlook: o.trend,
      highlights: highlights.slice(0, 4),
    }
  },
}
