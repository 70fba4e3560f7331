import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { api } from '../api/client.ts'
import { fmtDate, fmtScore } from '../lib/format.ts'
import { Page } from '../app/page.tsx'
import { keys } from '../app/query.ts'
import { useModals } from '../components/Modal.tsx'
import { Card, ErrorState, Skeleton, tone } from '../components/ui.tsx'
import { deepDiveModal } from '../modals/DeepDiveModal.tsx'

export default function AssessmentsPage() {
  const catalogue = useQuery({ queryKey: keys.catalogue, queryFn: () => api.get('/api/assessments') })
  const modals = useModals()
  const data = catalogue.data
  return (
    <Page
      title="Assessments"
      lead={`Each deep assessment sharpens one area of your overall score${data ? ` (${fmtScore(data.overallScore)})` : ''}. Questions adapt to your maturity.`}
    >
      {catalogue.error ? (
        <ErrorState error={catalogue.error} what="Assessments" retry={() => catalogue.refetch()} />
      ) : !data ? (
        <div className="grid cards">
          {Array.from({ length: 6 }, (_, i) => (
            <Card key={i}>
              <Skeleton lines={4} />
            </Card>
          ))}
        </div>
      ) : (
        <>
          <Card
            title="Growth assessment"
            actions={
              <Link to="/onboarding" className="btn">
                {data.growth.lastTaken ? 'Retake' : 'Start'}
              </Link>
            }
          >
            <p className="muted">
              Base score <strong>{fmtScore(data.growth.baseScore)}</strong> · last taken{' '}
              {fmtDate(data.growth.lastTaken)}
            </p>
          </Card>
          <ul className="grid cards plain">
            {data.assessments.map((a) => {
              const locked = a.retakeAvailableAt !== null
              return (
                <li className="card assessment" key={a.type} data-testid={`assessment-${a.type}`}>
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
                      <dd>{a.questionCount.toLocaleString()}</dd>
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
                  <div className="row end wrap">
                    {a.lastTaken && (
                      <>
                        <button
                          type="button"
                          className="btn ghost"
                          onClick={() => modals.open(deepDiveModal(a.type))}
                          aria-label={`Deep dive into ${a.title}`}
                        >
                          Deep dive
                        </button>
                        <Link
                          to={`/assessments/${a.type}/history`}
                          className="btn ghost"
                          aria-label={`${a.title} history`}
                        >
                          History
                        </Link>
                      </>
                    )}
                    {locked ? (
                      <span className="status-note">Taken · retake {fmtDate(a.retakeAvailableAt)}</span>
                    ) : (
                      <Link
                        to={`/assessments/${a.type}`}
                        className="btn primary"
                        aria-label={`${a.lastTaken ? 'Retake' : 'Start'} ${a.title}`}
                      >
                        {a.lastTaken ? 'Retake' : 'Start'}
                      </Link>
                    )}
                  </div>
                </li>
              )
            })}
          </ul>
        </>
      )}
    </Page>
  )
}
