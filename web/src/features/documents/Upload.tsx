import { useQueryClient } from '@tanstack/react-query'
import { useId, useRef, useState } from 'react'
import { ApiError, uploadFile } from '../../api/client.ts'
import type { DocumentSummary } from '../../api/types.ts'
import { keys } from '../../app/query.ts'

const MAX_BYTES = 10 * 1024 * 1024
const TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/webp']

/** Why an upload was refused, in words (the server's codes: docs/analytics.md). */
export function uploadMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return 'The upload failed. Please try again.'
  switch (error.code) {
    case 'unsupported_media_type':
      return 'This is not a PDF, PNG, JPEG or WebP file.'
    case 'file_too_large':
      return 'The file is larger than 10 MB.'
    case 'too_many_pages':
      return 'The PDF has more than 100 pages.'
    case 'too_many_pixels':
      return 'The image is larger than 40 megapixels.'
    case 'document_encrypted':
      return 'The PDF is protected by a password: save an unprotected copy and upload that.'
    case 'document_unreadable':
      return 'The PDF could not be read. It may be damaged.'
    default:
      return error.message
  }
}

/** Pick a file, see it go up (a progress bar), then follow its analysis in the list. */
export function Upload({ onUploaded }: { onUploaded?: (doc: DocumentSummary) => void }) {
  const id = useId()
  const client = useQueryClient()
  const input = useRef<HTMLInputElement>(null)
  const [progress, setProgress] = useState<number>()
  const [error, setError] = useState<string>()
  const [done, setDone] = useState<string>()

  const send = async (file: File) => {
    setError(undefined)
    setDone(undefined)
    if (file.size > MAX_BYTES) return setError('The file is larger than 10 MB.')
    if (file.type && !TYPES.includes(file.type)) return setError('Choose a PDF, PNG, JPEG or WebP file.')
    setProgress(0)
    try {
      const doc = await uploadFile<DocumentSummary>('/api/documents', file, setProgress)
      setDone(`${doc.filename} uploaded. Its analysis is on the way.`)
      await client.invalidateQueries({ queryKey: keys.documents })
      onUploaded?.(doc)
      if (input.current) input.current.value = ''
    } catch (e) {
      setError(uploadMessage(e))
    } finally {
      setProgress(undefined)
    }
  }

  return (
    <div className="stack">
      <div className={`field${error ? ' has-error' : ''}`}>
        <label htmlFor={id}>Document or image</label>
        <input
          ref={input}
          id={id}
          type="file"
          accept=".pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/png,image/jpeg,image/webp"
          disabled={progress !== undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
          onChange={(e) => {
            const file = e.target.files?.[0]
            if (file) void send(file)
          }}
        />
        <div className="hint" id={`${id}-hint`}>
          PDF, PNG, JPEG or WebP, at most 10 MB (PDFs up to 100 pages). Uploading starts when you choose the file.
        </div>
        {error && (
          <div className="field-error" id={`${id}-error`} data-testid="upload-error">
            {error}
          </div>
        )}
      </div>
      {progress !== undefined && (
        <div className="progressbar" data-testid="upload-progress">
          <div className="progressbar-label">
            <span>Uploading</span>
            <span>{Math.round(progress * 100)}%</span>
          </div>
          <div
            className="progressbar-track"
            role="progressbar"
            aria-label="Upload progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(progress * 100)}
          >
            <div style={{ width: `${Math.round(progress * 100)}%` }} />
          </div>
        </div>
      )}
      {done && (
        <p className="banner info" role="status">
          {done}
        </p>
      )}
    </div>
  )
}
