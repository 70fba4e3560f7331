import type { ReactNode } from 'react'
import { ApiError } from '../api/client.ts'
import { fmtScore } from '../lib/format.ts'

/** Props that tie an input to its hint and error (`aria-describedby`, `aria-invalid`). */
export function describedBy(id: string, error?: string, hint?: string) {
  const ids = [error ? `${id}-error` : undefined, hint ? `${id}-hint` : undefined].filter(Boolean).join(' ')
  return { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': ids || undefined } as const
}

/** A labelled field: the label, the control, a hint and the error under it. */
export function Field({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string
  label: ReactNode
  error?: string | undefined
  hint?: ReactNode
  children: ReactNode
}) {
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <div className="field-error" id={`${id}-error`}>
          {error}
        </div>
      )}
    </div>
  )
}

/** A group of radios or checkboxes: a fieldset whose legend is the question. */
export function FieldGroup({
  id,
  legend,
  error,
  hint,
  children,
}: {
  id: string
  legend: ReactNode
  error?: string | undefined
  hint?: ReactNode
  children: ReactNode
}) {
  const ids = [error ? `${id}-error` : undefined, hint ? `${id}-hint` : undefined].filter(Boolean).join(' ')
  return (
    <fieldset
      className={`field${error ? ' has-error' : ''}`}
      aria-describedby={ids || undefined}
      aria-invalid={error ? true : undefined}
      id={id}
    >
      <legend>{legend}</legend>
      {children}
      {hint && (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <div className="field-error" id={`${id}-error`}>
          {error}
        </div>
      )}
    </fieldset>
  )
}

export function Card({
  title,
  children,
  actions,
  className,
  testId,
}: {
  title?: ReactNode
  children: ReactNode
  actions?: ReactNode
  className?: string
  testId?: string
}) {
  return (
    <section className={`card${className ? ` ${className}` : ''}`} data-testid={testId}>
      {(title || actions) && (
        <header className="card-head">
          {title && <h2>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  )
}

/** A table that may scroll sideways on a phone: a labelled region reachable by keyboard to scroll it. */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  )
}

/** Nothing to show yet, and what to do about it. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children && <div>{children}</div>}
    </div>
  )
}

/**
 * A failed load: "not available yet" when this server lacks the endpoint, a note for non-admins,
 * else the message and a retry button.
 */
export function ErrorState({ error, what, retry }: { error: unknown; what: string; retry?: () => unknown }) {
  const e =
    error instanceof ApiError
      ? error
      : new ApiError(0, 'client_error', error instanceof Error ? error.message : String(error))
  if (e.missing)
    return (
      <Empty title={`${what}: not available yet`}>
        This server does not offer it yet. It will appear here after the next release.
      </Empty>
    )
  if (e.status === 403) return <Empty title={`${what} is for administrators`} />
  return (
    <div className="banner error error-state" role="alert">
      <span>
        {what} could not be loaded. {e.message}
      </span>
      {retry && (
        <button type="button" className="btn small" onClick={() => void retry()}>
          Try again
        </button>
      )}
    </div>
  )
}

/** Grey blocks where content is coming. */
export function Skeleton({ lines = 3, label = 'Loading' }: { lines?: number; label?: string }) {
  return (
    <div className="skeleton" role="status" aria-label={label} aria-busy="true">
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className="skeleton-line" style={{ width: `${92 - ((i * 17) % 40)}%` }} />
      ))}
    </div>
  )
}

/** Who produced an AI answer: a model (named) or the rules engine. */
export function Source({ provider, at }: { provider: string | null | undefined; at?: string | null }) {
  const rules = provider === 'rules'
  return (
    <span className={`source ${rules ? 'rules' : 'model'}`} data-testid="source">
      {rules ? 'Rules engine' : `AI model · ${provider ?? 'unknown'}`}
      {at
        ? ` · ${new Date(at).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })}`
        : ''}
    </span>
  )
}

/** A score out of 5 as a horizontal bar. */
export function ScoreBar({
  label,
  score,
  marker,
  testId,
}: {
  label: string
  score: number | null | undefined
  marker?: number | null
  testId?: string
}) {
  const pct = score === null || score === undefined ? 0 : ((score - 1) / 4) * 100
  const markerPct = marker === null || marker === undefined ? undefined : ((marker - 1) / 4) * 100
  return (
    <div className="scorebar" data-testid={testId}>
      <div className="scorebar-label">
        <span>{label}</span>
        <strong>{fmtScore(score)}</strong>
      </div>
      <div className="scorebar-track" aria-hidden="true">
        <div className={`scorebar-fill tone-${tone(score)}`} style={{ width: `${Math.max(pct, score ? 3 : 0)}%` }} />
        {markerPct !== undefined && <div className="scorebar-marker" style={{ left: `${markerPct}%` }} />}
      </div>
      {marker !== null && marker !== undefined && <span className="sr-only">Peer median {fmtScore(marker)}</span>}
    </div>
  )
}

export function tone(score: number | null | undefined): 'none' | 'low' | 'mid' | 'high' {
  if (score === null || score === undefined) return 'none'
  return score < 2.5 ? 'low' : score < 3.75 ? 'mid' : 'high'
}

/** The big round overall score. */
export function ScoreRing({
  score,
  label,
  testId,
}: {
  score: number | null | undefined
  label: string
  testId?: string
}) {
  const r = 52
  const c = 2 * Math.PI * r
  const frac = score ? (score - 1) / 4 : 0
  return (
    <div className="ring" data-testid={testId}>
      <svg viewBox="0 0 120 120" width="132" height="132" aria-hidden="true">
        <circle cx="60" cy="60" r={r} className="ring-track" />
        <circle
          cx="60"
          cy="60"
          r={r}
          className={`ring-fill tone-${tone(score)}`}
          strokeDasharray={`${c * frac} ${c}`}
          transform="rotate(-90 60 60)"
        />
      </svg>
      <div className="ring-text">
        <strong className="ring-value">{score ? fmtScore(score) : '—'}</strong>
        <span>{label}</span>
      </div>
    </div>
  )
}

/** Progress through steps, as a bar with its value for assistive tech. */
export function ProgressBar({ value, max, label }: { value: number; max: number; label: string }) {
  const pct = max === 0 ? 0 : Math.round((value / max) * 100)
  return (
    <div className="progressbar">
      <div className="progressbar-label">
        <span>{label}</span>
        <span>{pct}%</span>
      </div>
      <div
        className="progressbar-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={value}
        aria-valuetext={`${value} of ${max}`}
      >
        <div style={{ width: `${pct}%` }} />
      </div>
    </div>
  )
}
