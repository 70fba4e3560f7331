import { useState } from 'react'
import { api, ApiError } from '../api/client.ts'
import type { AssessmentQuestions, Question, SubmissionResult } from '../api/types.ts'
import { Card, Failure, Field, ScoreRing, Spinner } from '../components/ui.tsx'
import { fmtDate, fmtScore, humanize, useAsync } from '../hooks.ts'
import { Link, useRouter } from '../router.tsx'
import { Stepper } from './OnboardingPage.tsx'

type Answer = string | string[]
type Answers = Record<string, Answer>

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

export function TakeAssessmentPage({ type }: { type: string }) {
  const { navigate } = useRouter()
  const questions = useAsync(() => api.get<AssessmentQuestions>(`/api/assessments/${encodeURIComponent(type)}`), [type])
  const [step, setStep] = useState(0)
  const [answers, setAnswers] = useState<Answers>({})
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<SubmissionResult>()

  if (questions.error) return <Failure error={questions.error} what="This assessment" />
  if (!questions.data) return <Spinner />
  const data = questions.data
  const groups = data.groups
  const group = groups[step]!
  const value = (q: Question) => answers[q.key] ?? initial(q)
  const set = (q: Question, a: Answer) => {
    setAnswers((prev) => ({ ...prev, [q.key]: a }))
    setErrors((e) => ({ ...e, [q.key]: '' }))
  }

  function check(groupIndex: number) {
    const e: Record<string, string> = {}
    for (const q of groups[groupIndex]!.questions) {
      const m = missing(q, value(q))
      if (m) e[q.key] = m
    }
    setErrors(e)
    return Object.keys(e).length === 0
  }

  async function submit() {
    if (!check(step)) return
    setBusy(true)
    setBanner(undefined)
    const body: Answers = {}
    for (const g of groups)
      for (const q of g.questions) {
        const a = value(q)
        if (a !== undefined && !(typeof a === 'string' && a.trim() === ''))
          body[q.key] = typeof a === 'string' ? a.trim() : a
      }
    try {
      setResult(
        await api.post<SubmissionResult>(`/api/assessments/${encodeURIComponent(type)}`, {
          answers: body,
          bracketKey: data.bracketKey,
        }),
      )
    } catch (err) {
      if (!(err instanceof ApiError)) setBanner('Something went wrong')
      else if (err.code === 'bracket_changed') {
        setBanner(
          'Your questions changed since you started (your maturity moved). We loaded the new set — please answer again.',
        )
        setAnswers({})
        setStep(0)
        await questions.reload()
      } else if (Object.keys(err.fieldErrors).length > 0) {
        const fields: Record<string, string> = {}
        for (const [k, v] of Object.entries(err.fieldErrors)) fields[k.replace(/^answers\.?/, '') || '_'] = v
        setErrors(fields)
        const first = groups.findIndex((g) => g.questions.some((q) => fields[q.key]))
        if (first >= 0) setStep(first)
        setBanner(fields._ ?? 'Some answers need another look.')
      } else setBanner(err.message)
    } finally {
      setBusy(false)
    }
  }

  if (result) {
    return (
      <div className="narrow">
        <Card title={`${data.title}: your result`}>
          <div className="result-hero">
            <ScoreRing score={result.score} label="Score" testId="assessment-result-score" />
            <div className="stack">
              <p>
                Overall score now <strong data-testid="overall-after">{fmtScore(result.overallScore)}</strong>
              </p>
              <p className="muted">
                Maturity bracket: {humanize(result.bracketKey).replace('Score ', 'level ').replace('_', '.')}
              </p>
              <p className="muted">Taken {fmtDate(result.takenAt)}</p>
            </div>
          </div>
          <div className="row end">
            <Link to={`/assessments/${type}/history`} className="btn">
              History
            </Link>
            <button className="btn primary" onClick={() => navigate('/')}>
              See my dashboard
            </button>
          </div>
        </Card>
      </div>
    )
  }

  if (data.retakeAvailableAt) {
    return (
      <div className="narrow">
        <Card title={data.title}>
          <p>
            You took this assessment on {fmtDate(data.lastTaken)} (score {fmtScore(data.score)}). You can retake it from{' '}
            <strong>{fmtDate(data.retakeAvailableAt)}</strong>.
          </p>
          <div className="row end">
            <Link to={`/assessments/${type}/history`} className="btn primary">
              View history
            </Link>
          </div>
        </Card>
      </div>
    )
  }

  return (
    <div className="narrow">
      <h1>{data.title}</h1>
      <p className="muted">{data.description}</p>
      <Stepper steps={groups.map((g) => g.title)} current={step} />
      <Card title={group.title}>
        {group.description && <p className="muted">{group.description}</p>}
        {banner && (
          <div className="banner error" role="alert">
            {banner}
          </div>
        )}
        {group.questions.map((q) => (
          <QuestionInput key={q.key} question={q} value={value(q)} error={errors[q.key]} onChange={(a) => set(q, a)} />
        ))}
        <div className="row between">
          <button className="btn" disabled={step === 0} onClick={() => setStep((s) => s - 1)}>
            Back
          </button>
          <span className="muted small">
            Step {step + 1} of {groups.length}
          </span>
          {step < groups.length - 1 ? (
            <button className="btn primary" onClick={() => check(step) && setStep((s) => s + 1)}>
              Next
            </button>
          ) : (
            <button className="btn primary" onClick={submit} disabled={busy}>
              {busy ? 'Scoring…' : 'Submit'}
            </button>
          )}
        </div>
      </Card>
    </div>
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
      <Field label={label} error={error} hint={q.help}>
        <div className="choices" role="radiogroup" aria-label={q.prompt} data-question={q.key}>
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
      </Field>
    )
  }
  if (q.type === 'multi_select') {
    const picked = Array.isArray(value) ? value : []
    const max = q.maxSelections ?? options.length
    return (
      <Field
        label={label}
        error={error}
        hint={q.help ?? (max < options.length ? `Pick up to ${max}` : 'Pick all that apply')}
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
        {max < options.length && (
          <div className="hint">
            {picked.length} of {max} selected
          </div>
        )}
      </Field>
    )
  }
  if (q.type === 'text_area') {
    const text = typeof value === 'string' ? value : ''
    return (
      <Field label={label} error={error} hint={q.help} htmlFor={id}>
        <textarea
          id={id}
          rows={4}
          maxLength={q.maxLength ?? 1000}
          value={text}
          onChange={(e) => onChange(e.target.value)}
          data-question={q.key}
        />
        <div className="hint right">
          {text.length} / {q.maxLength ?? 1000}
        </div>
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
  }
  return (
    <Field label={label} error={error} hint={q.help ?? 'Most important first'}>
      <ol className="rank" data-question={q.key}>
        {order.map((v, i) => (
          <li key={v}>
            <span className="rank-num">{i + 1}</span>
            <span className="grow">{labelOf(v)}</span>
            <button
              type="button"
              className="icon"
              aria-label={`Move ${labelOf(v)} up`}
              disabled={i === 0}
              onClick={() => move(i, -1)}
            >
              ↑
            </button>
            <button
              type="button"
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
    </Field>
  )
}
