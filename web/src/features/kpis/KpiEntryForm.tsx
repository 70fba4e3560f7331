import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useForm, type Path } from 'react-hook-form'
import { kpiMonthRequest } from '../../../../src/contracts/kpis.ts'
import { api } from '../../api/client.ts'
import type { KpiMonthInput } from '../../api/types.ts'
import { applyServerErrors, plainResolver, sentence } from '../../app/forms.ts'
import { keys } from '../../app/query.ts'
import { describedBy, Field } from '../../components/ui.tsx'
import { METRICS, monthName } from './metrics.ts'

const thisMonth = () => new Date().toISOString().slice(0, 7)
/** An empty box is "not recorded" (left out), not zero. */
const asNumber = (v: unknown) => (v === '' || v === null || v === undefined ? undefined : Number(v))
const FIELDS = ['month', ...METRICS.map((m) => m.key)]

/** One month of KPIs, checked with the server's schema; writing a month again replaces it. */
export function KpiEntryForm() {
  const client = useQueryClient()
  const [banner, setBanner] = useState<string>()
  const [done, setDone] = useState<string>()
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<KpiMonthInput>({ resolver: plainResolver(kpiMonthRequest), defaultValues: { month: thisMonth() } })
  const save = useMutation({
    mutationFn: (body: KpiMonthInput) => api.post('/api/kpis', body),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.kpis }),
  })
  const err = (k: string) => sentence(errors[k as keyof KpiMonthInput]?.message)
  return (
    <form
      noValidate
      aria-label="Record a month"
      className="stack"
      onSubmit={handleSubmit(async (values) => {
        setBanner(undefined)
        setDone(undefined)
        try {
          const saved = await save.mutateAsync(values)
          const n = saved.newAnomalies.length
          setDone(
            `${monthName(saved.month.month)} saved.${n ? ` ${n} unusual value${n === 1 ? '' : 's'} found: see the chart.` : ''}`,
          )
          reset({ month: values.month })
        } catch (e) {
          setBanner(applyServerErrors(e, setError, FIELDS))
        }
      })}
    >
      <Field id="kpi-month" label="Month" error={err('month')} hint="Recording a month again replaces it.">
        <input type="month" {...describedBy('kpi-month', err('month'), 'hint')} {...register('month')} />
      </Field>
      <div className="grid two">
        {METRICS.map((m) => (
          <Field
            key={m.key}
            id={`kpi-${m.key}`}
            label={m.kind === 'money' ? `${m.label} (USD)` : m.label}
            error={err(m.key)}
          >
            <input
              type="number"
              inputMode={m.kind === 'money' && m.key !== 'cash' ? 'decimal' : 'numeric'}
              step={m.kind === 'money' ? 'any' : 1}
              {...describedBy(`kpi-${m.key}`, err(m.key))}
              {...register(m.key as Path<KpiMonthInput>, { setValueAs: asNumber })}
            />
          </Field>
        ))}
      </div>
      <p className="muted small">Leave a box empty when you do not track it; record at least one.</p>
      {banner && (
        <div className="banner error" role="alert">
          {banner}
        </div>
      )}
      {done && (
        <p className="banner info" role="status">
          {done}
        </p>
      )}
      <div className="row end">
        <button type="submit" className="btn primary" disabled={isSubmitting}>
          {isSubmitting ? 'Saving…' : 'Save month'}
        </button>
      </div>
    </form>
  )
}
