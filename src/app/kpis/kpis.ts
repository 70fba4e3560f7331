import { CsvError, parse } from 'csv-parse/sync'
import type { Claims, Database, Executor } from '../../data/db.ts'
import {
  listKpiAnomalies,
  listKpiMonths,
  recordKpiAnomalies,
  upsertKpiMonths,
  type FoundAnomaly,
  type StoredAnomaly,
} from '../../data/repositories/kpis.ts'
import { detectAnomalies, type AnomalyScan } from '../../domain/analytics/anomalies.ts'
import { validateKpiRows, type CsvIssue, type CsvRecord } from '../../domain/analytics/csv-rows.ts'
import { forecastMonthly, type SeriesForecast } from '../../domain/analytics/forecast.ts'
import {
  churnRates,
  METRIC_INFO,
  normalizeMonth,
  seriesOf,
  SERIES_METRICS,
  type KpiMonth,
  type KpiMonthInput,
  type SeriesMetric,
} from '../../domain/analytics/kpis.ts'
import { OptimaliqError } from '../../errors.ts'
import { kpiNarrative, type KpiNarrativeInput, type KpiTrend } from '../../features/kpi-narrative.ts'
import { runFeature } from '../../features/run.ts'
import type { AiCaller, AiClient } from '../../gateway/types.ts'
import { addMonths } from '../../domain/analytics/months.ts'

/**
 * KPI tracking: months written one at a time or from a CSV file (all or nothing), forecasts and
 * anomaly scans computed from the stored months on request. Every write scans the months again
 * and records anomalies not seen before, each announced once as a `kpi.anomaly` event in the
 * same transaction as the write.
 */

export const MAX_CSV_BYTES = 1_000_000

export class KpiImportError extends OptimaliqError {
  readonly errors: CsvIssue[]
  constructor(errors: CsvIssue[]) {
    const first = errors[0]
    super(
      'kpi_import_invalid',
      `The file has ${errors.length} problem${errors.length === 1 ? '' : 's'}; nothing was imported. First: line ${first?.line}${first?.column ? `, column ${first.column}` : ''}: ${first?.message}`,
      {
        status: 400,
        details: errors,
      },
    )
    this.errors = errors
  }
}

export type KpiMonthView = KpiMonth & { churnRate: number | null; updatedAt: string }

const format = (metric: SeriesMetric) => (value: number) =>
  metric === 'churnRate'
    ? `${(100 * value).toFixed(1)} %`
    : Math.abs(value) >= 100
      ? Math.round(value).toLocaleString('en-US')
      : String(Math.round(value * 100) / 100)

/** Scan every series of these months. */
export function scanAll(months: readonly KpiMonth[]): { metric: SeriesMetric; scan: AnomalyScan }[] {
  return SERIES_METRICS.map((metric) => ({
    metric,
    scan: detectAnomalies(seriesOf(months, metric), { label: METRIC_INFO[metric].label, format: format(metric) }),
  }))
}

async function recordNewAnomalies(tx: Executor, userId: string): Promise<StoredAnomaly[]> {
  const months = await listKpiMonths(tx, userId)
  const found: FoundAnomaly[] = []
  for (const { metric, scan } of scanAll(months))
    if (scan.status === 'ok') for (const a of scan.anomalies) found.push({ ...a, metric })
  return recordKpiAnomalies(tx, userId, found)
}

/** Parse a CSV body into records with their line numbers; a malformed file is a located error. */
export function readCsv(text: string): CsvRecord[] {
  try {
    const parsed = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      raw: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number }; raw: string }>
    // `info.lines` is where a record ends; a quoted value may span lines, so count back to its start.
    return parsed.map(({ record, info, raw }) => ({
      line: info.lines - (raw.replace(/^[\r\n]+|[\r\n]+$/g, '').match(/\n/g)?.length ?? 0),
      cells: record,
    }))
  } catch (error) {
    if (error instanceof CsvError) {
      // An unclosed quote is found at the end of the file; the record it opened starts right
      // after the last complete one (`bytes_records`). Other errors name their own line.
      const { bytes_records: start, lines } = error as CsvError & { bytes_records?: number; lines?: number }
      const line =
        error.code === 'CSV_QUOTE_NOT_CLOSED' && typeof start === 'number'
          ? Buffer.from(text).subarray(0, start).toString().split('\n').length
          : (lines ?? 1)
      throw new KpiImportError([
        {
          line,
          column: null,
          message: `the file is not valid CSV here: ${error.message.replace(/^Invalid [^:]*: /, '')}`,
        },
      ])
    }
    throw error
  }
}

export type KpiService = ReturnType<typeof createKpiService>

