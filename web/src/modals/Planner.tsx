import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useFieldArray, useForm } from 'react-hook-form'
import { planBody } from '../../../src/contracts/plans.ts'
import { api } from '../api/client.ts'
import type { Dashboard, Lever, Levers, Plan, PlanBody, PlanItem } from '../api/types.ts'
import { applyServerErrors, plainResolver, sentence } from '../app/forms.ts'
import { keys } from '../app/query.ts'
import { describedBy, ErrorState, Skeleton } from '../components/ui.tsx'

export type Sources = { roadmap?: Dashboard['roadmap']; levers?: Lever[] }

const addDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)
/** "1-3 months" → a due date at its upper end. */
function dueFrom(timeframe: string): string {
  const m = /(\d+)\s*(?:-|–|to)?\s*(\d+)?\s*(day|week|month|quarter|year)/i.exec(timeframe)
  if (!m) return addDays(90)
  const n = Number(m[2] ?? m[1])
  const unit = m[3]!.toLowerCase()
  return addDays(n * (unit === 'day' ? 1 : unit === 'week' ? 7 : unit === 'month' ? 30 : unit === 'quarter' ? 91 : 365))
}

export function draftFrom(sources: Sources): PlanItem[] {
  const items: PlanItem[] = []
  for (const l of sources.levers ?? [])
    items.push({
      title: l.title,
      source: 'lever',
      owner: 'Me',
      due: addDays(90),
      progress: l.progress,
      status: l.progress >= 100 ? 'done' : l.progress > 0 ? 'doing' : 'todo',
    })
  for (const r of sources.roadmap ?? [])
    items.push({
      title: r.task,
      source: 'roadmap',
      owner: r.owner || 'Me',
      due: dueFrom(r.timeframe),
      progress: 0,
      status: 'todo',
    })
  return items.slice(0, 50)
}

export default function Planner({ sources, onSaved }: { sources: Sources; onSaved: () => void }) {
  const plans = useQuery({ queryKey: keys.plans, queryFn: () => api.get('/api/plans') })
  const client = useQueryClient()
  if (plans.error) return <ErrorState error={plans.error} what="Your plans" retry={() => plans.refetch()} />
  if (!plans.data) return <Skeleton lines={6} />
  const existing = plans.data.plans[0]
  const levers = sources.levers ?? client.getQueryData<Levers>(keys.levers)?.levers
  const roadmap = sources.roadmap ?? client.getQueryData<Dashboard>(keys.dashboard)?.roadmap
  return (
    <PlanForm
      existing={existing}
      initial={
        existing
          ? { title: existing.title, items: existing.items }
          : { title: 'Growth plan', items: draftFrom({ levers, roadmap }) }
      }
      onSaved={onSaved}
    />
  )
}

function PlanForm({
  existing,
  initial,
  onSaved,
}: {
  existing: Plan | undefined
  initial: PlanBody
  onSaved: () => void
}) {
  const client = useQueryClient()
  const [banner, setBanner] = useState<string>()
  const form = useForm<PlanBody>({ resolver: plainResolver(planBody), defaultValues: initial })
  const items = useFieldArray({ control: form.control, name: 'items' })
  const errors = form.formState.errors
  const save = useMutation({
    mutationFn: (body: PlanBody) =>
      existing ? api.patch('/api/plans/:id', body, { params: { id: existing.id } }) : api.post('/api/plans', body),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: keys.plans })
      onSaved()
    },
    onError: (e) =>
      setBanner(
        applyServerErrors(e, form.setError, [
          'title',
          ...items.fields.flatMap((_, i) =>
            ['title', 'owner', 'due', 'progress', 'status'].map((f) => `items.${i}.${f}`),
          ),
        ]),
      ),
  })
  return (
    <form className="stack planner" noValidate onSubmit={form.handleSubmit((v) => save.mutate(v))}>
      {banner && (
        <div className="banner error" role="alert">
          {banner}
        </div>
      )}
      <div className="field">
        <label htmlFor="plan-title">Plan name</label>
        <input {...describedBy('plan-title', errors.title?.message)} {...form.register('title')} />
        {errors.title && (
          <div className="field-error" id="plan-title-error">
            {sentence(errors.title.message)}
          </div>
        )}
      </div>
      {items.fields.length === 0 && <p className="muted">No items yet: add one below.</p>}
      <ol className="plan-items">
        {items.fields.map((field, i) => {
          const e = errors.items?.[i]
          const id = (f: string) => `plan-${i}-${f}`
          return (
            <li key={field.id} className="plan-item" data-testid="plan-item">
              <div className="field grow2">
                <label htmlFor={id('title')}>Task</label>
                <input {...describedBy(id('title'), e?.title?.message)} {...form.register(`items.${i}.title`)} />
                {e?.title && (
                  <div className="field-error" id={`${id('title')}-error`}>
                    {sentence(e.title.message)}
                  </div>
                )}
              </div>
              <div className="field">
                <label htmlFor={id('owner')}>Owner</label>
                <input {...describedBy(id('owner'), e?.owner?.message)} {...form.register(`items.${i}.owner`)} />
                {e?.owner && (
                  <div className="field-error" id={`${id('owner')}-error`}>
                    {sentence(e.owner.message)}
                  </div>
                )}
              </div>
              <div className="field">
                <label htmlFor={id('due')}>Due</label>
                <input
                  type="date"
                  {...describedBy(id('due'), e?.due?.message)}
                  {...form.register(`items.${i}.due`, { setValueAs: (v: string | null) => (v ? v : null) })}
                />
                {e?.due && (
                  <div className="field-error" id={`${id('due')}-error`}>
                    {sentence(e.due.message)}
                  </div>
                )}
              </div>
              <div className="field narrow-field">
                <label htmlFor={id('progress')}>Progress %</label>
                <input
                  type="number"
                  min={0}
                  max={100}
                  step={5}
                  inputMode="numeric"
                  {...describedBy(id('progress'), e?.progress?.message)}
                  {...form.register(`items.${i}.progress`, { valueAsNumber: true })}
                />
                {e?.progress && (
                  <div className="field-error" id={`${id('progress')}-error`}>
                    {sentence(e.progress.message)}
                  </div>
                )}
              </div>
              <div className="field">
                <label htmlFor={id('status')}>Status</label>
                <select id={id('status')} {...form.register(`items.${i}.status`)}>
                  <option value="todo">To do</option>
                  <option value="doing">In progress</option>
                  <option value="done">Done</option>
                  <option value="blocked">Blocked</option>
                </select>
              </div>
              <button
                type="button"
                className="btn ghost small danger remove"
                onClick={() => items.remove(i)}
                aria-label={`Remove task ${i + 1}`}
              >
                Remove
              </button>
            </li>
          )
        })}
      </ol>
      {errors.items?.root && <div className="field-error">{sentence(errors.items.root.message)}</div>}
      {errors.items?.message && <div className="field-error">{sentence(errors.items.message)}</div>}
      <div className="row between wrap">
        <button
          type="button"
          className="btn"
          onClick={() =>
            items.append({ title: '', source: 'custom', owner: 'Me', due: addDays(30), progress: 0, status: 'todo' })
          }
          disabled={items.fields.length >= 50}
        >
          Add a task
        </button>
        <button type="submit" className="btn primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save plan'}
        </button>
      </div>
    </form>
  )
}
