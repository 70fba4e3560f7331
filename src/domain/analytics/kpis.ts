import { z } from 'zod'
import { monthIndex, monthKey, type MonthKey, type MonthlyPoint } from './months.ts'

/**
 * The monthly KPIs a business records, their rules, and the series derived from them
 * (churn rate). A month is one row; any metric may be left out (null), the month may not.
 */

export const KPI_METRICS = [
  'revenue',
  'costs',
  'customers',
  'newCustomers',
  'churnedCustomers',
  'leads',
  'cash',
] as const
export type KpiMetric = (typeof KPI_METRICS)[number]
/** Series that can be forecast or scanned: the recorded metrics plus derived ones. */
export const SERIES_METRICS = [...KPI_METRICS, 'churnRate'] as const
export type SeriesMetric = (typeof SERIES_METRICS)[number]

/** How each metric reads in sentences, how its CSV column is spelled, and its bounds. */
export const METRIC_INFO: Record<
  SeriesMetric,
  { label: string; column: string; integer: boolean; min: number | null; max: number | null }
> = {
  revenue: { label: 'revenue', column: 'revenue', integer: false, min: 0, max: null },
  costs: { label: 'costs', column: 'costs', integer: false, min: 0, max: null },
  customers: { label: 'customers', column: 'customers', integer: true, min: 0, max: null },
  newCustomers: { label: 'new customers', column: 'new_customers', integer: true, min: 0, max: null },
  churnedCustomers: { label: 'churned customers', column: 'churned_customers', integer: true, min: 0, max: null },
  leads: { label: 'leads', column: 'leads', integer: true, min: 0, max: null },
  cash: { label: 'cash', column: 'cash', integer: false, min: null, max: null },
  churnRate: { label: 'churn rate', column: 'churn_rate', integer: false, min: 0, max: 1 },
}

const MAX_AMOUNT = 1e13
const amount = z.number().finite().min(0).max(MAX_AMOUNT)
const count = z.number().int().min(0).max(1e9)

/** One month of KPIs as the API takes it. */
export const kpiMonthSchema = z
  .object({
    month: monthKey,
    revenue: amount.nullable().optional(),
    costs: amount.nullable().optional(),
    customers: count.nullable().optional(),
    newCustomers: count.nullable().optional(),
    churnedCustomers: count.nullable().optional(),
    leads: count.nullable().optional(),
    cash: z.number().finite().min(-MAX_AMOUNT).max(MAX_AMOUNT).nullable().optional(),
  })
  .strict()
  .refine((m) => KPI_METRICS.some((k) => m[k] !== undefined && m[k] !== null), {
    message: 'record at least one metric for the month',
    path: ['revenue'],
  })
export type KpiMonthInput = z.infer<typeof kpiMonthSchema>

/** A stored month: every metric present, null when not recorded. */
export type KpiMonth = { month: MonthKey } & Record<KpiMetric, number | null>

export function normalizeMonth(input: KpiMonthInput): KpiMonth {
  const out = { month: input.month } as KpiMonth
  for (const k of KPI_METRICS) out[k] = input[k] ?? null
  return out
}

/**
 * Monthly churn rate: customers lost in a month over the customers at its start. The start is the
 * previous month's closing count when that month is recorded, otherwise closing − new + churned.
 */
export function churnRates(months: readonly KpiMonth[]): MonthlyPoint[] {
  const sorted = [...months].sort((a, b) => monthIndex(a.month) - monthIndex(b.month))
  const out: MonthlyPoint[] = []
  sorted.forEach((m, i) => {
    if (m.churnedCustomers === null) return
    const prev = sorted[i - 1]
    const start =
      prev && monthIndex(prev.month) === monthIndex(m.month) - 1 && prev.customers !== null
        ? prev.customers
        : m.customers !== null
          ? m.customers - (m.newCustomers ?? 0) + m.churnedCustomers
          : null
    if (start === null || start <= 0) return
    out.push({ month: m.month, value: Math.min(1, m.churnedCustomers / start) })
  })
  return out
}

/** One metric's series from stored months (months where it was not recorded are left out). */
export function seriesOf(months: readonly KpiMonth[], metric: SeriesMetric): MonthlyPoint[] {
  if (metric === 'churnRate') return churnRates(months)
  return months.filter((m) => m[metric] !== null).map((m) => ({ month: m.month, value: m[metric]! }))
}
