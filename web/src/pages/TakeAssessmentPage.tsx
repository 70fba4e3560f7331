import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useMemo, useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { api, ApiError } from '../api/client.ts'
import type { AssessmentQuestions, Question, SubmissionResult } from '../api/types.ts'
import { fmtDate, fmtScore, humanize } from '../lib/format.ts'
import { draftStore, useLeaveGuard } from '../app/guard.tsx'
import { Page } from '../app/page.tsx'
import { keys } from '../app/query.ts'
import { useMe } from '../app/session.tsx'
import { useModals } from '../components/Modal.tsx'
import {
  Card,
  describedBy,
  ErrorState,
  Field,
  FieldGroup,
  ProgressBar,
  ScoreRing,
  Skeleton,
} from '../components/ui.tsx'
import { deepDiveModal } from '../modals/DeepDiveModal.tsx'

type Answer = string | string[]
type Answers = Record<string, Answer>
type Draft = { bracketKey: string; step: number; answers: Answers }

/** The question's answer as the API expects it (rank: every option, most important first). */
function initial(q: Question): Answer | undefined {
  if (q.type === 'rank') return (q.options ?? []).map((o) => o.value)
  return undefined
}

function missing(q: Question, a: Answer | undefined): string | undefined {
  if (!q.required) return undefined
  if (a === undefined || (typeof a === 'string' && a.trim() === '') || (Array.isArray(a) && a.length === 0))
    return q.type === 'multi_select'
      ? 'Pick at least one'
      : q.type === 'text_area'
        ? 'Please write an answer'
        : 'Choose one'
  return undefined
}

export default function TakeAssessmentPage() {
  const { type = '' } = useParams()
  const questions = useQuery({
    queryKey: keys.questions(type),
    queryFn: () => api.get('/api/assessments/:type', { params: { type } }),
  })
  if (questions.error)
    return (
      <Page title={humanize(type)}>
        <ErrorState error={questions.error} what="This assessment" retry={() => questions.refetch()} />
      </Page>
    )
  if (!questions.data)
    return (
      <Page title={humanize(type)} narrow>
        <Card>
          <Skeleton lines={6} />
        </Card>
      </Page>
    )
  return (
    <Assessment
      key={`${type}:${questions.data.bracketKey}`}
      type={type}
      data={questions.data}
      reload={() => questions.refetch()}
    />
  )
}

