import { useQuery } from '@tanstack/react-query'
import { api } from '../../api/client.ts'
import { fmtNumber, fmtPct, humanize } from '../../lib/format.ts'
import { keys } from '../../app/query.ts'
import { Bars } from '../../components/charts.tsx'
import { Card, Empty, ErrorState, Skeleton, TableWrap } from '../../components/ui.tsx'

const duration = (s: number | null) =>
  s === null
    ? '—'
    : s < 90
      ? `${Math.round(s)} s`
      : s < 5400
        ? `${Math.round(s / 60)} min`
        : `${fmtNumber(s / 3600, 1)} h`

/** Satisfaction with AI answers (thumbs) per feature and model, and the assessment funnel. */
export function Quality() {
  const satisfaction = useQuery({
    queryKey: [...keys.admin, 'satisfaction'],
    queryFn: () => api.get('/api/admin/satisfaction'),
  })
  const funnel = useQuery({ queryKey: [...keys.admin, 'funnel'], queryFn: () => api.get('/api/admin/funnel') })
  return (
    <>
      <Card title="Satisfaction with AI answers (30 days)" testId="satisfaction">
        {satisfaction.error ? (
          <ErrorState error={satisfaction.error} what="Satisfaction" retry={() => satisfaction.refetch()} />
        ) : !satisfaction.data ? (
          <Skeleton lines={4} />
        ) : satisfaction.data.features.length === 0 ? (
          <Empty title="No feedback yet">Thumbs given on insights, levers and forecasts appear here.</Empty>
        ) : (
          <TableWrap label="Satisfaction by feature and model">
            <table className="table">
              <caption className="sr-only">Thumbs up and down per feature, then per model</caption>
              <thead>
                <tr>
                  <th scope="col">Feature / model</th>
                  <th scope="col" className="num">
                    Up
                  </th>
                  <th scope="col" className="num">
                    Down
                  </th>
                  <th scope="col" className="num">
                    Satisfaction
                  </th>
                </tr>
              </thead>
              <tbody>
                {satisfaction.data.features.flatMap((f) => [
                  <tr key={f.feature}>
                    <th scope="row">{humanize(f.feature)}</th>
                    <td className="num">{fmtNumber(f.up)}</td>
                    <td className="num">{fmtNumber(f.down)}</td>
                    <td className="num">{fmtPct(f.satisfaction, 0)}</td>
                  </tr>,
                  ...f.byModel.map((m) => (
                    <tr key={`${f.feature}|${m.provider}|${m.model}|${m.modelVersion ?? ''}`}>
                      <td className="small muted">
                        ↳ {m.provider} · {m.model}
                        {m.modelVersion ? ` · ${m.modelVersion}` : ''}
                        {m.comments ? ` · ${m.comments} comment${m.comments === 1 ? '' : 's'}` : ''}
                      </td>
                      <td className="num">{fmtNumber(m.up)}</td>
                      <td className="num">{fmtNumber(m.down)}</td>
                      <td className="num">{fmtPct(m.satisfaction, 0)}</td>
                    </tr>
                  )),
                ])}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Card>
      <Card title="Assessment funnel (30 days)" testId="funnel">
        {funnel.error ? (
          <ErrorState error={funnel.error} what="The funnel" retry={() => funnel.refetch()} />
        ) : !funnel.data ? (
          <Skeleton lines={4} />
        ) : funnel.data.total.started === 0 ? (
          <Empty title="No assessments started in this window" />
        ) : (
          <div className="stack">
            <p>
              {fmtNumber(funnel.data.total.started)} started, {fmtNumber(funnel.data.total.completed)} completed (
              {fmtPct(funnel.data.total.completionRate, 0)}), {fmtNumber(funnel.data.total.abandoned)} abandoned (open
              more than {funnel.data.abandonAfterHours} h), {fmtNumber(funnel.data.total.inProgress)} in progress.
            </p>
            <Bars
              data={funnel.data.assessments.map((a) => ({
                name: humanize(a.type),
                completion: Math.round((a.completionRate ?? 0) * 100),
              }))}
              x="name"
              y="completion"
              label={`Completion rate by assessment: ${funnel.data.assessments
                .map((a) => `${humanize(a.type)} ${fmtPct(a.completionRate, 0)}`)
                .join(', ')}`}
            />
            <TableWrap label="Funnel by assessment">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Assessment</th>
                    <th scope="col" className="num">
                      Started
                    </th>
                    <th scope="col" className="num">
                      Completed
                    </th>
                    <th scope="col" className="num">
                      Abandoned
                    </th>
                    <th scope="col" className="num">
                      Completion
                    </th>
                    <th scope="col" className="num">
                      Median time
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {funnel.data.assessments.map((a) => (
                    <tr key={a.type}>
                      <th scope="row">{humanize(a.type)}</th>
                      <td className="num">{fmtNumber(a.started)}</td>
                      <td className="num">{fmtNumber(a.completed)}</td>
                      <td className="num">{fmtNumber(a.abandoned)}</td>
                      <td className="num">{fmtPct(a.completionRate, 0)}</td>
                      <td className="num">{duration(a.medianSecondsToComplete)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </div>
        )}
      </Card>
    </>
  )
}
