import type { Forecast } from '../../api/types.ts'
import { ScoreTrend, type TrendPoint } from '../../components/charts.tsx'
import { Feedback } from '../../components/Feedback.tsx'
import { Empty, ErrorState, Skeleton, Source } from '../../components/ui.tsx'
import { fmtDate, fmtScore } from '../../lib/format.ts'

/**
 * The overall score over time: every recorded change, and the forecast inside its interval band
 * when there is enough history. When there is not, what is missing is said once (the narrative
 * would only repeat it, so it is shown with a forecast only).
 */
export function TrendCard({
  forecast,
  error,
  retry,
}: {
  forecast: Forecast | undefined
  error: unknown
  retry: () => unknown
}) {
  if (error) return <ErrorState error={error} what="The forecast" retry={retry} />
  if (!forecast) return <Skeleton lines={5} />
  const o = forecast.overall
  const history = forecast.history
  if (!o.last && history.length === 0)
    return <Empty title="No history yet">Your score over time appears once you have taken an assessment.</Empty>
  const ahead = o.status === 'ok' ? o.forecast : []
  const last = history.at(-1) ?? o.last!
  const points: TrendPoint[] = [
    ...history.slice(0, -1).map((p) => ({ at: p.at, score: p.score })),
    {
      at: last.at,
      score: last.score,
      value: ahead.length ? last.score : null,
      band: ahead.length ? ([last.score, last.score] as [number, number]) : null,
    },
    ...ahead.map((f) => ({ at: f.at, value: f.value, band: [f.lower, f.upper] as [number, number] })),
  ]
  const past = history.map((p) => `${fmtDate(p.at)} ${fmtScore(p.score)}`).join(', ')
  const label =
    `Overall score over time: ${past || fmtScore(last.score)}` +
    (ahead.length
      ? `; forecast ${ahead.map((f) => `${fmtScore(f.value)} in ${f.horizonDays} days (between ${fmtScore(f.lower)} and ${fmtScore(f.upper)})`).join('; ')}`
      : '')
  return (
    <div className="stack" data-testid="overall-trend">
      <ScoreTrend data={points} label={label} />
      {o.status === 'ok' ? (
        <>
          <p className="small">{forecast.narrative.narrative}</p>
          <p className="small muted">
            Trend: {o.trend} · <Source provider={forecast.provider} />
          </p>
          <Feedback requestId={forecast.requestId} compact about="Score forecast" />
        </>
      ) : (
        <p className="small muted" data-testid="forecast-missing">
          {o.message}
        </p>
      )}
    </div>
  )
}
