import { sql } from 'drizzle-orm'
import type { Anomaly } from '../../domain/analytics/anomalies.ts'
import type { KpiMonth } from '../../domain/analytics/kpis.ts'
import type { NewEvent } from '../../contracts/events.ts'
import { rows, type Executor } from '../db.ts'
import { appendEvents } from './events.ts'
import { numOrNull as num } from '../row-values.ts'

/** KPI months and the anomalies found in them. Months are stored as the first day of the month. */

type MonthRow = {
  month: string
  revenue: string | null
  costs: string | null
  customers: number | null
  new_customers: number | null
  churned_customers: number | null
  leads: number | null
  cash: string | null
  updated_at: string | Date
}

function toMonth(row: MonthRow): KpiMonth & { updatedAt: string } {
  return {
    month: row.month,
    revenue: num(row.revenue),
    costs: num(row.costs),
    customers: row.customers,
    newCustomers: row.new_customers,
    churnedCustomers: row.churned_customers,
    leads: row.leads,
    cash: num(row.cash),
    updatedAt: new Date(row.updated_at).toISOString(),
  }
}

/** Insert or replace whole months (a month written again is replaced, metrics left out become null). */
export async function upsertKpiMonths(tx: Executor, userId: string, months: readonly KpiMonth[]): Promise<number> {
  if (months.length === 0) return 0
  const values = months.map(
    (
      m,
    ) => sql`(${userId}::uuid, ${`${m.month}-01`}::date, ${m.revenue}::numeric, ${m.costs}::numeric, ${m.customers}::integer, ${m.newCustomers}::integer,
      ${m.churnedCustomers}::integer, ${m.leads}::integer, ${m.cash}::numeric)`,
  )
  const written = await rows<{ n: string | number }>(
    tx,
    sql`with w as (
          insert into kpi_months (user_id, month, revenue, costs, customers, new_customers, churned_customers, leads, cash)
          values ${sql.join(values, sql`, `)}
          on conflict (user_id, month) do update set revenue = excluded.revenue, costs = excluded.costs, customers = excluded.customers,
            new_customers = excluded.new_customers, churned_customers = excluded.churned_customers, leads = excluded.leads,
            cash = excluded.cash, updated_at = now()
          returning 1
        ) select count(*) as n from w`,
  )
  return Number(written[0]?.n ?? 0)
}

/** Every recorded month of one user, oldest first. */
export async function listKpiMonths(tx: Executor, userId: string): Promise<Array<KpiMonth & { updatedAt: string }>> {
  const list = await rows<MonthRow>(
    tx,
    sql`select to_char(month, 'YYYY-MM') as month, revenue, costs, customers, new_customers, churned_customers, leads, cash, updated_at
        from kpi_months where user_id = ${userId} order by month`,
  )
  return list.map(toMonth)
}

export type FoundAnomaly = Anomaly & { metric: string }
export type StoredAnomaly = FoundAnomaly & { id: string; detectedAt: string }

/**
 * Record anomalies; those not recorded before (same metric, month and kind) are inserted and
 * announced as `kpi.anomaly` events in the same statement. Returns the new ones.
 */
export async function recordKpiAnomalies(
  tx: Executor,
  userId: string,
  found: readonly FoundAnomaly[],
): Promise<StoredAnomaly[]> {
  if (found.length === 0) return []
  const values = found.map(
    (
      a,
    ) => sql`(${userId}::uuid, ${a.metric}, ${`${a.month}-01`}::date, ${a.kind}, ${a.direction}, ${a.value}::float8, ${a.expected}::float8,
      ${a.lower}::float8, ${a.upper}::float8, ${a.score}::float8, ${a.explanation})`,
  )
  const inserted = await rows<{ id: string; metric: string; month: string; kind: string; detected_at: string | Date }>(
    tx,
    sql`insert into kpi_anomalies (user_id, metric, month, kind, direction, value, expected, lower_bound, upper_bound, score, explanation)
        values ${sql.join(values, sql`, `)}
        on conflict (user_id, metric, month, kind) do nothing
        returning id, metric, to_char(month, 'YYYY-MM') as month, kind, detected_at`,
  )
  if (inserted.length === 0) return []
  const stored: StoredAnomaly[] = inserted.map((row) => {
    const a = found.find((f) => f.metric === row.metric && f.month === row.month && f.kind === row.kind)!
    return { ...a, id: row.id, detectedAt: new Date(row.detected_at).toISOString() }
  })
  const events: NewEvent<'kpi.anomaly'>[] = stored.map((a) => ({
    type: 'kpi.anomaly',
    userId,
    payload: {
      anomalyId: a.id,
      metric: a.metric,
      month: a.month,
      kind: a.kind,
      direction: a.direction,
      value: a.value,
      expected: a.expected,
      lower: a.lower,
      upper: a.upper,
      explanation: a.explanation,
    },
  }))
  await appendEvents(tx, events)
  return stored
}

/** Anomalies recorded for one user, newest month first. */
export async function listKpiAnomalies(tx: Executor, userId: string): Promise<StoredAnomaly[]> {
  const list = await rows<{
    id: string
    metric: string
    month: string
    kind: Anomaly['kind']
    direction: Anomaly['direction']
    value: number
    expected: number
    lower_bound: number
    upper_bound: number
    score: number
    explanation: string
    detected_at: string | Date
  }>(
    tx,
    sql`select id, metric, to_char(month, 'YYYY-MM') as month, kind, direction, value, expected, lower_bound, upper_bound, score, explanation, detected_at
        from kpi_anomalies where user_id = ${userId} order by month desc, metric`,
  )
  return list.map((r) => ({
    id: r.id,
    metric: r.metric,
    month: r.month,
    kind: r.kind,
    direction: r.direction,
    value: Number(r.value),
    expected: Number(r.expected),
    lower: Number(r.lower_bound),
    upper: Number(r.upper_bound),
    score: Number(r.score),
    explanation: r.explanation,
    detectedAt: new Date(r.detected_at).toISOString(),
  }))
}
