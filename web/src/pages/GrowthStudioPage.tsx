import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useForm } from 'react-hook-form'
import { simulationBody } from '../../../src/contracts/features.ts'
import { api, ApiError } from '../api/client.ts'
import type { Lever, Levers, Simulation, SimulationInput } from '../api/types.ts'
import { applyServerErrors, plainResolver, sentence } from '../app/forms.ts'
import { fmtMoney, fmtSigned, humanize } from '../lib/format.ts'
import { Page } from '../app/page.tsx'
import { keys } from '../app/query.ts'
import { Feedback, ItemFeedback } from '../components/Feedback.tsx'
import { useModals } from '../components/Modal.tsx'
import { Card, describedBy, ErrorState, Field, Skeleton, Source } from '../components/ui.tsx'
import { insightModal } from '../modals/InsightModal.tsx'
import { plannerModal } from '../modals/PlannerModal.tsx'

export default function GrowthStudioPage() {
  const levers = useQuery({
    queryKey: keys.levers,
    queryFn: () => api.post('/api/growth_studio/levers', {}),
    staleTime: 5 * 60_000,
  })
  const modals = useModals()
  return (
    <Page
      title="Growth studio"
      lead="Your five growth levers, and what-if scenarios for improving strategy, process and technology."
      actions={
        <button
          type="button"
          className="btn"
          disabled={!levers.data}
          onClick={() => modals.open(plannerModal({ levers: levers.data?.levers }))}
        >
          Plan my levers
        </button>
      }
    >
      <div className="grid two">
        <Card
          title="Growth levers"
          actions={levers.data && <Source provider={levers.data.provider} at={levers.data.generatedAt} />}
        >
          {levers.error ? (
            <ErrorState error={levers.error} what="Growth levers" retry={() => levers.refetch()} />
          ) : !levers.data ? (
            <Skeleton lines={8} label="Finding your levers" />
          ) : (
            <LeverList data={levers.data} />
          )}
        </Card>
        <Simulator />
      </div>
    </Page>
  )
}

function LeverList({ data }: { data: Levers }) {
  const client = useQueryClient()
  const [draft, setDraft] = useState<Record<string, number>>({})
  const save = useMutation({
    mutationFn: ({ id, progress }: { id: string; progress: number }) =>
      api.patch('/api/growth_studio/levers/:id/progress', { progress }, { params: { id } }),
    onSuccess: (updated) =>
      client.setQueryData<Levers>(keys.levers, (old) =>
        old ? { ...old, levers: old.levers.map((l) => (l.id === updated.id ? updated : l)) } : old,
      ),
  })
  const progressOf = (l: Lever) => draft[l.id] ?? l.progress
  return (
    <div>
      {save.error && (
        <div className="banner error" role="alert">
          Could not save progress: {save.error.message}
        </div>
      )}
      {data.levers.map((l) => (
        <div className="lever" key={l.id} data-testid="lever">
          <div className="lever-head">
            <h3>{l.title}</h3>
            <span className="tags">
              <span className="tag">{humanize(l.targetArea)}</span>
              <span className="tag">{l.effort} effort</span>
            </span>
          </div>
          <span className="muted small">{l.description}</span>
          <span className="small">Impact: {l.expectedImpact}</span>
          <span className="tags">
            <Source provider={data.provider} />
            {data.requestId && <ItemFeedback requestId={data.requestId} item={`levers.${l.id}`} label={l.title} />}
          </span>
          <div className="lever-progress">
            <input
              type="range"
              min={0}
              max={100}
              step={5}
              aria-label={`Progress on ${l.title}`}
              aria-valuetext={`${progressOf(l)}%`}
              value={progressOf(l)}
              onChange={(e) => setDraft((d) => ({ ...d, [l.id]: Number(e.target.value) }))}
              onPointerUp={(e) => save.mutate({ id: l.id, progress: Number((e.target as HTMLInputElement).value) })}
              onKeyUp={(e) => save.mutate({ id: l.id, progress: Number((e.target as HTMLInputElement).value) })}
            />
            <output>{progressOf(l)}%</output>
          </div>
        </div>
      ))}
    </div>
  )
}

const SLIDERS: Array<{
  key: 'strategyChange' | 'processChange' | 'technologyChange' | 'efficiency'
  label: string
  min: number
  max: number
  step: number
  fmt: (n: number) => string
}> = [
  { key: 'strategyChange', label: 'Strategy change', min: -2, max: 2, step: 0.1, fmt: (n) => fmtSigned(n) },
  { key: 'processChange', label: 'Process change', min: -2, max: 2, step: 0.1, fmt: (n) => fmtSigned(n) },
  { key: 'technologyChange', label: 'Technology change', min: -2, max: 2, step: 0.1, fmt: (n) => fmtSigned(n) },
  { key: 'efficiency', label: 'Current efficiency', min: 0, max: 100, step: 1, fmt: (n) => `${n}%` },
]

