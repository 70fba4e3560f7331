import { useMutation } from '@tanstack/react-query'
import { useId, useState } from 'react'
import { api, ApiError } from '../api/client.ts'

/** Thumbs up or down on one AI answer (by its request id), with an optional comment. */
export function Feedback({ requestId, compact }: { requestId: string; compact?: boolean }) {
  const id = useId()
  const [rating, setRating] = useState<'up' | 'down'>()
  const [comment, setComment] = useState('')
  const [asking, setAsking] = useState(false)
  const send = useMutation({
    mutationFn: (body: { rating: 'up' | 'down'; comment?: string }) =>
      api.post('/api/insights/:requestId/feedback', body, { params: { requestId } }),
  })
  if (send.isSuccess) {
    return (
      <p className="feedback-done small" role="status">
        Thanks — your feedback was saved.
      </p>
    )
  }
  const choose = (r: 'up' | 'down') => {
    setRating(r)
    if (compact) send.mutate({ rating: r })
    else setAsking(true)
  }
  return (
    <div className="feedback" data-testid="feedback">
      <div className="row" role="group" aria-label="Was this helpful?">
        <span className="small muted">Helpful?</span>
        <button
          type="button"
          className="btn small"
          aria-pressed={rating === 'up'}
          onClick={() => choose('up')}
          disabled={send.isPending}
        >
          <Thumb /> Yes
        </button>
        <button
          type="button"
          className="btn small"
          aria-pressed={rating === 'down'}
          onClick={() => choose('down')}
          disabled={send.isPending}
        >
          <Thumb down /> No
        </button>
      </div>
      {asking && rating && (
        <form
          className="stack feedback-form"
          onSubmit={(e) => {
            e.preventDefault()
            send.mutate({ rating, ...(comment.trim() ? { comment: comment.trim() } : {}) })
          }}
        >
          <label htmlFor={`${id}-comment`}>Anything to add? (optional)</label>
          <textarea
            id={`${id}-comment`}
            rows={2}
            maxLength={2000}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
          />
          <div className="row end">
            <button type="submit" className="btn primary small" disabled={send.isPending}>
              {send.isPending ? 'Sending…' : 'Send feedback'}
            </button>
          </div>
        </form>
      )}
      {send.error && (
        <p className="field-error" role="alert">
          {send.error instanceof ApiError && send.error.status === 404
            ? 'This answer can no longer be rated.'
            : 'Could not save your feedback. Try again.'}
        </p>
      )}
    </div>
  )
}

function Thumb({ down }: { down?: boolean }) {
  return (
    <svg
      width="14"
      height="14"
      viewBox="0 0 24 24"
      aria-hidden="true"
      style={down ? { transform: 'rotate(180deg)' } : undefined}
    >
      <path
        fill="currentColor"
        d="M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z"
      />
    </svg>
  )
}
