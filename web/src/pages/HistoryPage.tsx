import { api } from '../api/client.ts'
import type { History } from '../api/types.ts'
import { Card, Empty, Failure, Spinner } from '../components/ui.tsx'
import { fmtDateTime, fmtScore, humanize, useAsync } from '../hooks.ts'
import { Link } from '../router.tsx'

export function HistoryPage({ type }: { type: string }) {
  const history = useAsync(() => api.get<History>(`/api/assessments/${encodeURIComponent(type)}/history`), [type])
  if (history.error) return <Failure error={history.error} what="History" />
  if (!history.data) return <Spinner />
  const subs = history.data.submissions
  const points = [...subs].reverse()
  return (
    <div className="narrow">
      <div className="page-head">
        <h1>{humanize(type)} history</h1>
        <Link to="/assessments" className="btn ghost">
          All assessments
        </Link>
      </div>
      {subs.length === 0 ? (
        <Empty title="No submissions yet">Take this assessment to see your progress here.</Empty>
      ) : (
        <>
          <Card title="Score over time">
            <Trend values={points.map((p) => p.score)} />
          </Card>
          <Card title="Submissions">
            <table className="table">
              <thead>
                <tr>
                  <th>Taken</th>
                  <th>Score</th>
                  <th>Level</th>
                  <th>Base score then</th>
                </tr>
              </thead>
              <tbody>
                {subs.map((s) => (
                  <tr key={s.id}>
                    <td>{fmtDateTime(s.takenAt)}</td>
                    <td>
                      <strong>{fmtScore(s.score)}</strong>
                    </td>
                    <td>{s.bracketLabel}</td>
                    <td>{fmtScore(s.baseScoreAtTime)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        </>
      )}
    </div>
  )
}

/** A small SVG line of scores (1–5). */
export function Trend({ values }: { values: number[] }) {
  const w = 560
  const h = 140
  const pad = 16
  const x = (i: number) => (values.length === 1 ? w / 2 : pad + (i * (w - 2 * pad)) / (values.length - 1))
  const y = (v: number) => h - pad - ((v - 1) / 4) * (h - 2 * pad)
  const d = values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i)},${y(v)}`).join(' ')
  return (
    <svg className="trend" viewBox={`0 0 ${w} ${h}`} role="img" aria-label="Score trend">
      {[1, 2, 3, 4, 5].map((g) => (
        <g key={g}>
          <line x1={pad} x2={w - pad} y1={y(g)} y2={y(g)} className="grid-line" />
          <text x={2} y={y(g) + 4} className="axis">
            {g}
          </text>
        </g>
      ))}
      <path d={d} className="trend-line" />
      {values.map((v, i) => (
        <circle key={i} cx={x(i)} cy={y(v)} r={4} className="trend-dot" />
      ))}
    </svg>
  )
}
