import { useQuery } from '@tanstack/react-query'
import { Link, useParams } from 'react-router'
import { api } from '../api/client.ts'
import { fmtDateTime, fmtScore, humanize } from '../lib/format.ts'
import { Page } from '../app/page.tsx'
import { keys } from '../app/query.ts'
import { Card, Empty, ErrorState, Skeleton, TableWrap } from '../components/ui.tsx'
import { HistoryChart } from '../modals/DeepDiveModal.tsx'

export default function HistoryPage() {
  const { type = '' } = useParams()
  const history = useQuery({
    queryKey: keys.history(type),
    queryFn: () => api.get('/api/assessments/:type/history', { params: { type } }),
  })
  const subs = history.data?.submissions ?? []
  return (
    <Page
      title={`${humanize(type)} history`}
      narrow
      actions={
        <Link to="/assessments" className="btn ghost">
          All assessments
        </Link>
      }
    >
      {history.error ? (
        <ErrorState error={history.error} what="History" retry={() => history.refetch()} />
      ) : !history.data ? (
        <Card>
          <Skeleton lines={6} />
        </Card>
      ) : subs.length === 0 ? (
        <Empty title="No submissions yet">
          <Link to={`/assessments/${type}`}>Take this assessment</Link> to see your progress here.
        </Empty>
      ) : (
        <>
          <Card title="Score over time">
            <HistoryChart history={history.data} />
          </Card>
          <Card title="Submissions">
            <TableWrap label="Submissions">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Taken</th>
                    <th scope="col" className="num">
                      Score
                    </th>
                    <th scope="col">Level</th>
                    <th scope="col" className="num">
                      Base score then
                    </th>
                    <th scope="col">Breakdown</th>
                  </tr>
                </thead>
                <tbody>
                  {subs.map((s) => (
                    <tr key={s.id}>
                      <td>{fmtDateTime(s.takenAt)}</td>
                      <td className="num">
                        <strong>{fmtScore(s.score)}</strong>
                      </td>
                      <td>{s.bracketLabel}</td>
                      <td className="num">{fmtScore(s.baseScoreAtTime)}</td>
                      <td>
                        <Link to={`/assessments/${type}/submissions/${s.id}`}>View</Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </Card>
        </>
      )}
    </Page>
  )
}