function Assessment({ type, data, reload }: { type: string; data: AssessmentQuestions; reload: () => unknown }) {
  const me = useMe()
  const navigate = useNavigate()
  const client = useQueryClient()
  const modals = useModals()
  const drafts = useMemo(() => draftStore<Draft>(`optimaliq:draft:${type}:${me?.id ?? 'anon'}`), [type, me?.id])
  const [restored] = useState(() => {
    const d = drafts.load()
    return d && d.bracketKey === data.bracketKey ? d : undefined
  })
  const [step, setStep] = useState(restored?.step ?? 0)
  const [answers, setAnswers] = useState<Answers>(restored?.answers ?? {})
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<string>()
  const [result, setResult] = useState<SubmissionResult>()
  const dirty = Object.keys(answers).length > 0
  useEffect(() => {
    if (dirty && !result) drafts.save({ bracketKey: data.bracketKey, step, answers })
  }, [answers, step, dirty, result, drafts, data.bracketKey])
  useLeaveGuard(dirty && !result)

  const groups = data.groups
  const group = groups[step]
  const value = (q: Question) => answers[q.key] ?? initial(q)
  const set = (q: Question, a: Answer) => {
    setAnswers((prev) => ({ ...prev, [q.key]: a }))
    setErrors((e) => ({ ...e, [q.key]: '' }))
  }
  const answered = groups.flatMap((g) => g.questions).filter((q) => answers[q.key] !== undefined).length
  const total = groups.reduce((n, g) => n + g.questions.length, 0)

  function check(groupIndex: number) {
    const e: Record<string, string> = {}
    for (const q of groups[groupIndex]!.questions) {
      const m = missing(q, value(q))
      if (m) e[q.key] = m
    }
    setErrors(e)
    const first = Object.keys(e)[0]
    if (first)
      requestAnimationFrame(() =>
        document.getElementById(`q-${first}`)?.querySelector<HTMLElement>('input, textarea, button')?.focus(),
      )
    return Object.keys(e).length === 0
  }

  const submit = useMutation({
    mutationFn: (body: { answers: Answers; bracketKey: AssessmentQuestions['bracketKey'] }) =>
      api.post('/api/assessments/:type', body, { params: { type } }),
    onSuccess: (r) => {
      drafts.clear()
      setResult(r)
      for (const key of [keys.scores, keys.catalogue, keys.history(type), keys.dashboard])
        void client.invalidateQueries({ queryKey: key })
    },
    onError: async (err) => {
      if (!(err instanceof ApiError)) return setBanner('Something went wrong. Please try again.')
      if (err.code === 'bracket_changed') {
        setBanner(
          'Your questions changed since you started (your maturity moved). We loaded the new set: please answer again.',
        )
        drafts.clear()
        await reload()
        return
      }
      const fields: Record<string, string> = {}
      for (const [k, v] of Object.entries(err.fieldErrors)) fields[k.replace(/^answers\.?/, '') || '_'] = v
      if (Object.keys(fields).length > 0) {
        setErrors(fields)
        const first = groups.findIndex((g) => g.questions.some((q) => fields[q.key]))
        if (first >= 0) setStep(first)
        setBanner(fields._ ?? 'Some answers need another look.')
      } else setBanner(err.message)
    },
  })

  function onSubmit() {
    if (!check(step)) return
    setBanner(undefined)
    const body: Answers = {}
    for (const g of groups)
      for (const q of g.questions) {
        const a = value(q)
        if (a !== undefined && !(typeof a === 'string' && a.trim() === ''))
          body[q.key] = typeof a === 'string' ? a.trim() : a
      }
    submit.mutate({ answers: body, bracketKey: data.bracketKey })
  }

  if (result) {
    return (
      <Page title={`${data.title}: your result`} narrow>
        <Card>
          <div className="result-hero">
            <ScoreRing score={result.score} label="Score" testId="assessment-result-score" />
            <div className="stack">
              <p>
                Overall score now <strong data-testid="overall-after">{fmtScore(result.overallScore)}</strong>
              </p>
              <p className="muted">Maturity: {result.bracketLabel}</p>
              <p className="muted">Taken {fmtDate(result.takenAt)}</p>
            </div>
          </div>
          <div className="row end wrap">
            <button className="btn" onClick={() => modals.open(deepDiveModal(type))}>
              Deep dive
            </button>
            <Link to={`/assessments/${type}/history`} className="btn">
              History
            </Link>
            <button className="btn primary" onClick={() => navigate('/')}>
              See my dashboard
            </button>
          </div>
        </Card>
      </Page>
    )
  }

  if (data.retakeAvailableAt) {
    return (
      <Page title={data.title} narrow>
        <Card>
          <p>
            You took this assessment on {fmtDate(data.lastTaken)} (score {fmtScore(data.score)}). You can retake it from{' '}
            <strong>{fmtDate(data.retakeAvailableAt)}</strong>.
          </p>
          <div className="row end wrap">
            <button className="btn" onClick={() => modals.open(deepDiveModal(type))}>
              Deep dive
            </button>
            <Link to={`/assessments/${type}/history`} className="btn primary">
              View history
            </Link>
          </div>
        </Card>
      </Page>
    )
  }

  if (!group) return null
  return (
    <Page title={data.title} lead={data.description} narrow>
      <ProgressBar value={answered} max={total} label={`Step ${step + 1} of ${groups.length}: ${group.title}`} />
      {restored && (
        <div className="banner info row between wrap" role="status">
          <span>We restored the answers you left unfinished.</span>
          <button
            type="button"
            className="btn small"
            onClick={() => {
              drafts.clear()
              setAnswers({})
              setStep(0)
            }}
          >
            Start over
          </button>
        </div>
      )}
      <Card title={group.title}>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault()
            if (step < groups.length - 1) {
              if (check(step)) setStep((s) => s + 1)
            } else onSubmit()
          }}
        >
          {group.description && <p className="muted">{group.description}</p>}
          {banner && (
            <div className="banner error" role="alert">
              {banner}
            </div>
          )}
          {group.questions.map((q) => (
            <QuestionInput
              key={q.key}
              question={q}
              value={value(q)}
              error={errors[q.key] || undefined}
              onChange={(a) => set(q, a)}
            />
          ))}
          <div className="row between">
            <button type="button" className="btn" disabled={step === 0} onClick={() => setStep((s) => s - 1)}>
              Back
            </button>
            <span className="muted small">
              Step {step + 1} of {groups.length}
            </span>
            {step < groups.length - 1 ? (
              <button type="submit" className="btn primary">
                Next
              </button>
            ) : (
              <button type="submit" className="btn primary" disabled={submit.isPending}>
                {submit.isPending ? 'Scoring…' : 'Submit'}
              </button>
            )}
          </div>
        </form>
      </Card>
    </Page>
  )
}

