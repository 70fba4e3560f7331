import { useState } from 'react'
import { api, ApiError } from '../api/client.ts'
import type { GrowthAnswers, GrowthResult } from '../api/types.ts'
import { Card, Field, ScoreBar, ScoreRing } from '../components/ui.tsx'
import { useRouter } from '../router.tsx'

type Options<K extends string> = Array<{ value: K; label: string }>
const SIZES: Options<GrowthAnswers['companySize']> = [
  { value: '1', label: 'Just me' },
  { value: '2-10', label: '2–10 people' },
  { value: '11-50', label: '11–50 people' },
  { value: '51-200', label: '51–200 people' },
  { value: '201-1000', label: '201–1,000 people' },
  { value: '1000+', label: 'More than 1,000' },
]
const REVENUES: Options<GrowthAnswers['revenueRange']> = [
  { value: 'under_100k', label: 'Under $100k' },
  { value: '100k_500k', label: '$100k – $500k' },
  { value: '500k_1m', label: '$500k – $1M' },
  { value: '1m_5m', label: '$1M – $5M' },
  { value: '5m_20m', label: '$5M – $20M' },
  { value: '20m_100m', label: '$20M – $100M' },
  { value: 'over_100m', label: 'Over $100M' },
]
const OBSTACLES: Options<GrowthAnswers['obstacles'][number]> = [
  { value: 'lead_generation', label: 'Generating leads' },
  { value: 'sales_conversion', label: 'Converting sales' },
  { value: 'customer_retention', label: 'Keeping customers' },
  { value: 'cash_flow', label: 'Cash flow' },
  { value: 'hiring', label: 'Hiring' },
  { value: 'operational_inefficiency', label: 'Operational inefficiency' },
  { value: 'scaling', label: 'Scaling operations' },
  { value: 'outdated_technology', label: 'Outdated technology' },
  { value: 'unclear_strategy', label: 'Unclear strategy' },
  { value: 'competition', label: 'Competition' },
  { value: 'other', label: 'Something else' },
]
const STRATEGY: Options<GrowthAnswers['strategy']> = [
  { value: 'none', label: "We don't have one yet" },
  { value: 'informal', label: 'Informal — it lives in our heads' },
  { value: 'documented', label: 'Documented' },
  { value: 'documented_with_kpis', label: 'Documented, with KPIs we track' },
]
const CUSTOMERS: Options<GrowthAnswers['customers']> = [
  { value: 'guessing', label: "We're mostly guessing" },
  { value: 'anecdotal', label: 'Anecdotes from conversations' },
  { value: 'regular_feedback', label: 'We collect feedback regularly' },
  { value: 'data_driven', label: 'Data-driven: we measure it' },
]
const TECHNOLOGY: Options<GrowthAnswers['technology']> = [
  { value: 'outdated', label: 'Outdated' },
  { value: 'needs_work', label: 'Works, but needs work' },
  { value: 'optimized', label: 'Optimized for how we work' },
  { value: 'cutting_edge', label: 'Cutting edge' },
]
const INDUSTRIES = [
  'Software',
  'Professional services',
  'Retail & e-commerce',
  'Manufacturing',
  'Healthcare',
  'Financial services',
  'Construction',
  'Hospitality',
  'Education',
  'Other',
]

type Draft = {
  industry: string
  companySize: string
  revenueRange: string
  obstacles: string[]
  obstaclesDetail: string
  strategy: string
  process: '' | 'yes' | 'no'
  customers: string
  technology: string
}
const STEPS = ['Your business', 'Obstacles', 'Strategy & customers', 'Process & technology'] as const

/** Which step a field lives on (to jump to the first error). */
const STEP_OF: Record<string, number> = {
  industry: 0,
  companySize: 0,
  revenueRange: 0,
  obstacles: 1,
  obstaclesDetail: 1,
  strategy: 2,
  customers: 2,
  process: 3,
  technology: 3,
}

