import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { api } from '../api/client.ts'
import type { DocumentSummary } from '../api/types.ts'
import { fmtDateTime, fmtNumber } from '../lib/format.ts'
import { Page } from '../app/page.tsx'
import { keys } from '../app/query.ts'
import { Card, Empty, ErrorState, Skeleton } from '../components/ui.tsx'
import { Upload } from '../features/documents/Upload.tsx'

const STATUS: Record<DocumentSummary['status'], { text: string; tone: string }> = {
  queued: { text: 'Waiting for analysis', tone: 'warn' },
  processing: { text: 'Being analysed', tone: 'warn' },
  analysed: { text: 'Analysed', tone: 'ok' },
  failed: { text: 'Analysis failed', tone: 'bad' },
}

export const sizeOf = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${fmtNumber(bytes / 1024 / 1024, 1)} MB` : `${fmtNumber(Math.max(1, bytes / 1024))} KB`

/** Documents: upload with progress; each one's analysis status, live. */
export default function DocumentsPage() {
  const docs = useQuery({ queryKey: keys.documents, queryFn: () => api.get('/api/documents') })
  return (
    <Page
      title="Documents"
      lead="Upload a business plan, a report or a screenshot: we pull out the key figures, the risks and what to assess next."
    >
      <Card title="Upload" testId="document-upload">
        <Upload />
      </Card>
      <Card title="Your documents" testId="documents">
        {docs.error ? (
          <ErrorState error={docs.error} what="Your documents" retry={() => docs.refetch()} />
        ) : !docs.data ? (
          <Skeleton lines={4} />
        ) : docs.data.documents.length === 0 ? (
          <Empty title="No documents yet">Upload one above; its analysis appears here when it is ready.</Empty>
        ) : (
          <ul className="insight-list" data-testid="document-list">
            {docs.data.documents.map((d) => (
              <li key={d.id} data-testid="document">
                <strong>
                  <Link to={`/documents/${d.id}`}>{d.filename}</Link>{' '}
                  <span className={`tag ${STATUS[d.status].tone}`} data-testid="document-status">
                    {STATUS[d.status].text}
                  </span>
                </strong>
                <span className="muted small">
                  {d.mediaType === 'application/pdf'
                    ? `PDF · ${d.pages ?? '?'} page${d.pages === 1 ? '' : 's'}`
                    : `Image · ${d.width ?? '?'}×${d.height ?? '?'}`}{' '}
                  · {sizeOf(d.sizeBytes)} · uploaded {fmtDateTime(d.createdAt)}
                  {d.error ? ` · ${d.error}` : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </Page>
  )
}
