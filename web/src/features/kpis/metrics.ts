import { fmtMoney, fmtNumber, fmtPct } from '../../lib/format.ts'
import type { KpiMonth } from '../../api/types.ts'

/** The recorded KPIs, in the order of the form and the CSV. */
export const METRICS = [
  { key: 'revenue', label: 'Revenue', kind: 'money' },
  { key: 'costs', label: 'Costs', kind: 'money' },
  { key: 'customers', label: 'Customers', kind: 'count' },
  { key: 'newCustomers', label: 'New customers', kind: 'count' },
  { key: 'churnedCustomers', label: 'Churned customers', kind: 'count' },
  { key: 'leads', label: 'Leads', kind: 'count' },
  { key: 'cash', label: 'Cash', kind: 'money' },
] as const
export type MetricKey = (typeof METRICS)[number]['key']
/** What the charts can show: the recorded metrics and the derived churn rate. */
export type SeriesKey = MetricKey | 'churnRate'
export const SERIES: Array<{ key: SeriesKey; label: string }> = [
  ...METRICS.map((m) => ({ key: m.key, label: m.label })),
  { key: 'churnRate', label: 'Churn rate' },
]

export function formatMetric(key: string, v: number | null | undefined): string {
  if (v === null || v === undefined) return '—'
  if (key === 'churnRate') return fmtPct(v)
  return METRICS.find((m) => m.key === key)?.kind === 'money' ? fmtMoney(v) : fmtNumber(v)
}

export const labelOf = (key: string) => SERIES.find((s) => s.key === key)?.label ?? key

export const valueOf = (m: KpiMonth, key: SeriesKey): number | null => m[key]

/** `2026-03` in the reader's words: "March 2026". */
export const monthName = (m: string) => {
  const [y, mo] = m.split('-').map(Number)
  return new Date(y!, (mo ?? 1) - 1, 1).toLocaleDateString(undefined, { month: 'long', year: 'numeric' })
}