function Simulator() {
  const modals = useModals()
  const [sim, setSim] = useState<Simulation>()
  const [banner, setBanner] = useState<string>()
  const form = useForm<SimulationInput>({
    resolver: plainResolver(simulationBody),
    defaultValues: {
      strategyChange: 0.5,
      processChange: 0.5,
      technologyChange: 0.5,
      revenue: 1_000_000,
      costs: 700_000,
      efficiency: 60,
    },
    mode: 'onChange',
  })
  const errors = form.formState.errors
  const values = form.watch()
  const run = useMutation({
    mutationFn: (input: SimulationInput) => api.post('/api/growth_studio/simulation', input),
    onMutate: () => setBanner(undefined),
    onSuccess: setSim,
    onError: (e) => {
      setSim(undefined)
      setBanner(applyServerErrors(e, form.setError, ['revenue', 'costs', ...SLIDERS.map((s) => s.key)]))
    },
  })
  const comment = useMutation({
    mutationFn: (simulationId: string) => api.post('/api/growth_studio/commentary', { simulationId }),
  })
  const missing = run.error instanceof ApiError && run.error.missing
  const r = sim?.result
  return (
    <Card title="What-if simulation">
      {missing ? (
        <ErrorState error={run.error} what="Simulation" />
      ) : (
        <form
          className="simulator"
          noValidate
          onSubmit={form.handleSubmit(
            (v) => {
              comment.reset()
              run.mutate(v)
            },
            () => setSim(undefined),
          )}
        >
          {banner && (
            <div className="banner error" role="alert">
              {banner}
            </div>
          )}
          <Field id="sim-revenue" label="Annual revenue (USD)" error={sentence(errors.revenue?.message)}>
            <input
              type="number"
              inputMode="decimal"
              min={0}
              step={10000}
              {...describedBy('sim-revenue', errors.revenue?.message)}
              {...form.register('revenue', { valueAsNumber: true, onChange: () => setSim(undefined) })}
            />
          </Field>
          <Field id="sim-costs" label="Annual costs (USD)" error={sentence(errors.costs?.message)}>
            <input
              type="number"
              inputMode="decimal"
              min={0}
              step={10000}
              {...describedBy('sim-costs', errors.costs?.message)}
              {...form.register('costs', { valueAsNumber: true, onChange: () => setSim(undefined) })}
            />
          </Field>
          {SLIDERS.map((s) => (
            <div className="slider" key={s.key}>
              <label htmlFor={`sim-${s.key}`}>{s.label}</label>
              <input
                id={`sim-${s.key}`}
                type="range"
                min={s.min}
                max={s.max}
                step={s.step}
                aria-valuetext={s.fmt(Number(values[s.key]))}
                {...form.register(s.key, { valueAsNumber: true })}
              />
              <output htmlFor={`sim-${s.key}`}>{s.fmt(Number(values[s.key]))}</output>
              {errors[s.key] && <div className="field-error">{sentence(errors[s.key]?.message)}</div>}
            </div>
          ))}
          <div className="row end">
            <button type="submit" className="btn primary" disabled={run.isPending}>
              {run.isPending ? 'Running…' : 'Run simulation'}
            </button>
          </div>
        </form>
      )}
      {r && sim && (
        <div className="stack sim-result" data-testid="simulation-result" aria-live="polite">
          <div className="kpis">
            <div className="kpi">
              <span>Revenue impact</span>
              <strong>{fmtMoney(r.revenueImpact)}</strong>
              <div className="muted small">{fmtSigned(r.revenueImpactPct, '%')}</div>
            </div>
            <div className="kpi">
              <span>Cost savings</span>
              <strong>{fmtMoney(r.costSavings)}</strong>
              <div className="muted small">{fmtSigned(r.costSavingsPct, '%')}</div>
            </div>
            <div className="kpi">
              <span>Projected profit</span>
              <strong>{fmtMoney(r.projected.profit)}</strong>
              <div className="muted small">from {fmtMoney(r.baseline.profit)}</div>
            </div>
          </div>
          {comment.data ? (
            <div className="stack">
              <div className="commentary" data-testid="commentary">
                {comment.data.commentary}
              </div>
              <div className="row between wrap">
                <Source provider={comment.data.provider} />
                <button
                  type="button"
                  className="btn small"
                  onClick={() =>
                    modals.open(
                      insightModal({
                        kind: 'Executive commentary',
                        title: 'Executive commentary',
                        description: comment.data.commentary,
                        provider: comment.data.provider,
                        requestId: comment.data.requestId,
                        generatedAt: new Date().toISOString(),
                      }),
                    )
                  }
                >
                  Open as insight
                </button>
              </div>
              <Feedback requestId={comment.data.requestId} compact />
            </div>
          ) : (
            <div className="row end">
              {comment.error && <span className="field-error">Commentary unavailable: {comment.error.message}</span>}
              <button className="btn" onClick={() => comment.mutate(sim.id)} disabled={comment.isPending}>
                {comment.isPending ? 'Writing…' : 'Get executive commentary'}
              </button>
            </div>
          )}
        </div>
      )}
    </Card>
  )
}
