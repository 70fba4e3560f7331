import { z } from 'zod'
import type { AiFeature } from '../gateway/types.ts'
import { DATA_SAFETY, dataBlock } from './shared.ts'

/**
 * Narration of the KPI trends: every number (changes, forecasts, anomalies) is computed in code
 * (src/domain/analytics); the model only explains them. The rules fallback writes the same story
 * from the same numbers.
 */

export const kpiTrend = z.object({
  metric: z.string().max(40),
  label: z.string().max(60),
  months: z.number().int().min(0),
  last: z.object({ month: z.string(), value: z.number() }).nullable(),
  changeFromPrevious: z.number().nullable().describe('Relative change from the month before (0.05 = +5 %)'),
  changeFromYearAgo: z.number().nullable(),
  forecast: z
    .object({ month: z.string(), value: z.number(), lower95: z.number(), upper95: z.number(), method: z.string() })
    .nullable()
    .describe('The last forecast month'),
  forecastMissing: z.string().nullable().describe('Why there is no forecast'),
  anomalies: z.array(z.string().max(600)).max(5).describe('Explanations of the recent unusual months'),
  unit: z.enum(['money', 'count', 'rate']),
})
export type KpiTrend = z.infer<typeof kpiTrend>

export const kpiNarrativeInput = z.object({
  trends: z.array(kpiTrend).max(12),
  horizonMonths: z.number().int().min(1).max(24),
})
export type KpiNarrativeInput = z.infer<typeof kpiNarrativeInput>

export const kpiNarrativeOutput = z.object({
  summary: z.string().min(20).max(1500),
  trends: z
    .array(
      z.object({
        metric: z.string(),
        direction: z.enum(['up', 'down', 'flat', 'unknown']),
        sentence: z.string().min(5).max(500),
      }),
    )
    .max(12),
  watch: z.array(z.string().min(5).max(500)).max(5).describe('What to keep an eye on next'),
})
export type KpiNarrativeOutput = z.infer<typeof kpiNarrativeOutput>

function show(value: number, unit: KpiTrend['unit']): string {
  if (unit === 'rate') return `${(100 * value).toFixed(1)} %`
  const rounded = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100
  return rounded.toLocaleString('en-US')
}
const pct = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(Math.round(v * 1000) / 10)} %`

function direction(t: KpiTrend): 'up' | 'down' | 'flat' | 'unknown' {
  if (!t.last) return 'unknown'
  const change = t.forecast ? (t.forecast.value - t.last.value) / (Math.abs(t.last.value) || 1) : t.changeFromPrevious
  if (change === null) return 'unknown'
  return Math.abs(change) < 0.02 ? 'flat' : change > 0 ? 'up' : 'down'
}

/** The rules fallback: one sentence per KPI from the computed numbers. */
export function narrateKpis(input: KpiNarrativeInput): KpiNarrativeOutput {
  const recorded = input.trends.filter((t) => t.last !== null)
  if (recorded.length === 0) {
    return {
      summary:
        'No KPIs are recorded yet. Record a month (or import a CSV file) to see trends, forecasts and unusual months.',
      trends: [],
      watch: ['Record at least 6 consecutive months to get a forecast, and 24 for one that knows your seasons.'],
    }
  }
  const trends = recorded.map((t) => {
    const parts = [
      `${t.label[0]!.toUpperCase()}${t.label.slice(1)} was ${show(t.last!.value, t.unit)} in ${t.last!.month}`,
    ]
    if (t.changeFromPrevious !== null) parts.push(`${pct(t.changeFromPrevious)} on the month before`)
    if (t.changeFromYearAgo !== null) parts.push(`${pct(t.changeFromYearAgo)} on a year earlier`)
    let sentence = `${parts.join(', ')}.`
    if (t.forecast) {
      sentence += ` The ${t.forecast.method === 'holt_winters' ? 'seasonal ' : ''}forecast for ${t.forecast.month} is ${show(t.forecast.value, t.unit)} (95 % range ${show(t.forecast.lower95, t.unit)} to ${show(t.forecast.upper95, t.unit)}).`
    } else if (t.forecastMissing) sentence += ` No forecast yet: ${t.forecastMissing}`
    return { metric: t.metric, direction: direction(t), sentence: sentence.slice(0, 500) }
  })
  const rising = trends.filter((t) => t.direction === 'up').map((t) => t.metric)
  const falling = trends.filter((t) => t.direction === 'down').map((t) => t.metric)
  const label = (m: string) => recorded.find((t) => t.metric === m)!.label
  const summaryParts = [
    rising.length > 0 ? `Rising: ${rising.map(label).join(', ')}.` : '',
    falling.length > 0 ? `Falling: ${falling.map(label).join(', ')}.` : '',
    rising.length + falling.length === 0 ? 'Your KPIs are broadly flat.' : '',
  ].filter(Boolean)
  const watch: string[] = []
  const churn = recorded.find((t) => t.metric === 'churnRate')
  const revenue = recorded.find((t) => t.metric === 'revenue')
  const costs = recorded.find((t) => t.metric === 'costs')
  if (falling.includes('revenue'))
    watch.push('Revenue is heading down: check pipeline and pricing before the next month closes.')
  if (churn && direction(churn) === 'up')
    watch.push(`Churn is rising (${show(churn.last!.value, 'rate')} last month): talk to the customers who left.`)
  if (revenue?.last && costs?.last && costs.last.value > revenue.last.value)
    watch.push(
      `Costs (${show(costs.last.value, 'money')}) were above revenue (${show(revenue.last.value, 'money')}) in ${revenue.last.month}.`,
    )
  for (const t of recorded) for (const a of t.anomalies.slice(0, 1)) if (watch.length < 5) watch.push(a.slice(0, 500))
  return {
    summary:
      `${summaryParts.join(' ')} Based on ${Math.max(...recorded.map((t) => t.months))} recorded months; forecasts look ${input.horizonMonths} months ahead.`.slice(
        0,
        1500,
      ),
    trends,
    watch: watch.slice(0, 5),
  }
}

export const kpiNarrative: AiFeature<KpiNarrativeInput, KpiNarrativeOutput> = {
  name: 'kpi_narrative',
  description: 'Explains the KPI trends, forecasts (Holt / Holt–Winters) and anomalies computed in code.',
  input: kpiNarrativeInput,
  output: kpiNarrativeOutput,
  prompt: {
    version: 'kpi_narrative@1',
    system: `You explain a small business's monthly KPIs to its owner. For each KPI you get its last value, its change on the month before and on a year earlier, a statistical forecast with a 95 % range (or why there is none) and explanations of unusual months; all were computed by code: never change or invent numbers. Write a short summary, one sentence per KPI with its direction (up, down, flat, unknown), and up to five things to watch. ${DATA_SAFETY}`,
    render: (input) => `KPIs: ${dataBlock('kpis', input)}`,
  },
  route: 'default',
  temperature: 0.3,
  maxTokens: 900,
  cacheTtlSeconds: 3600,
  rules: narrateKpis,
}
