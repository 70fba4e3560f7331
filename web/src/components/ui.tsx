import type { ReactNode } from 'react'
import type { ApiError } from '../api/client.ts'

export function Field({
  label,
  error,
  hint,
  children,
  htmlFor,
}: {
  label: string
  error?: string | undefined
  hint?: string | undefined
  children: ReactNode
  htmlFor?: string
}) {
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint && !error && <div className="hint">{hint}</div>}
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  )
}

export function Card({
  title,
  children,
  actions,
  className,
}: {
  title?: ReactNode
  children: ReactNode
  actions?: ReactNode
  className?: string
}) {
  return (
    <section className={`card${className ? ` ${className}` : ''}`}>
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

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children && <div>{children}</div>}
    </div>
  )
}

/** An API failure: a friendly empty state when the endpoint is not deployed yet, else the message. */
export function Failure({ error, what }: { error: ApiError; what: string }) {
  if (error.missing)
    return (
      <Empty title={`${what}: not available yet`}>
        This server does not offer it yet. Check back after the next release.
      </Empty>
    )
  if (error.status === 403) return <Empty title={`${what} is for administrators`} />
  return (
    <div className="banner error" role="alert">
      {error.message}
    </div>
  )
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="spinner" role="status">
      <span className="dot" /> {label}
    </div>
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
        <strong>{score === null || score === undefined ? '—' : score.toFixed(2)}</strong>
      </div>
      <div className="scorebar-track">
        <div className={`scorebar-fill tone-${tone(score)}`} style={{ width: `${Math.max(pct, score ? 3 : 0)}%` }} />
        {markerPct !== undefined && (
          <div
            className="scorebar-marker"
            style={{ left: `${markerPct}%` }}
            title={`Peer median ${marker?.toFixed(2)}`}
          />
        )}
      </div>
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
        <strong className="ring-value">{score ? score.toFixed(2) : '—'}</strong>
        <span>{label}</span>
      </div>
    </div>
  )
}