/** The numbers the narrative explains: per series, last value, changes, forecast end and recent anomalies. */
export function narrativeInput(months: readonly KpiMonth[], horizon: number): KpiNarrativeInput {
  const scans = new Map(scanAll(months).map((s) => [s.metric, s.scan]))
  const trends: KpiTrend[] = SERIES_METRICS.map((metric) => {
    const info = METRIC_INFO[metric]
    const series = seriesOf(months, metric)
    const last = series[series.length - 1] ?? null
    const at = (month: string) => series.find((p) => p.month === month)?.value
    const change = (before: number | undefined) =>
      last && before !== undefined && before !== 0
        ? Math.round(((last.value - before) / Math.abs(before)) * 10_000) / 10_000
        : null
    const forecast = forecastMonthly(series, {
      horizon,
      label: info.label,
      ...(info.min !== null ? { min: info.min } : {}),
      ...(info.max !== null ? { max: info.max } : {}),
    })
    const end = forecast.status === 'ok' ? forecast.points[forecast.points.length - 1]! : null
    const scan = scans.get(metric)
    const recent =
      scan?.status === 'ok' && last
        ? scan.anomalies.filter((a) => a.month >= addMonths(last.month, -5)).map((a) => a.explanation.slice(0, 600))
        : []
    return {
      metric,
      label: info.label,
      months: series.length,
      last: last ? { month: last.month, value: last.value } : null,
      changeFromPrevious: last ? change(at(addMonths(last.month, -1))) : null,
      changeFromYearAgo: last ? change(at(addMonths(last.month, -12))) : null,
      forecast:
        end && forecast.status === 'ok'
          ? { month: end.month, value: end.value, lower95: end.lower95, upper95: end.upper95, method: forecast.method }
          : null,
      forecastMissing: forecast.status === 'insufficient_history' ? forecast.missing : null,
      anomalies: recent.slice(-5),
      unit: metric === 'churnRate' ? 'rate' : info.integer ? 'count' : 'money',
    }
  })
  return { trends, horizonMonths: horizon }
}

export function createKpiService({ db, ai }: { db: Database; ai: AiClient }) {
  return {
    /** Write one month (replacing it if recorded); returns the month and any new anomalies. */
    async recordMonth(
      claims: Claims,
      input: KpiMonthInput,
    ): Promise<{ month: KpiMonth; newAnomalies: StoredAnomaly[] }> {
      const month = normalizeMonth(input)
      return db.asUser(claims, async (tx) => {
        await upsertKpiMonths(tx, claims.sub, [month])
        return { month, newAnomalies: await recordNewAnomalies(tx, claims.sub) }
      })
    },

    /** Import months from CSV text: every problem located, and nothing written unless all rows are valid. */
    async importCsv(
      claims: Claims,
      text: string,
    ): Promise<{ imported: number; months: { from: string; to: string }; newAnomalies: StoredAnomaly[] }> {
      const result = validateKpiRows(readCsv(text))
      if (!result.ok) throw new KpiImportError(result.errors)
      const sorted = [...result.months].sort((a, b) => (a.month < b.month ? -1 : 1))
      return db.asUser(claims, async (tx) => {
        const imported = await upsertKpiMonths(tx, claims.sub, sorted)
        return {
          imported,
          months: { from: sorted[0]!.month, to: sorted[sorted.length - 1]!.month },
          newAnomalies: await recordNewAnomalies(tx, claims.sub),
        }
      })
    },

    /** Every recorded month with its churn rate. */
    async list(claims: Claims): Promise<KpiMonthView[]> {
      const months = await db.asUser(claims, (tx) => listKpiMonths(tx, claims.sub))
      const churn = new Map(churnRates(months).map((p) => [p.month, p.value]))
      return months.map((m) => ({
        ...m,
        churnRate: churn.has(m.month) ? Math.round(churn.get(m.month)! * 10_000) / 10_000 : null,
      }))
    },

    /** Forecast one series `horizon` months ahead (or say what is missing). */
    async forecast(
      claims: Claims,
      metric: SeriesMetric,
      horizon: number,
    ): Promise<{ metric: SeriesMetric; forecast: SeriesForecast }> {
      const months = await db.asUser(claims, (tx) => listKpiMonths(tx, claims.sub))
      const info = METRIC_INFO[metric]
      return {
        metric,
        forecast: forecastMonthly(seriesOf(months, metric), {
          horizon,
          label: info.label,
          ...(info.min !== null ? { min: info.min } : {}),
          ...(info.max !== null ? { max: info.max } : {}),
        }),
      }
    },

    /** Churn: the monthly rates, their average over the last 12 months, and a forecast. */
    async churn(claims: Claims, horizon: number) {
      const months = await db.asUser(claims, (tx) => listKpiMonths(tx, claims.sub))
      const rates = churnRates(months)
      const recent = rates.slice(-12)
      const average = recent.length > 0 ? recent.reduce((a, p) => a + p.value, 0) / recent.length : null
      return {
        rates: rates.map((p) => ({ month: p.month, rate: Math.round(p.value * 10_000) / 10_000 })),
        latest: rates.length > 0 ? Math.round(rates[rates.length - 1]!.value * 10_000) / 10_000 : null,
        averageLast12: average === null ? null : Math.round(average * 10_000) / 10_000,
        forecast: forecastMonthly(rates, { horizon, label: 'churn rate', min: 0, max: 1 }),
      }
    },

    /** A fresh scan of every series (or one), plus the anomalies recorded so far. */
    async anomalies(claims: Claims, metric?: SeriesMetric) {
      const { months, recorded } = await db.asUser(claims, async (tx) => ({
        months: await listKpiMonths(tx, claims.sub),
        recorded: await listKpiAnomalies(tx, claims.sub),
      }))
      const scans = scanAll(months).filter((s) => metric === undefined || s.metric === metric)
      return { scans, recorded: metric === undefined ? recorded : recorded.filter((r) => r.metric === metric) }
    },

    /** The `kpi_narrative` feature (AI, or its rules fallback) on the computed trends. */
    async narrative(claims: Claims, caller: AiCaller, horizon: number) {
      const months = await db.asUser(claims, (tx) => listKpiMonths(tx, claims.sub))
      const input = narrativeInput(months, horizon)
      // The input carries every number, so the cache key changes whenever a month does.
      const { object, meta } = await runFeature(ai, kpiNarrative, input, caller)
      return { ...object, provider: meta.provider, requestId: meta.requestId, generatedAt: new Date().toISOString() }
    },
  }
}