function Choice<K extends string>({
  name,
  options,
  value,
  onChange,
}: {
  name: string
  options: Options<K>
  value: string
  onChange: (v: K) => void
}) {
  return (
    <div className="choices" role="radiogroup" aria-label={name}>
      {options.map((o) => (
        <label key={o.value} className={`choice${value === o.value ? ' selected' : ''}`}>
          <input
            type="radio"
            name={name}
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
          />
          {o.label}
        </label>
      ))}
    </div>
  )
}

export function OnboardingPage() {
  const { navigate } = useRouter()
  const [step, setStep] = useState(0)
  const [draft, setDraft] = useState<Draft>({
    industry: '',
    companySize: '',
    revenueRange: '',
    obstacles: [],
    obstaclesDetail: '',
    strategy: '',
    process: '',
    customers: '',
    technology: '',
  })
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<GrowthResult>()
  const [banner, setBanner] = useState<string>()
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }))
    setErrors((e) => ({ ...e, [key]: '' }))
  }

  function check(s: number): Record<string, string> {
    const e: Record<string, string> = {}
    const need = (k: keyof Draft, msg: string) => {
      if (!draft[k] || (Array.isArray(draft[k]) && draft[k].length === 0)) e[k] = msg
    }
    if (s === 0) {
      need('industry', 'Choose your industry')
      need('companySize', 'Choose your company size')
      need('revenueRange', 'Choose your revenue range')
    } else if (s === 1) need('obstacles', 'Pick at least one obstacle')
    else if (s === 2) {
      need('strategy', 'Choose one')
      need('customers', 'Choose one')
    } else {
      need('process', 'Choose yes or no')
      need('technology', 'Choose one')
    }
    return e
  }

  function next() {
    const e = check(step)
    setErrors(e)
    if (Object.values(e).some(Boolean)) return
    setStep((s) => s + 1)
  }

  async function submit() {
    const e = check(step)
    setErrors(e)
    if (Object.values(e).some(Boolean)) return
    setBusy(true)
    setBanner(undefined)
    try {
      const body = {
        industry: draft.industry,
        companySize: draft.companySize,
        revenueRange: draft.revenueRange,
        obstacles: draft.obstacles,
        ...(draft.obstaclesDetail.trim() ? { obstaclesDetail: draft.obstaclesDetail.trim() } : {}),
        strategy: draft.strategy,
        process: draft.process === 'yes',
        customers: draft.customers,
        technology: draft.technology,
      }
      setResult(await api.post<GrowthResult>('/api/growth-assessment', body))
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fieldErrors).length > 0) {
        const fields = Object.fromEntries(Object.entries(err.fieldErrors).map(([k, v]) => [k.split('.')[0]!, v]))
        setErrors(fields)
        const first = Math.min(...Object.keys(fields).map((k) => STEP_OF[k] ?? 0))
        setStep(first)
      } else setBanner(err instanceof Error ? err.message : 'Something went wrong')
    } finally {
      setBusy(false)
    }
  }

  if (result) {
    return (
      <div className="narrow">
        <Card title="Your growth baseline">
          <div className="result-hero">
            <ScoreRing score={result.baseScore} label="Base score" testId="growth-base-score" />
            <div className="stack grow">
              <ScoreBar label="Strategy" score={result.strategyScore} />
              <ScoreBar label="Process" score={result.processScore} />
              <ScoreBar label="Technology" score={result.technologyScore} />
            </div>
          </div>
          <p className="muted">
            Scores run from 1 (just starting) to 5 (best in class). Take the deep assessments to sharpen your overall
            score.
          </p>
          <div className="row end">
            <button className="btn" onClick={() => navigate('/assessments')}>
              Browse assessments
            </button>
            <button className="btn primary" onClick={() => navigate('/')}>
              Go to my dashboard
            </button>
          </div>
        </Card>
      </div>
    )
  }

  return (
    <div className="narrow">
      <h1>Growth assessment</h1>
      <p className="muted">Eight quick questions give you a baseline for strategy, process and technology.</p>
      <Stepper steps={STEPS} current={step} />
      <Card>
        {banner && (
          <div className="banner error" role="alert">
            {banner}
          </div>
        )}
        {step === 0 && (
          <>
            <Field label="Industry" htmlFor="industry" error={errors.industry}>
              <select id="industry" value={draft.industry} onChange={(e) => set('industry', e.target.value)}>
                <option value="">Choose…</option>
                {INDUSTRIES.map((i) => (
                  <option key={i}>{i}</option>
                ))}
              </select>
            </Field>
            <Field label="Company size" htmlFor="companySize" error={errors.companySize}>
              <select id="companySize" value={draft.companySize} onChange={(e) => set('companySize', e.target.value)}>
                <option value="">Choose…</option>
                {SIZES.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Annual revenue" htmlFor="revenueRange" error={errors.revenueRange}>
              <select
                id="revenueRange"
                value={draft.revenueRange}
                onChange={(e) => set('revenueRange', e.target.value)}
              >
                <option value="">Choose…</option>
                {REVENUES.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </Field>
          </>
        )}
        {step === 1 && (
          <>
            <Field label="What is holding your growth back? (up to 5)" error={errors.obstacles}>
              <div className="choices">
                {OBSTACLES.map((o) => {
                  const on = draft.obstacles.includes(o.value)
                  const full = !on && draft.obstacles.length >= 5
                  return (
                    <label key={o.value} className={`choice${on ? ' selected' : ''}${full ? ' disabled' : ''}`}>
                      <input
                        type="checkbox"
                        value={o.value}
                        checked={on}
                        disabled={full}
                        onChange={() =>
                          set(
                            'obstacles',
                            on ? draft.obstacles.filter((v) => v !== o.value) : [...draft.obstacles, o.value],
                          )
                        }
                      />
                      {o.label}
                    </label>
                  )
                })}
              </div>
            </Field>
            <Field label="Anything to add? (optional)" htmlFor="obstaclesDetail" error={errors.obstaclesDetail}>
              <textarea
                id="obstaclesDetail"
                maxLength={1000}
                rows={3}
                value={draft.obstaclesDetail}
                onChange={(e) => set('obstaclesDetail', e.target.value)}
              />
            </Field>
          </>
        )}
        {step === 2 && (
          <>
            <Field label="How clear is your growth strategy?" error={errors.strategy}>
              <Choice name="strategy" options={STRATEGY} value={draft.strategy} onChange={(v) => set('strategy', v)} />
            </Field>
            <Field
              label="How well do you know why customers buy from you — and why they leave?"
              error={errors.customers}
            >
              <Choice
                name="customers"
                options={CUSTOMERS}
                value={draft.customers}
                onChange={(v) => set('customers', v)}
              />
            </Field>
          </>
        )}
        {step === 3 && (
          <>
            <Field
              label="Do you have documented, repeatable processes for your core operations?"
              error={errors.process}
            >
              <Choice
                name="process"
                options={[
                  { value: 'yes', label: 'Yes' },
                  { value: 'no', label: 'Not yet' },
                ]}
                value={draft.process}
                onChange={(v) => set('process', v)}
              />
            </Field>
            <Field label="How would you describe your technology?" error={errors.technology}>
              <Choice
                name="technology"
                options={TECHNOLOGY}
                value={draft.technology}
                onChange={(v) => set('technology', v)}
              />
            </Field>
          </>
        )}
        <div className="row between">
          <button className="btn" disabled={step === 0} onClick={() => setStep((s) => s - 1)}>
            Back
          </button>
          {step < STEPS.length - 1 ? (
            <button className="btn primary" onClick={next}>
              Next
            </button>
          ) : (
            <button className="btn primary" onClick={submit} disabled={busy}>
              {busy ? 'Scoring…' : 'See my scores'}
            </button>
          )}
        </div>
      </Card>
    </div>
  )
}

export function Stepper({ steps, current }: { steps: readonly string[]; current: number }) {
  return (
    <ol className="stepper" aria-label="Progress">
      {steps.map((s, i) => (
        <li
          key={s}
          className={i < current ? 'done' : i === current ? 'current' : ''}
          aria-current={i === current ? 'step' : undefined}
        >
          <span className="num">{i + 1}</span>
          <span className="label">{s}</span>
        </li>
      ))}
    </ol>
  )
}
