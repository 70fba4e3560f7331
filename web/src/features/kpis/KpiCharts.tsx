import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { api } from '../../api/client.ts'
import type { KpiAnomalies, KpiAnomaly, KpiForecast, KpiMonth } from '../../api/types.ts'
import { keys } from '../../app/query.ts'
import { KpiChart, type KpiPoint } from '../../components/charts.tsx'
import { Empty, ErrorState, Skeleton } from '../../components/ui.tsx'
import { formatMetric, labelOf, monthName, SERIES, valueOf, type SeriesKey } from './metrics.ts'

/** Recorded months and the forecast as chart rows; the last recorded month starts the forecast line. */
export function kpiRows(months: KpiMonth[], metric: SeriesKey, forecast: KpiForecast | undefined): KpiPoint[] {
  const rows: KpiPoint[] = months
    .map((m) => ({ month: m.month, actual: valueOf(m, metric), forecast: null, band80: null, band95: null }))
    .filter((r) => r.actual !== null)
    .sort((a, b) => a.month.localeCompare(b.month))
  const f = forecast?.forecast
  if (f?.status !== 'ok' || rows.length === 0) return rows
  const last = rows[rows.length - 1]!
  last.forecast = last.actual
  last.band80 = [last.actual!, last.actual!]
  last.band95 = [last.actual!, last.actual!]
  for (const p of f.points)
    rows.push({
      month: p.month,
      actual: null,
      forecast: p.value,
      band80: [p.lower80, p.upper80],
      band95: [p.lower95, p.upper95],
    })
  return rows
}

/** Recorded anomalies of a metric and the fresh scan's, once each (month and kind). */
export function anomaliesOf(data: KpiAnomalies | undefined, metric: SeriesKey): KpiAnomaly[] {
  if (!data) return []
  const out = new Map<string, KpiAnomaly>()
  for (const a of data.recorded) if (a.metric === metric) out.set(`${a.month}|${a.kind}`, a)
  const scan = data.scans.find((s) => s.metric === metric)?.scan
  if (scan?.status === 'ok')
    for (const a of scan.anomalies) out.set(`${a.month}|${a.kind}`, { ...a, metric } as KpiAnomaly)
  return [...out.values()].sort((a, b) => a.month.localeCompare(b.month))
}

export function KpiCharts({ months }: { months: KpiMonth[] }) {
  const [metric, setMetric] = useState<SeriesKey>('revenue')
  const forecast = useQuery({
    queryKey: [...keys.kpis, 'forecast', metric],
    queryFn: () => api.get('/api/kpis/forecast', { query: { metric, months: 6 } }),
  })
  const scan = useQuery({ queryKey: [...keys.kpis, 'anomalies'], queryFn: () => api.get('/api/kpis/anomalies') })
  const rows = kpiRows(months, metric, forecast.data)
  const anomalies = anomaliesOf(scan.data, metric)
  const f = forecast.data?.forecast
  const name = labelOf(metric)
  const fmt = (v: number) => formatMetric(metric, v)
  const last = rows.filter((r) => r.actual !== null).at(-1)
  const ahead = f?.status === 'ok' ? f.points.at(-1) : undefined

  return (
    <div className="stack">
      <div className="field">
        <label htmlFor="kpi-series">Show</label>
        <select id="kpi-series" value={metric} onChange={(e) => setMetric(e.target.value as SeriesKey)}>
          {SERIES.map((s) => (
            <option key={s.key} value={s.key}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      {forecast.error ? (
        <ErrorState error={forecast.error} what="The forecast" retry={() => forecast.refetch()} />
      ) : !forecast.data ? (
        <Skeleton lines={6} label="Loading the chart" />
      ) : rows.length === 0 ? (
        <Empty title={`No ${name.toLowerCase()} recorded yet`}>Record a month or import a CSV file.</Empty>
      ) : (
        <KpiChart
          data={rows}
          anomalies={anomalies.map((a) => ({ month: a.month, value: a.value, kind: a.kind }))}
          name={name}
          format={fmt}
          label={`${name} by month${last ? `, latest ${fmt(last.actual!)} in ${monthName(last.month)}` : ''}${
            ahead && f?.status === 'ok'
              ? `; forecast ${fmt(ahead.value)} in ${monthName(ahead.month)} (95 % range ${fmt(ahead.lower95)} to ${fmt(ahead.upper95)})`
              : ''
          }; ${anomalies.length} unusual month${anomalies.length === 1 ? '' : 's'} marked`}
        />
      )}
      {f?.status === 'insufficient_history' && (
        <p className="muted" data-testid="forecast-missing">
          {f.missing}
        </p>
      )}
      {f?.status === 'ok' && (
        <p className="muted small">
          Forecast by {f.method === 'holt_winters' ? 'Holt–Winters with a 12-month season' : 'damped-trend Holt'} from{' '}
          {f.history.months} months; shaded: the 80 % and 95 % ranges.
          {f.backtest && f.backtest.mape !== null
            ? ` On the last ${f.backtest.holdout} months it was off by ${f.backtest.mape.toFixed(1)} % on average.`
            : ''}
        </p>
      )}
      {anomalies.length > 0 && (
        <ul className="insight-list" data-testid="kpi-anomalies">
          {anomalies.map((a) => (
            <li key={`${a.month}-${a.kind}`}>
              <strong>
                <span className="tag bad">{a.kind === 'level_shift' ? 'level shift' : a.kind}</span>{' '}
                {monthName(a.month)}
              </strong>
              <span className="muted">{a.explanation}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
