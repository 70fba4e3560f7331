import { useState } from 'react'
import { api } from '../api/client.ts'
import type { Dashboard, Recommendations, Scores } from '../api/types.ts'
import { Card, Empty, Failure, ScoreBar, ScoreRing, Spinner } from '../components/ui.tsx'
import { fmtDateTime, humanize, useAsync } from '../hooks.ts'
import { Link } from '../router.tsx'
import { useRealtime, useSession } from '../session.tsx'

export function DashboardPage() {
  const { user, status, events } = useSession()
  const scores = useAsync(() => api.get<Scores>('/api/scores'))
  const dashboard = useAsync(() => api.get<Dashboard>('/api/dashboard'))
  const next = useAsync(() => api.get<Recommendations>('/api/recommendations'))
  const [flash, setFlash] = useState<string>()
  const [refreshing, setRefreshing] = useState(false)

  useRealtime(['assessment.completed', 'dashboard.updated', 'profile.updated', 'task.updated'], (event) => {
    if (event.type === 'task.updated' && event.payload.status !== 'completed' && event.payload.status !== 'failed')
      return
    void scores.reload()
    void dashboard.reload()
    void next.reload()
    if (event.type === 'dashboard.updated') setRefreshing(false)
    // A finished task reloads quietly; the other events say what changed.
    if (event.type === 'task.updated') return
    setFlash(
      event.type === 'assessment.completed'
        ? `New ${humanize(String(event.payload.type))} score: ${Number(event.payload.score).toFixed(2)}`
        : event.type === 'dashboard.updated'
          ? 'Dashboard refreshed'
          : 'Profile updated',
    )
    window.setTimeout(() => setFlash(undefined), 4000)
  })

  async function refresh() {
    setRefreshing(true)
    // The stream's dashboard.updated ends it; give up waiting after a minute.
    window.setTimeout(() => setRefreshing(false), 60_000)
    try {
      await api.post('/api/dashboard/refresh')
    } catch {
      setRefreshing(false)
    }
  }

  if (scores.error) return <Failure error={scores.error} what="Your scores" />
  if (!scores.data) return <Spinner />
  const s = scores.data
  const deep = Object.entries(s.assessments).filter(([, v]) => v.score !== null)
  const d = dashboard.data
  const median = (area: string) => d?.benchmarks.find((b) => b.area === area)?.median ?? null

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Hello{user?.name ? `, ${user.name}` : ''}</h1>
          <p className="muted">
            <span className={`live-dot ${status}`} />{' '}
            {status === 'open'
              ? 'Live — updates appear as they happen'
              : status === 'closed'
                ? 'Offline'
                : 'Connecting…'}
          </p>
        </div>
        {d && (
          <button className="btn" onClick={refresh} disabled={refreshing}>
            {refreshing ? 'Refreshing…' : 'Refresh insights'}
          </button>
        )}
      </div>
      {flash && (
        <div className="toast" role="status" data-testid="live-toast">
          {flash}
        </div>
      )}
      {s.baseScore === null && (
        <div className="banner info">
          Start with the <Link to="/onboarding">growth assessment</Link> — eight questions give you a baseline.
        </div>
      )}
      <div className="grid dash-top">
        <Card title="Overall">
          <div className="center-col">
            <ScoreRing
              score={s.overallScore ?? s.baseScore}
              label={s.overallScore !== null ? 'Overall score' : 'Base score'}
              testId="overall-score"
            />
            <p className="muted small">1 = just starting · 5 = best in class</p>
          </div>
        </Card>
        <Card title="Growth areas">
          <div className="stack">
            <ScoreBar label="Strategy" score={s.strategyScore} marker={median('strategy')} testId="score-strategy" />
            <ScoreBar label="Process" score={s.processScore} marker={median('process')} testId="score-process" />
            <ScoreBar
              label="Technology"
              score={s.technologyScore}
              marker={median('technology')}
              testId="score-technology"
            />
            {d && d.benchmarks.length > 0 && (
              <p className="muted small">
                <span className="legend-marker" /> peer median
              </p>
            )}
          </div>
        </Card>
        <Card title="Deep assessments">
          {deep.length === 0 ? (
            <Empty title="None taken yet">
              <Link to="/assessments">Take your first deep assessment</Link>
            </Empty>
          ) : (
            <div className="stack" data-testid="deep-scores">
              {deep.map(([type, v]) => (
                <ScoreBar key={type} label={humanize(type)} score={v.score} testId={`deep-${type}`} />
              ))}
            </div>
          )}
        </Card>
      </div>
      {next.data && (next.data.nextAssessments.length > 0 || next.data.actions.length > 0) && (
        <Card title="Recommended next">
          <div className="grid two" data-testid="recommendations">
            {next.data.nextAssessments.length > 0 && (
              <ul className="insight-list">
                {next.data.nextAssessments.slice(0, 3).map((a) => (
                  <li key={a.type}>
                    <Link to={`/assessments/${a.type}`}>
                      <strong>Take {humanize(a.type)}</strong>
                    </Link>
                    <span className="muted">{a.reason}</span>
                  </li>
                ))}
              </ul>
            )}
            {next.data.actions.length > 0 && (
              <ul className="insight-list">
                {next.data.actions.slice(0, 3).map((a, i) => (
                  <li key={i}>
                    <strong>
                      {a.title}{' '}
                      <span className={`tag ${a.priority === 'high' ? 'bad' : a.priority === 'medium' ? 'warn' : ''}`}>
                        {a.priority}
                      </span>
                    </strong>
                    <span className="muted">
                      {a.description} <span className="small">({a.timeframe})</span>
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </Card>
      )}
      {dashboard.error ? (
        dashboard.error.missing ? (
          <Card title="Insights">
            <Empty title="Insights are not available yet">
              Strengths, weaknesses and a roadmap will appear here once this server offers them.
            </Empty>
          </Card>
        ) : (
          <Card title="Insights">
            <Failure error={dashboard.error} what="Insights" />
          </Card>
        )
      ) : !d ? (
        <Spinner label="Preparing your insights…" />
      ) : (
        <>
          <div className="grid two">
            <Card title="Strengths">
              <List items={d.strengths} empty="Complete an assessment to see your strengths." />
            </Card>
            <Card title="Weaknesses">
              <List items={d.weaknesses} empty="Nothing stands out yet." />
            </Card>
          </div>
          <Card title="Roadmap">
            {d.roadmap.length === 0 ? (
              <Empty title="No roadmap yet" />
            ) : (
              <ol className="roadmap">
                {d.roadmap.map((r, i) => (
                  <li key={i}>
                    <strong>{r.task}</strong>
                    <span className="muted">{r.expectedImpact}</span>
                    <span className="tags">
                      <span className="tag">{r.owner}</span>
                      <span className="tag">{r.timeframe}</span>
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </Card>
          <div className="grid two">
            <Card title="Benchmarks">
              {d.benchmarks.length === 0 ? (
                <Empty title="No benchmarks yet" />
              ) : (
                <table className="table">
                  <thead>
                    <tr>
                      <th>Area</th>
                      <th>You</th>
                      <th>Median</th>
                      <th>Percentile</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.benchmarks.map((b) => (
                      <tr key={b.area}>
                        <td>{humanize(b.area)}</td>
                        <td>{b.userScore?.toFixed(2) ?? '—'}</td>
                        <td>{b.median.toFixed(2)}</td>
                        <td>{b.percentile === null ? '—' : `${Math.round(b.percentile)}th`}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Card>
            <Card title="Insights">
              {d.insights.length === 0 ? (
                <Empty title="No insights yet" />
              ) : (
                <ul className="bullets">
                  {d.insights.map((t, i) => (
                    <li key={i}>{t}</li>
                  ))}
                </ul>
              )}
              <p className="muted small">
                Generated {fmtDateTime(d.generatedAt)} · {d.provider === 'rules' ? 'rules engine' : d.provider}
              </p>
            </Card>
          </div>
        </>
      )}
      {events.length > 0 && (
        <Card title="Live activity">
          <ul className="events" data-testid="live-events">
            {events.slice(0, 6).map((e) => (
              <li key={e.id}>
                <span className="tag">{e.type}</span> <span className="muted small">{fmtDateTime(e.createdAt)}</span>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </>
  )
}

function List({ items, empty }: { items: Array<{ title: string; impact: string }>; empty: string }) {
  if (items.length === 0) return <Empty title={empty} />
  return (
    <ul className="insight-list">
      {items.map((i, n) => (
        <li key={n}>
          <strong>{i.title}</strong>
          <span className="muted">{i.impact}</span>
        </li>
      ))}
    </ul>
  )
}
