import { useQuery } from '@tanstack/react-query'
import { api } from '../api/client.ts'
import type { KpiMonth } from '../api/types.ts'
import { Page } from '../app/page.tsx'
import { keys } from '../app/query.ts'
import { Feedback } from '../components/Feedback.tsx'
import { Card, Empty, ErrorState, Skeleton, Source, TableWrap } from '../components/ui.tsx'
import { CsvImport } from '../features/kpis/CsvImport.tsx'
import { KpiCharts } from '../features/kpis/KpiCharts.tsx'
import { KpiEntryForm } from '../features/kpis/KpiEntryForm.tsx'
import { formatMetric, METRICS, monthName } from '../features/kpis/metrics.ts'

/** KPIs: record months or import them, see each series with its forecast and unusual months. */
export default function KpisPage() {
  const months = useQuery({ queryKey: [...keys.kpis, 'months'], queryFn: () => api.get('/api/kpis') })
  const list = months.data?.months ?? []
  return (
    <Page title="KPIs" lead="Your monthly numbers, where they are heading, and the months that stand out.">
      <Card title="Trends and forecast" testId="kpi-chart">
        {months.error ? (
          <ErrorState error={months.error} what="Your KPIs" retry={() => months.refetch()} />
        ) : !months.data ? (
          <Skeleton lines={6} />
        ) : list.length === 0 ? (
          <Empty title="No months recorded yet">
            Record your first month below, or import a spreadsheet saved as CSV. Forecasts start at 6 consecutive
            months; unusual months are spotted from 8.
          </Empty>
        ) : (
          <KpiCharts months={list} />
        )}
      </Card>
      {list.length > 0 && <Narrative />}
      <div className="grid two">
        <Card title="Record a month" testId="kpi-entry">
          <KpiEntryForm />
        </Card>
        <Card title="Import a CSV file" testId="kpi-import">
          <CsvImport />
        </Card>
      </div>
      {list.length > 0 && (
        <Card title="Recorded months">
          <MonthsTable months={list} />
        </Card>
      )}
    </Page>
  )
}

function Narrative() {
  const q = useQuery({
    queryKey: [...keys.kpis, 'narrative'],
    queryFn: () => api.get('/api/kpis/narrative'),
    staleTime: 5 * 60_000,
  })
  return (
    <Card
      title="What the numbers say"
      actions={q.data && <Source provider={q.data.provider} at={q.data.generatedAt} />}
    >
      {q.error ? (
        <ErrorState error={q.error} what="The summary" retry={() => q.refetch()} />
      ) : !q.data ? (
        <Skeleton lines={3} label="Reading your numbers" />
      ) : (
        <div className="stack" data-testid="kpi-narrative">
          <p>{q.data.summary}</p>
          {q.data.trends.length > 0 && (
            <ul className="bullets">
              {q.data.trends.map((t) => (
                <li key={t.metric}>{t.sentence}</li>
              ))}
            </ul>
          )}
          {q.data.watch.length > 0 && (
            <>
              <h3>Watch</h3>
              <ul className="bullets">
                {q.data.watch.map((w, i) => (
                  <li key={i}>{w}</li>
                ))}
              </ul>
            </>
          )}
          <Feedback requestId={q.data.requestId} compact />
        </div>
      )}
    </Card>
  )
}

function MonthsTable({ months }: { months: KpiMonth[] }) {
  const sorted = [...months].sort((a, b) => b.month.localeCompare(a.month))
  return (
    <TableWrap label="Recorded months">
      <table className="table" data-testid="kpi-months">
        <caption className="sr-only">Recorded months, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Month</th>
            {METRICS.map((m) => (
              <th key={m.key} scope="col" className="num">
                {m.label}
              </th>
            ))}
            <th scope="col" className="num">
              Churn rate
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((m) => (
            <tr key={m.month}>
              <th scope="row">{monthName(m.month)}</th>
              {METRICS.map((k) => (
                <td key={k.key} className="num">
                  {formatMetric(k.key, m[k.key])}
                </td>
              ))}
              <td className="num">{formatMetric('churnRate', m.churnRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  )
}
