import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useId, useState } from 'react'
import { api, ApiError } from '../api/client.ts'

/** The rating given to an answer (or one item of it) in this session, shared by its thumbs controls. */
const ratedKey = (requestId: string, item?: string) => ['feedback', requestId, item ?? ''] as const
type Rating = 'up' | 'down'

function useRate(requestId: string, item: string | undefined) {
  const client = useQueryClient()
  const rated = useQuery<Rating | null>({
    queryKey: ratedKey(requestId, item),
    queryFn: () => null,
    enabled: false,
    staleTime: Infinity,
  })
  const send = useMutation({
    mutationFn: (body: { rating: Rating; comment?: string }) =>
      api.post(
        '/api/ai/answers/:requestId/feedback',
        { ...body, ...(item ? { item } : {}) },
        { params: { requestId } },
      ),
    onSuccess: (saved) => client.setQueryData(ratedKey(requestId, item), saved.rating),
  })
  return { rated: rated.data ?? undefined, send }
}

/**
 * Thumbs up or down on one AI answer (by its request id), with an optional comment. `item` names
 * the part rated ("roadmap", "strengths"): each part keeps its own rating on the server. Without
 * it, `about` names the part in the comment sent.
 */
export function Feedback({
  requestId,
  compact,
  about,
  item,
}: {
  requestId: string
  compact?: boolean
  about?: string
  item?: string
}) {
  const id = useId()
  const [rating, setRating] = useState<Rating>()
  const [comment, setComment] = useState('')
  const [asking, setAsking] = useState(false)
  const { rated, send } = useRate(requestId, item)
  const withAbout = (text: string) => (about && !item ? `${about}${text ? `: ${text}` : ''}` : text)
  if (send.isSuccess || rated) {
    return (
      <p className="feedback-done small" role="status">
        Thanks — your feedback was saved.
      </p>
    )
  }
  const choose = (r: 'up' | 'down') => {
    setRating(r)
    if (compact) send.mutate({ rating: r, ...(about && !item ? { comment: about } : {}) })
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

/**
 * Thumbs on one item of an answer (a strength, a roadmap step, a lever): two small buttons named
 * after the item; the chosen one stays pressed.
 */
export function ItemFeedback({ requestId, item, label }: { requestId: string; item: string; label: string }) {
  const { rated, send } = useRate(requestId, item)
  const chosen = send.isPending ? send.variables?.rating : rated
  return (
    <span className="item-feedback" role="group" aria-label={`Rate: ${label}`} data-testid="item-feedback">
      <button
        type="button"
        className="btn ghost icon"
        aria-label={`Helpful: ${label}`}
        aria-pressed={chosen === 'up'}
        disabled={send.isPending}
        onClick={() => send.mutate({ rating: 'up' })}
      >
        <Thumb />
      </button>
      <button
        type="button"
        className="btn ghost icon"
        aria-label={`Not helpful: ${label}`}
        aria-pressed={chosen === 'down'}
        disabled={send.isPending}
        onClick={() => send.mutate({ rating: 'down' })}
      >
        <Thumb down />
      </button>
      <span className="sr-only" role="status">
        {rated ? 'Rating saved' : send.error ? 'Could not save your rating' : ''}
      </span>
      {send.error && (
        <span className="field-error small" aria-hidden="true">
          Not saved
        </span>
      )}
    </span>
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