function QuestionInput({
  question: q,
  value,
  error,
  onChange,
}: {
  question: Question
  value: Answer | undefined
  error: string | undefined
  onChange: (a: Answer) => void
}) {
  const id = `q-${q.key}`
  const label = q.required ? q.prompt : `${q.prompt} (optional)`
  const options = q.options ?? []
  if (q.type === 'select') {
    return (
      <FieldGroup id={id} legend={label} error={error} hint={q.help}>
        <div className="choices" data-question={q.key}>
          {options.map((o) => (
            <label key={o.value} className={`choice${value === o.value ? ' selected' : ''}`}>
              <input
                type="radio"
                name={id}
                value={o.value}
                checked={value === o.value}
                onChange={() => onChange(o.value)}
              />
              {o.label}
            </label>
          ))}
        </div>
      </FieldGroup>
    )
  }
  if (q.type === 'multi_select') {
    const picked = Array.isArray(value) ? value : []
    const max = q.maxSelections ?? options.length
    return (
      <FieldGroup
        id={id}
        legend={label}
        error={error}
        hint={`${q.help ? `${q.help} · ` : ''}${max < options.length ? `${picked.length} of ${max} selected` : 'Pick all that apply'}`}
      >
        <div className="choices" data-question={q.key}>
          {options.map((o) => {
            const on = picked.includes(o.value)
            const full = !on && picked.length >= max
            return (
              <label key={o.value} className={`choice${on ? ' selected' : ''}${full ? ' disabled' : ''}`}>
                <input
                  type="checkbox"
                  value={o.value}
                  checked={on}
                  disabled={full}
                  onChange={() => onChange(on ? picked.filter((v) => v !== o.value) : [...picked, o.value])}
                />
                {o.label}
              </label>
            )
          })}
        </div>
      </FieldGroup>
    )
  }
  if (q.type === 'text_area') {
    const text = typeof value === 'string' ? value : ''
    const max = q.maxLength ?? 1000
    return (
      <Field
        id={id}
        label={label}
        error={error}
        hint={`${q.help ? `${q.help} · ` : ''}${text.length.toLocaleString()} / ${max.toLocaleString()}`}
      >
        <textarea
          rows={4}
          maxLength={max}
          value={text}
          onChange={(e) => onChange(e.target.value)}
          data-question={q.key}
          {...describedBy(id, error, 'hint')}
        />
      </Field>
    )
  }
  // rank: every option, most important first, reordered with up/down buttons
  const order = Array.isArray(value) ? value : options.map((o) => o.value)
  const labelOf = (v: string) => options.find((o) => o.value === v)?.label ?? v
  const move = (i: number, d: -1 | 1) => {
    const next = [...order]
    const j = i + d
    if (j < 0 || j >= next.length) return
    ;[next[i], next[j]] = [next[j]!, next[i]!]
    onChange(next)
    requestAnimationFrame(() => document.getElementById(`${id}-${next[j]}-${d < 0 ? 'up' : 'down'}`)?.focus())
  }
  return (
    <FieldGroup id={id} legend={label} error={error} hint={q.help ?? 'Most important first'}>
      <ol className="rank" data-question={q.key}>
        {order.map((v, i) => (
          <li key={v}>
            <span className="rank-num" aria-hidden="true">
              {i + 1}
            </span>
            <span className="grow">{labelOf(v)}</span>
            <button
              type="button"
              id={`${id}-${v}-up`}
              className="icon"
              aria-label={`Move ${labelOf(v)} up`}
              disabled={i === 0}
              onClick={() => move(i, -1)}
            >
              ↑
            </button>
            <button
              type="button"
              id={`${id}-${v}-down`}
              className="icon"
              aria-label={`Move ${labelOf(v)} down`}
              disabled={i === order.length - 1}
              onClick={() => move(i, 1)}
            >
              ↓
            </button>
          </li>
        ))}
      </ol>
    </FieldGroup>
  )
}
