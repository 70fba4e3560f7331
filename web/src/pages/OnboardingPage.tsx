import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useEffect, useMemo, useState } from 'react'
import { useForm, type FieldPath } from 'react-hook-form'
import { useNavigate } from 'react-router'
import { growthAssessmentBody } from '../../../src/contracts/assessments.ts'
import { api } from '../api/client.ts'
import type { GrowthAnswers, GrowthResult } from '../api/types.ts'
import { applyServerErrors, plainResolver, sentence } from '../app/forms.ts'
import { draftStore, useLeaveGuard } from '../app/guard.tsx'
import { Page } from '../app/page.tsx'
import { keys } from '../app/query.ts'
import { useMe } from '../app/session.tsx'
import { INDUSTRIES, REVENUES, SIZES, type Options } from '../app/options.ts'
import { Card, describedBy, Field, FieldGroup, ProgressBar, ScoreBar, ScoreRing } from '../components/ui.tsx'

const OBSTACLES: Options = [
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
const STRATEGY: Options = [
  { value: 'none', label: "We don't have one yet" },
  { value: 'informal', label: 'Informal — it lives in our heads' },
  { value: 'documented', label: 'Documented' },
  { value: 'documented_with_kpis', label: 'Documented, with KPIs we track' },
]
const CUSTOMERS: Options = [
  { value: 'guessing', label: "We're mostly guessing" },
  { value: 'anecdotal', label: 'Anecdotes from conversations' },
  { value: 'regular_feedback', label: 'We collect feedback regularly' },
  { value: 'data_driven', label: 'Data-driven: we measure it' },
]
const TECHNOLOGY: Options = [
  { value: 'outdated', label: 'Outdated' },
  { value: 'needs_work', label: 'Works, but needs work' },
  { value: 'optimized', label: 'Optimized for how we work' },
  { value: 'cutting_edge', label: 'Cutting edge' },
]

type Form = GrowthAnswers
const STEPS: Array<{ title: string; fields: Array<FieldPath<Form>> }> = [
  { title: 'Your business', fields: ['industry', 'companySize', 'revenueRange'] },
  { title: 'Obstacles', fields: ['obstacles', 'obstaclesDetail'] },
  { title: 'Strategy & customers', fields: ['strategy', 'customers'] },
  { title: 'Process & technology', fields: ['process', 'technology'] },
]
type Draft = { step: number; values: Partial<Form> }

/** The growth assessment in four steps, checked with the server's schema, with a draft kept on this device. */
export default function OnboardingPage() {
  const me = useMe()
  const navigate = useNavigate()
  const client = useQueryClient()
  const drafts = useMemo(() => draftStore<Draft>(`optimaliq:draft:growth:${me?.id ?? 'anon'}`), [me?.id])
  const [restored] = useState(() => drafts.load())
  const [step, setStep] = useState(restored?.step ?? 0)
  const [banner, setBanner] = useState<string>()
  const [result, setResult] = useState<GrowthResult>()
  const form = useForm<Form>({
    resolver: plainResolver(growthAssessmentBody),
    defaultValues: { obstacles: [], ...restored?.values },
    shouldFocusError: true,
  })
  const { errors, isDirty } = form.formState
  const values = form.watch()
  const touched = isDirty || restored !== undefined
  useEffect(() => {
    if (!result && isDirty) drafts.save({ step, values })
  }, [values, step, isDirty, result, drafts])
  useLeaveGuard(touched && !result)

  const submit = useMutation({
    mutationFn: (body: Form) => api.post('/api/growth-assessment', body),
    onSuccess: (r) => {
      drafts.clear()
      setResult(r)
      void client.invalidateQueries({ queryKey: keys.scores })
      void client.invalidateQueries({ queryKey: keys.catalogue })
    },
    onError: (e) => {
      setBanner(
        applyServerErrors(
          e,
          form.setError,
          STEPS.flatMap((s) => s.fields),
          (f) => f.split('.')[0]!,
        ),
      )
      const first = STEPS.findIndex((s) => s.fields.some((f) => form.getFieldState(f).error))
      if (first >= 0) setStep(first)
    },
  })

  async function next() {
    if (await form.trigger(STEPS[step]!.fields, { shouldFocus: true })) setStep((s) => s + 1)
  }
  const onSubmit = form.handleSubmit(
    (v) =>
      submit.mutate({
        ...v,
        obstaclesDetail: v.obstaclesDetail?.trim() ? v.obstaclesDetail.trim() : undefined,
      } as Form),
    (errs) => {
      const first = STEPS.findIndex((s) => s.fields.some((f) => f in errs))
      if (first >= 0 && first !== step) setStep(first)
    },
  )

  if (result) {
    return (
      <Page title="Your growth baseline" narrow>
        <Card>
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
          <div className="row end wrap">
            <button className="btn" onClick={() => navigate('/assessments')}>
              Browse assessments
            </button>
            <button className="btn primary" onClick={() => navigate('/')}>
              Go to my dashboard
            </button>
          </div>
        </Card>
      </Page>
    )
  }

  const obstacles = values.obstacles ?? []
  const err = (f: keyof Form) => sentence(errors[f]?.message as string | undefined)
  return (
    <Page
      title="Growth assessment"
      lead="Eight quick questions give you a baseline for strategy, process and technology."
      narrow
    >
      <ProgressBar
        value={step}
        max={STEPS.length}
        label={`Step ${step + 1} of ${STEPS.length}: ${STEPS[step]!.title}`}
      />
      {restored && isDirty === false && (
        <div className="banner info row between wrap" role="status">
          <span>We restored the answers you left unfinished.</span>
          <button
            type="button"
            className="btn small"
            onClick={() => {
              drafts.clear()
              form.reset({ obstacles: [] })
              setStep(0)
            }}
          >
            Start over
          </button>
        </div>
      )}
      <Card title={STEPS[step]!.title}>
        <form noValidate onSubmit={step === STEPS.length - 1 ? onSubmit : (e) => (e.preventDefault(), void next())}>
          {banner && (
            <div className="banner error" role="alert">
              {banner}
            </div>
          )}
          {step === 0 && (
            <>
              <Field id="industry" label="Industry" error={err('industry')}>
                <select {...describedBy('industry', err('industry'))} {...form.register('industry')}>
                  <option value="">Choose…</option>
                  {INDUSTRIES.map((i) => (
                    <option key={i}>{i}</option>
                  ))}
                </select>
              </Field>
              <Field id="companySize" label="Company size" error={err('companySize')}>
                <select
                  {...describedBy('companySize', err('companySize'))}
                  {...form.register('companySize', { setValueAs: (v: string) => v || undefined })}
                >
                  <option value="">Choose…</option>
                  {SIZES.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </Field>
              <Field id="revenueRange" label="Annual revenue" error={err('revenueRange')}>
                <select
                  {...describedBy('revenueRange', err('revenueRange'))}
                  {...form.register('revenueRange', { setValueAs: (v: string) => v || undefined })}
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
              <FieldGroup
                id="obstacles"
                legend="What is holding your growth back? (up to 5)"
                error={err('obstacles')}
                hint={`${obstacles.length} of 5 selected`}
              >
                <div className="choices">
                  {OBSTACLES.map((o) => {
                    const on = obstacles.includes(o.value as never)
                    const full = !on && obstacles.length >= 5
                    return (
                      <label key={o.value} className={`choice${on ? ' selected' : ''}${full ? ' disabled' : ''}`}>
                        <input type="checkbox" value={o.value} disabled={full} {...form.register('obstacles')} />
                        {o.label}
                      </label>
                    )
                  })}
                </div>
              </FieldGroup>
              <Field
                id="obstaclesDetail"
                label="Anything to add? (optional)"
                error={err('obstaclesDetail')}
                hint={`${(values.obstaclesDetail ?? '').length.toLocaleString()} / 1,000`}
              >
                <textarea
                  rows={3}
                  maxLength={1000}
                  {...describedBy('obstaclesDetail', err('obstaclesDetail'), 'hint')}
                  {...form.register('obstaclesDetail')}
                />
              </Field>
            </>
          )}
          {step === 2 && (
            <>
              <Radios
                form={form}
                name="strategy"
                legend="How clear is your growth strategy?"
                options={STRATEGY}
                error={err('strategy')}
              />
              <Radios
                form={form}
                name="customers"
                legend="How well do you know why customers buy from you — and why they leave?"
                options={CUSTOMERS}
                error={err('customers')}
              />
            </>
          )}
          {step === 3 && (
            <>
              <FieldGroup
                id="process"
                legend="Do you have documented, repeatable processes for your core operations?"
                error={err('process')}
              >
                <div className="choices">
                  {[
                    ['true', 'Yes'],
                    ['false', 'Not yet'],
                  ].map(([v, label]) => (
                    <label key={v} className={`choice${String(values.process) === v ? ' selected' : ''}`}>
                      {/* A yes/no answer stored as a boolean (register's setValueAs does not apply to radios). */}
                      <input
                        type="radio"
                        name="process"
                        value={v}
                        checked={String(values.process) === v}
                        onChange={() =>
                          form.setValue('process', v === 'true', {
                            shouldDirty: true,
                            shouldValidate: form.formState.isSubmitted,
                          })
                        }
                      />
                      {label}
                    </label>
                  ))}
                </div>
              </FieldGroup>
              <Radios
                form={form}
                name="technology"
                legend="How would you describe your technology?"
                options={TECHNOLOGY}
                error={err('technology')}
              />
            </>
          )}
          <div className="row between">
            <button type="button" className="btn" disabled={step === 0} onClick={() => setStep((s) => s - 1)}>
              Back
            </button>
            {step < STEPS.length - 1 ? (
              <button type="submit" className="btn primary">
                Next
              </button>
            ) : (
              <button type="submit" className="btn primary" disabled={submit.isPending}>
                {submit.isPending ? 'Scoring…' : 'See my scores'}
              </button>
            )}
          </div>
        </form>
      </Card>
    </Page>
  )
}

function Radios({
  form,
  name,
  legend,
  options,
  error,
}: {
  form: ReturnType<typeof useForm<Form>>
  name: 'strategy' | 'customers' | 'technology'
  legend: string
  options: Options
  error: string | undefined
}) {
  const value = form.watch(name)
  return (
    <FieldGroup id={name} legend={legend} error={error}>
      <div className="choices">
        {options.map((o) => (
          <label key={o.value} className={`choice${value === o.value ? ' selected' : ''}`}>
            <input type="radio" value={o.value} {...form.register(name)} />
            {o.label}
          </label>
        ))}
      </div>
    </FieldGroup>
  )
}
