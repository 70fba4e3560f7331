import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { api, ApiError } from '../api/client.ts'
import type { AssessmentQuestions, History, Loose } from '../api/types.ts'
import { fmtDate, fmtScore, humanize } from '../lib/format.ts'
import { keys } from '../app/query.ts'
import { ScoreTrend } from '../components/charts.tsx'
import type { ModalOptions } from '../components/Modal.tsx'
import { Empty, ErrorState, ScoreBar, Skeleton, TableWrap } from '../components/ui.tsx'

/** The assessment deep-dive modal: sub-scores, your answers and what they contributed, how the score is computed, history. */
export function deepDiveModal(type: string): ModalOptions {
  return {
    title: `${humanize(type)}: deep dive`,
    size: 'lg',
    dismissOnBackdrop: true,
    testId: 'deep-dive-modal',
    render: () => <DeepDive type={type} />,
  }
}

type Breakdown = {
  groups: Array<{ key: string; title: string; score: number | null }>
  answers: Array<{ key: string; prompt: string; answer: string; contribution: number | null; group?: string }>
  method: string | null
}

/** Reads the breakdown endpoint's answer defensively (it is built on another branch). */
export function readBreakdown(raw: Loose): Breakdown {
  const arr = (v: unknown) => (Array.isArray(v) ? (v as Loose[]) : [])
  const num = (v: unknown) => (typeof v === 'number' ? v : null)
  const str = (v: unknown) =>
    typeof v === 'string' ? v : Array.isArray(v) ? v.join(', ') : v === undefined || v === null ? '' : String(v)
  const groups = arr(raw.groups ?? raw.groupScores).map((g) => ({
    key: str(g.key ?? g.group),
    title: str(g.title ?? g.key ?? g.group),
    score: num(g.score),
  }))
  const answers = arr(raw.answers ?? raw.contributions ?? raw.questions).map((a) => ({
    key: str(a.key ?? a.questionKey),
    prompt: str(a.prompt ?? a.question ?? a.key),
    answer: str(a.label ?? a.answerLabel ?? a.answer ?? a.value),
    contribution: num(a.contribution ?? a.points ?? a.score),
    group: str(a.group ?? a.groupKey),
  }))
  const method =
    typeof raw.method === 'string'
      ? raw.method
      : typeof raw.explanation === 'string'
        ? raw.explanation
        : typeof raw.formula === 'string'
          ? raw.formula
          : null
  return { groups, answers, method }
}

function DeepDive({ type }: { type: string }) {
  const history = useQuery({
    queryKey: keys.history(type),
    queryFn: () => api.get('/api/assessments/:type/history', { params: { type } }),
  })
  const questions = useQuery({
    queryKey: keys.questions(type),
    queryFn: () => api.get('/api/assessments/:type', { params: { type } }),
  })
  const latest = history.data?.submissions[0]
  const breakdown = useQuery({
    queryKey: keys.submission(type, latest?.id ?? 'none'),
    queryFn: () => api.get('/api/assessments/:type/submissions/:id', { params: { type, id: latest!.id } }),
    enabled: latest !== undefined,
    retry: false,
  })
  if (history.error)
    return <ErrorState error={history.error} what="This assessment's history" retry={() => history.refetch()} />
  if (!history.data || !questions.data) return <Skeleton lines={6} />
  if (!latest) return <Empty title="Not taken yet">Take this assessment to see its breakdown.</Empty>
  const b = breakdown.data ? readBreakdown(breakdown.data) : undefined
  const unavailable = breakdown.error instanceof ApiError && (breakdown.error.missing || breakdown.error.status === 404)
  return (
    <div className="stack deep-dive">
      <p>
        Score <strong data-testid="deep-dive-score">{fmtScore(latest.score)}</strong> out of 5, taken{' '}
        {fmtDate(latest.takenAt)}.
      </p>
      <section>
        <h3>Sub-scores by group</h3>
        {b && b.groups.length > 0 ? (
          <div className="stack">
            {b.groups.map((g) => (
              <ScoreBar key={g.key} label={g.title} score={g.score} />
            ))}
          </div>
        ) : breakdown.isLoading ? (
          <Skeleton lines={3} />
        ) : (
          <p className="muted small">
            {unavailable
              ? 'Group sub-scores are not available on this server yet.'
              : 'No group sub-scores for this submission.'}
          </p>
        )}
      </section>
      <section>
        <h3>Your answers</h3>
        {b && b.answers.length > 0 ? (
          <BreakdownAnswers b={b} />
        ) : (
          <AnswersByGroup questions={questions.data} answers={latest.answers} />
        )}
      </section>
      <section>
        <h3>How the score was computed</h3>
        <p className="small">
          {b?.method ??
            'Each answer is placed on its question’s scale, from least to most mature; the questions’ weighted average becomes a score from 1 to 5. Ranked and free-text answers count as the assessment defines.'}
        </p>
      </section>
      <section>
        <h3>History</h3>
        <HistoryChart history={history.data} />
        <p className="small">
          <Link to={`/assessments/${type}/history`}>All submissions</Link>
        </p>
      </section>
    </div>
  )
}

function BreakdownAnswers({ b }: { b: Breakdown }) {
  return (
    <TableWrap label="Your answers">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Question</th>
            <th scope="col">Your answer</th>
            <th scope="col" className="num">
              Contribution
            </th>
          </tr>
        </thead>
        <tbody>
          {b.answers.map((a) => (
            <tr key={a.key}>
              <td>{a.prompt}</td>
              <td>{a.answer}</td>
              <td className="num">
                {a.contribution === null ? '—' : a.contribution.toLocaleString(undefined, { maximumFractionDigits: 2 })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  )
}

/** Without the breakdown endpoint: each answer and its place on the question's scale. */
function AnswersByGroup({ questions, answers }: { questions: AssessmentQuestions; answers: Record<string, unknown> }) {
  return (
    <div className="stack">
      {questions.groups.map((g) => {
        const rows = g.questions.filter((q) => answers[q.key] !== undefined)
        if (rows.length === 0) return null
        return (
          <div key={g.key}>
            <h4>{g.title}</h4>
            <ul className="insight-list">
              {rows.map((q) => {
                const a = answers[q.key]
                const options = q.options ?? []
                const labelOf = (v: unknown) => options.find((o) => o.value === v)?.label ?? String(v)
                const position = q.type === 'select' ? options.findIndex((o) => o.value === a) : -1
                return (
                  <li key={q.key}>
                    <strong>{q.prompt}</strong>
                    <span>{Array.isArray(a) ? a.map(labelOf).join(q.type === 'rank' ? ' › ' : ', ') : labelOf(a)}</span>
                    {position >= 0 && (
                      <span className="muted small">
                        Step {position + 1} of {options.length} on this question’s maturity scale
                      </span>
                    )}
                  </li>
                )
              })}
            </ul>
          </div>
        )
      })}
    </div>
  )
}

export function HistoryChart({ history }: { history: History }) {
  const points = [...history.submissions].reverse().map((s) => ({ at: s.takenAt, score: s.score }))
  if (points.length < 2)
    return <p className="muted small">One submission so far: the trend appears after the next one.</p>
  return (
    <ScoreTrend
      data={points}
      label={`Scores over time: ${points.map((p) => `${fmtScore(p.score)} on ${fmtDate(p.at)}`).join(', ')}`}
      height={200}
    />
  )
}
