import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link, useNavigate, useParams } from 'react-router'
import { api } from '../api/client.ts'
import type { DocumentDetail } from '../api/types.ts'
import { fmtDateTime, fmtNumber, humanize } from '../lib/format.ts'
import { Page } from '../app/page.tsx'
import { keys } from '../app/query.ts'
import { useModals } from '../components/Modal.tsx'
import { Card, Empty, ErrorState, Skeleton, Source } from '../components/ui.tsx'

/** One document: its analysis (summary, key figures, risks, what to assess next) and its text. */
export default function DocumentPage() {
  const { id = '' } = useParams()
  const doc = useQuery({
    queryKey: [...keys.documents, id],
    queryFn: () => api.get('/api/documents/:id', { params: { id } }),
  })
  const d = doc.data
  return (
    <Page
      title={d?.filename ?? 'Document'}
      lead={
        <Link to="/documents" className="small">
          ← All documents
        </Link>
      }
      actions={d && <DeleteButton doc={d} />}
    >
      {doc.error ? (
        <ErrorState error={doc.error} what="This document" retry={() => doc.refetch()} />
      ) : !d ? (
        <Card>
          <Skeleton lines={6} />
        </Card>
      ) : (
        <Analysis doc={d} />
      )}
    </Page>
  )
}

function Analysis({ doc }: { doc: DocumentDetail }) {
  const a = doc.analysis
  if (!a)
    return (
      <Card title="Analysis">
        {doc.status === 'failed' ? (
          <div className="banner error" role="alert">
            The analysis failed{doc.error ? `: ${doc.error}` : '.'} Upload the file again to retry.
          </div>
        ) : (
          <Empty title="The analysis is on its way">This page updates by itself when it is ready.</Empty>
        )}
      </Card>
    )
  return (
    <>
      <Card title="Summary" testId="document-summary" actions={<Source provider={doc.provider} at={doc.analysedAt} />}>
        <p>{a.summary}</p>
      </Card>
      <div className="grid two">
        <Card title="Key figures" testId="document-figures">
          {a.keyFigures.length === 0 ? (
            <Empty title="No figures found" />
          ) : (
            <ul className="insight-list">
              {a.keyFigures.map((f, i) => (
                <li key={i}>
                  <strong>
                    {f.label}: {f.value}
                  </strong>
                  <span className="muted small">
                    {f.context}
                    {f.page !== null ? ` (page ${f.page})` : ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Risks" testId="document-risks">
          {a.risks.length === 0 ? (
            <Empty title="No risks spotted" />
          ) : (
            <ul className="insight-list">
              {a.risks.map((r, i) => (
                <li key={i}>
                  <strong>{r.risk}</strong>
                  <span className="muted small">
                    “{r.evidence}”{r.page !== null ? ` (page ${r.page})` : ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      {a.nextAssessments.length > 0 && (
        <Card title="Worth assessing next">
          <ul className="insight-list">
            {a.nextAssessments.map((n) => (
              <li key={n.assessment}>
                <Link to={`/assessments/${n.assessment}`}>
                  <strong>{humanize(n.assessment)}</strong>
                </Link>
                <span className="muted">{n.reason}</span>
              </li>
            ))}
          </ul>
        </Card>
      )}
      {doc.text && (
        <Card title="Extracted text">
          <details>
            <summary>
              Show the text ({fmtNumber(doc.textChars)} characters, uploaded {fmtDateTime(doc.createdAt)})
            </summary>
            <pre className="doc-text" tabIndex={0}>
              {doc.text.replace(/\f/g, '\n\n— next page —\n\n')}
            </pre>
          </details>
        </Card>
      )}
    </>
  )
}

function DeleteButton({ doc }: { doc: DocumentDetail }) {
  const modals = useModals()
  const client = useQueryClient()
  const navigate = useNavigate()
  const remove = useMutation({
    mutationFn: () => api.delete('/api/documents/:id', { params: { id: doc.id } }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: keys.documents })
      navigate('/documents', { replace: true })
    },
  })
  return (
    <button
      type="button"
      className="btn ghost"
      onClick={() =>
        modals.open({
          title: `Delete ${doc.filename}?`,
          size: 'sm',
          render: ({ close }) => (
            <div className="stack">
              <p>The file, its text and its analysis are removed for good.</p>
              {remove.error && <ErrorState error={remove.error} what="Deleting" />}
              <div className="row end">
                <button type="button" className="btn ghost" onClick={close}>
                  Keep it
                </button>
                <button
                  type="button"
                  className="btn danger"
                  onClick={async () => {
                    await remove.mutateAsync().catch(() => undefined)
                    close()
                  }}
                >
                  Delete
                </button>
              </div>
            </div>
          ),
        })
      }
    >
      Delete
    </button>
  )
}
