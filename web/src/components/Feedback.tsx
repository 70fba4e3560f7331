import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useId, useState } from 'react'
import { api, ApiError } from '../api/client.ts'

/** The rating given to an answer in this session, shared by every thumbs control of that answer. */
const ratedKey = (requestId: string) => ['feedback', requestId] as const

/**
 * Thumbs up or down on one AI answer (by its request id), with an optional comment. Several
 * parts of one answer (a dashboard's strengths, weaknesses and roadmap) share its rating: the
 * server keeps one per answer, so rating one part thanks them all. `about` names the part in the
 * comment sent.
 */
export function Feedback({ requestId, compact, about }: { requestId: string; compact?: boolean; about?: string }) {
  const id = useId()
  const client = useQueryClient()
  const [rating, setRating] = useState<'up' | 'down'>()
  const [comment, setComment] = useState('')
  const [asking, setAsking] = useState(false)
  const rated = useQuery({ queryKey: ratedKey(requestId), queryFn: () => null, enabled: false, staleTime: Infinity })
  const send = useMutation({
    mutationFn: (body: { rating: 'up' | 'down'; comment?: string }) =>
      api.post('/api/ai/answers/:requestId/feedback', body, { params: { requestId } }),
    onSuccess: (saved) => client.setQueryData(ratedKey(requestId), saved.rating),
  })
  const withAbout = (text: string) => (about ? `${about}${text ? `: ${text}` : ''}` : text)
  if (send.isSuccess || rated.data) {
    return (
      <p className="feedback-done small" role="status">
        Thanks — your feedback was saved.
      </p>
    )
  }
  const choose = (r: 'up' | 'down') => {
    setRating(r)
    if (compact) send.mutate({ rating: r, ...(about ? { comment: about } : {}) })
    else setAsking(true)
  }
  return (
    <div className="feedback" data-testid="feedback">
      <div className="row" role="group" aria-label={about ? `Was this helpful? (${about})` : 'Was this helpful?'}>
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
            const text = withAbout(comment.trim())
            send.mutate({ rating, ...(text ? { comment: text } : {}) })
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
