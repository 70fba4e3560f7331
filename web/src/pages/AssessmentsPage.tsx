import { api } from '../api/client.ts'
import type { Catalogue } from '../api/types.ts'
import { Card, Failure, Spinner, tone } from '../components/ui.tsx'
import { fmtDate, fmtScore, useAsync } from '../hooks.ts'
import { Link } from '../router.tsx'
import { useRealtime } from '../session.tsx'

export function AssessmentsPage() {
  const catalogue = useAsync(() => api.get<Catalogue>('/api/assessments'))
  useRealtime(['assessment.completed', 'profile.updated'], () => void catalogue.reload())
  if (catalogue.error) return <Failure error={catalogue.error} what="Assessments" />
  if (!catalogue.data) return <Spinner />
  const { assessments, growth, overallScore } = catalogue.data
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Assessments</h1>
          <p className="muted">
            Each deep assessment sharpens one area of your overall score ({fmtScore(overallScore)}). Questions adapt to
            your maturity.
          </p>
        </div>
      </div>
      <Card
        title="Growth assessment"
        actions={
          <Link to="/onboarding" className="btn">
            {growth.lastTaken ? 'Retake' : 'Start'}
          </Link>
        }
      >
        <p className="muted">
          Base score <strong>{fmtScore(growth.baseScore)}</strong> · last taken {fmtDate(growth.lastTaken)}
        </p>
      </Card>
      <div className="grid cards">
        {assessments.map((a) => {
          const locked = a.retakeAvailableAt !== null
          return (
            <section className="card assessment" key={a.type} data-testid={`assessment-${a.type}`}>
              <div className="assessment-top">
                <h2>{a.title}</h2>
                <span className={`pill tone-${tone(a.score)}`} data-testid="assessment-score">
                  {fmtScore(a.score)}
                </span>
              </div>
              <p className="muted clamp">{a.description}</p>
              <dl className="facts">
                <div>
                  <dt>Questions</dt>
                  <dd>{a.questionCount}</dd>
                </div>
                <div>
                  <dt>Last taken</dt>
                  <dd>{fmtDate(a.lastTaken)}</dd>
                </div>
                <div>
                  <dt>Retake</dt>
                  <dd>{locked ? fmtDate(a.retakeAvailableAt) : 'Now'}</dd>
                </div>
              </dl>
              <div className="row end">
                {a.lastTaken && (
                  <Link to={`/assessments/${a.type}/history`} className="btn ghost">
                    History
                  </Link>
                )}
                {locked ? (
                  <span className="btn disabled" title={`Available ${fmtDate(a.retakeAvailableAt)}`}>
                    Taken
                  </span>
                ) : (
                  <Link to={`/assessments/${a.type}`} className="btn primary">
                    {a.lastTaken ? 'Retake' : 'Start'}
                  </Link>
                )}
              </div>
            </section>
          )
        })}
      </div>
    </>
  )
}
