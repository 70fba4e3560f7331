import { useMutation, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import { api } from '../api/client.ts'
import type { Dashboard, Recommendations, Scores } from '../api/types.ts'
import { fmtDateTime, fmtScore, humanize } from '../lib/format.ts'
import { Page } from '../app/page.tsx'
import { queries } from '../app/queries.ts'
import { useLive, useMe } from '../app/session.tsx'
import { AreasRadar } from '../components/charts.tsx'
import { Feedback, ItemFeedback } from '../components/Feedback.tsx'
import { useModals } from '../components/Modal.tsx'
import { Card, Empty, ErrorState, ScoreBar, ScoreRing, Skeleton, Source } from '../components/ui.tsx'
import { Insights } from '../features/dashboard/Insights.tsx'
import { TrendCard } from '../features/dashboard/TrendCard.tsx'
import { deepDiveModal } from '../modals/DeepDiveModal.tsx'
import { insightModal } from '../modals/InsightModal.tsx'
import { plannerModal } from '../modals/PlannerModal.tsx'

export default function DashboardPage() {
  const user = useMe()
  const { status, activity } = useLive()
  const modals = useModals()
  const scores = useQuery(queries.scores)
  const dashboard = useQuery(queries.dashboard)
  const next = useQuery(queries.recommendations)
  const forecast = useQuery(queries.forecast)
  const [refreshing, setRefreshing] = useState(false)
  const refresh = useMutation({
    mutationFn: () => api.post('/api/dashboard/refresh', undefined),
    onMutate: () => setRefreshing(true),
    onError: () => setRefreshing(false),
  })
  // The stream's dashboard.updated refetches the dashboard; that ends the wait.
  if (
    refreshing &&
    dashboard.isFetching === false &&
    refresh.isSuccess &&
    dashboard.dataUpdatedAt > refresh.submittedAt
  )
    setRefreshing(false)

  const d = dashboard.data
  return (
    <Page
      title="Dashboard"
      heading={`Hello${user?.name ? `, ${user.name}` : ''}`}
      lead={<LiveLine status={status} />}
      actions={
        d && (
          <button className="btn" onClick={() => refresh.mutate()} disabled={refreshing}>
            {refreshing ? 'Refreshing…' : 'Refresh insights'}
          </button>
        )
      }
    >
      {scores.error ? (
        <ErrorState error={scores.error} what="Your scores" retry={() => scores.refetch()} />
      ) : !scores.data ? (
        <div className="grid dash-top">
          <Card title="Overall">
            <Skeleton lines={4} />
          </Card>
          <Card title="Growth areas">
            <Skeleton lines={4} />
          </Card>
          <Card title="Deep assessments">
            <Skeleton lines={4} />
          </Card>
        </div>
      ) : (
        <ScoresSection s={scores.data} d={d} onDeepDive={(type) => modals.open(deepDiveModal(type))} />
      )}

      <div className="grid two">
        <Card title="Your areas">{scores.data ? <Radar s={scores.data} d={d} /> : <Skeleton lines={5} />}</Card>
        <Card title="Overall score over time">
          <TrendCard forecast={forecast.data} error={forecast.error} retry={() => forecast.refetch()} />
        </Card>
      </div>

      <RecommendationsCard next={next.data} error={next.error} retry={() => next.refetch()} />

      {dashboard.error ? (
        <Card title="Insights">
          <ErrorState error={dashboard.error} what="Insights" retry={() => dashboard.refetch()} />
        </Card>
      ) : !d ? (
        <Card title="Insights">
          <Skeleton lines={6} label="Preparing your insights" />
        </Card>
      ) : (
        <Insights
          d={d}
          onPlan={() => modals.open(plannerModal({ roadmap: d.roadmap }))}
          open={(i) => modals.open(insightModal(i))}
        />
      )}

      <Card title="Live activity">
        {activity.length === 0 ? (
          <Empty title="Nothing new yet">
            New scores, refreshed insights and finished analyses appear here as they happen.
          </Empty>
        ) : (
          <ul className="events" data-testid="live-events">
            {activity.slice(0, 6).map((e) => (
              <li key={e.id} data-type={e.type}>
                <span>{e.text}</span> <span className="muted small">{fmtDateTime(e.at)}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </Page>
  )
}

function LiveLine({ status }: { status: string }) {
  return (
    <>
      <span className={`live-dot ${status}`} aria-hidden="true" />{' '}
      {status === 'open' ? 'Live — updates appear as they happen' : status === 'closed' ? 'Offline' : 'Connecting…'}
    </>
  )
}

function ScoresSection({
  s,
  d,
  onDeepDive,
}: {
  s: Scores
  d: Dashboard | undefined
  onDeepDive: (type: string) => void
}) {
  const deep = Object.entries(s.assessments).filter(([, v]) => v.score !== null)
  const median = (area: string) => d?.benchmarks.find((b) => b.area === area)?.median ?? null
  return (
    <>
      {s.baseScore === null && (
        <div className="banner info">
          Start with the <Link to="/onboarding">growth assessment</Link>: eight questions give you a baseline.
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
                <span className="legend-marker" aria-hidden="true" /> peer median
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
                <div key={type} className="deep-row">
                  <ScoreBar label={humanize(type)} score={v.score} testId={`deep-${type}`} />
                  <button
                    type="button"
                    className="btn ghost small"
                    onClick={() => onDeepDive(type)}
                    aria-label={`Deep dive into ${humanize(type)}`}
                  >
                    Deep dive
                  </button>
                </div>
              ))}
            </div>
          )}
        </Card>
      </div>
    </>
  )
}

function Radar({ s, d }: { s: Scores; d: Dashboard | undefined }) {
  const areas: Array<[string, number | null]> = [
    ['strategy', s.strategyScore],
    ['process', s.processScore],
    ['technology', s.technologyScore],
    ...Object.entries(s.assessments).map(([k, v]) => [k, v.score] as [string, number | null]),
  ]
  const data = areas
    .filter(([, v]) => v !== null)
    .map(([area, score]) => ({
      area: humanize(area),
      score: score!,
      peer: d?.benchmarks.find((b) => b.area === area)?.median ?? null,
    }))
  if (data.length < 3)
    return <Empty title="Not enough areas yet">Take the growth assessment to see your areas on a radar.</Empty>
  return (
    <AreasRadar
      data={data}
      label={`Your scores by area: ${data.map((p) => `${p.area} ${fmtScore(p.score)}`).join(', ')}`}
    />
  )
}

function RecommendationsCard({
  next,
  error,
  retry,
}: {
  next: Recommendations | undefined
  error: unknown
  retry: () => unknown
}) {
  if (error) {
    return (
      <Card title="Recommended next">
        <ErrorState error={error} what="Recommendations" retry={retry} />
      </Card>
    )
  }
  if (!next) {
    return (
      <Card title="Recommended next">
        <Skeleton lines={3} />
      </Card>
    )
  }
  if (next.nextAssessments.length === 0 && next.actions.length === 0) return null
  return (
    <Card title="Recommended next" actions={<Source provider={next.provider} />}>
      <div className="grid two" data-testid="recommendations">
        {next.nextAssessments.length > 0 && (
          <ul className="insight-list">
            {next.nextAssessments.slice(0, 3).map((a) => (
              <li key={a.type}>
                <Link to={a.path}>
                  <strong>Take {a.title}</strong>
                </Link>
                <span className="muted">{a.reason}</span>
                <span className="tags">
                  <Source provider={next.provider} />
                  <ItemFeedback
                    requestId={next.requestId}
                    item={`nextAssessments.${a.type}`}
                    label={`Take ${a.title}`}
                  />
                </span>
              </li>
            ))}
          </ul>
        )}
        {next.actions.length > 0 && (
          <ul className="insight-list">
            {next.actions.slice(0, 3).map((a, i) => (
              <li key={i}>
                <strong>
                  {a.title}{' '}
                  <span className={`tag ${a.priority === 'high' ? 'bad' : a.priority === 'medium' ? 'warn' : ''}`}>
                    {a.priority} priority
                  </span>
                </strong>
                <span className="muted">
                  {a.description} <span className="small">({a.timeframe})</span>
                </span>
                <span className="tags">
                  <Source provider={next.provider} />
                  <ItemFeedback requestId={next.requestId} item={`actions.${i}`} label={a.title} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <Feedback requestId={next.requestId} compact about="Recommended next" item="recommendations" />
    </Card>
  )
}
