import { z } from 'zod'
import { kpiMonthSchema, SERIES_METRICS } from '../domain/analytics/kpis.ts'

/** KPI tracking: months in, forecasts and anomalies out. */

export { kpiMonthSchema as kpiMonthRequest }

const money = z.number().nullable()
const count = z.number().int().nullable()

export const kpiMonthView = z
  .object({
    month: z.string().describe('YYYY-MM'),
    revenue: money,
    costs: money,
    customers: count,
    newCustomers: count,
    churnedCustomers: count,
    leads: count,
    cash: money,
    churnRate: z.number().nullable().describe('Churned customers over customers at the start of the month (0–1)'),
    updatedAt: z.string(),
  })
  .meta({ id: 'KpiMonth' })

export const kpiAnomaly = z
  .object({
    id: z.uuid().optional(),
    metric: z.string(),
    month: z.string(),
    kind: z.enum(['spike', 'dip', 'level_shift']),
    direction: z.enum(['up', 'down']),
    value: z.number(),
    expected: z.number(),
    lower: z.number().describe('Lower end of the expected range'),
    upper: z.number().describe('Upper end of the expected range'),
    score: z.number().describe('Distance from the expectation in noise units'),
    explanation: z.string(),
    detectedAt: z.string().optional(),
  })
  .meta({ id: 'KpiAnomaly' })

export const recordKpiResponse = z.object({
  month: kpiMonthView.omit({ churnRate: true, updatedAt: true }),
  newAnomalies: z.array(kpiAnomaly),
})

export const importKpiResponse = z.object({
  imported: z.number().int(),
  months: z.object({ from: z.string(), to: z.string() }),
  newAnomalies: z.array(kpiAnomaly),
})

export const kpiListResponse = z.object({ months: z.array(kpiMonthView) })

/** Query spelling of the series: snake_case as in the CSV, camelCase accepted. */
const METRIC_ALIASES: Record<string, (typeof SERIES_METRICS)[number]> = {}
for (const m of SERIES_METRICS) {
  METRIC_ALIASES[m] = m
  METRIC_ALIASES[m.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = m
}
export const seriesMetric = z
  .string()
  .transform((v, ctx) => {
    // Own keys only: `valueOf` or `constructor` must not find Object.prototype.
    const m = Object.hasOwn(METRIC_ALIASES, v) ? METRIC_ALIASES[v] : undefined
    if (!m) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown metric; one of ${Object.keys(METRIC_ALIASES)
          .filter((k) => k === k.toLowerCase())
          .join(', ')}`,
      })
      return z.NEVER
    }
    return m
  })
  .describe('revenue, costs, customers, new_customers, churned_customers, leads, cash or churn_rate')

export const forecastQuery = z.object({
  metric: seriesMetric.default('revenue'),
  months: z.coerce.number().int().min(1).max(24).default(6).describe('Months ahead (1–24)'),
})

const forecastPoint = z.object({
  month: z.string(),
  value: z.number(),
  lower80: z.number(),
  upper80: z.number(),
  lower95: z.number(),
  upper95: z.number(),
})

export const seriesForecast = z
  .discriminatedUnion('status', [
    z.object({
      status: z.literal('ok'),
      method: z.enum(['holt_winters', 'damped_trend']),
      history: z.object({ months: z.number().int(), from: z.string(), to: z.string() }),
      params: z.object({ alpha: z.number(), beta: z.number(), phi: z.number(), gamma: z.number() }),
      residualStdError: z.number(),
      trendPerMonth: z.number(),
      points: z.array(forecastPoint),
      backtest: z
        .object({
          holdout: z.number().int(),
          method: z.enum(['holt_winters', 'damped_trend']),
          mae: z.number(),
          mape: z.number().nullable(),
          naiveMae: z.number(),
          coverage95: z.number(),
        })
        .nullable()
        .describe('Refit without the last months and scored on them'),
      notes: z.array(z.string()),
    }),
    z.object({
      status: z.literal('insufficient_history'),
      have: z.number().int(),
      need: z.number().int(),
      gaps: z.array(z.string()),
      missing: z.string().describe('What is missing, in words'),
    }),
  ])
  .meta({ id: 'SeriesForecast' })

export const forecastResponse = z.object({ metric: z.string(), forecast: seriesForecast })

export const churnQuery = z.object({ months: z.coerce.number().int().min(1).max(24).default(6) })
export const churnResponse = z.object({
  rates: z.array(z.object({ month: z.string(), rate: z.number() })),
  latest: z.number().nullable(),
  averageLast12: z.number().nullable(),
  forecast: seriesForecast,
})

export const anomaliesQuery = z.object({ metric: seriesMetric.optional() })

const anomalyScan = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ok'),
    months: z.number().int(),
    seasonallyAdjusted: z.boolean(),
    noise: z.number(),
    anomalies: z.array(kpiAnomaly.omit({ metric: true })),
    notes: z.array(z.string()),
  }),
  z.object({
    status: z.literal('insufficient_history'),
    have: z.number().int(),
    need: z.number().int(),
    gaps: z.array(z.string()),
    missing: z.string(),
  }),
])

export const anomaliesResponse = z.object({
  scans: z.array(z.object({ metric: z.string(), scan: anomalyScan })),
  recorded: z.array(kpiAnomaly).describe('Anomalies found so far, each announced once as a kpi.anomaly event'),
})

export const narrativeQuery = z.object({
  months: z.coerce.number().int().min(1).max(24).default(6).describe('Forecast horizon the narrative looks at'),
})

export const kpiNarrativeResponse = z
  .object({
    summary: z.string(),
    trends: z.array(
      z.object({ metric: z.string(), direction: z.enum(['up', 'down', 'flat', 'unknown']), sentence: z.string() }),
    ),
    watch: z.array(z.string()),
    provider: z.string().describe('"rules" when the deterministic engine answered'),
    requestId: z.string(),
    generatedAt: z.string(),
  })
  .meta({ id: 'KpiNarrative' })
