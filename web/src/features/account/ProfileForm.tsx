import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useForm } from 'react-hook-form'
import { z } from 'zod'
import { businessFields } from '../../../../src/contracts/auth.ts'
import { api } from '../../api/client.ts'
import type { Profile, ProfilePatch } from '../../api/types.ts'
import { applyServerErrors, plainResolver, sentence } from '../../app/forms.ts'
import { INDUSTRIES, REVENUES, SIZES } from '../../app/options.ts'
import { keys } from '../../app/query.ts'
import { describedBy, Field } from '../../components/ui.tsx'

const FIELDS = [
  'companyName',
  'industry',
  'companySize',
  'revenueRange',
  'businessModel',
  'targetMarket',
  'primaryGoal',
] as const
type Key = (typeof FIELDS)[number]
type Form = Record<Key, string>
/** The contract's rule for each field, an empty box allowed (left as it was). */
const schema = z.object(
  Object.fromEntries(FIELDS.map((k) => [k, z.union([z.literal(''), businessFields.shape[k]])])) as {
    [K in Key]: z.ZodUnion<[z.ZodLiteral<''>, (typeof businessFields.shape)[K]]>
  },
)

/** Only what changed is sent; an emptied field is left as it was (the API has no "clear"). */
function changes(values: Form, profile: Profile): ProfilePatch {
  const out: Record<string, string> = {}
  for (const k of FIELDS) {
    const v = values[k]?.trim()
    if (v && v !== (profile[k] ?? '')) out[k] = v
  }
  return out as ProfilePatch
}

/** The business profile: the fields onboarding asked, and a few more. */
export function ProfileForm({ profile }: { profile: Profile }) {
  const client = useQueryClient()
  const [banner, setBanner] = useState<string>()
  const [saved, setSaved] = useState(false)
  const initial = Object.fromEntries(FIELDS.map((k) => [k, profile[k] ?? ''])) as Form
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isDirty },
  } = useForm<Form>({
    resolver: plainResolver(schema),
    defaultValues: initial,
  })
  const save = useMutation({
    mutationFn: (patch: ProfilePatch) => api.patch('/api/profile', patch, {}),
    onSuccess: (next) => {
      client.setQueryData(keys.profile, next)
      reset(Object.fromEntries(FIELDS.map((k) => [k, next[k] ?? ''])) as Form)
      setSaved(true)
    },
  })
  const err = (k: Key) => sentence(errors[k]?.message)
  const text = (k: Key, label: string, hint?: string) => (
    <Field id={`profile-${k}`} label={label} error={err(k)} hint={hint}>
      <input {...describedBy(`profile-${k}`, err(k), hint)} {...register(k)} />
    </Field>
  )
  const select = (k: Key, label: string, options: Array<{ value: string; label: string }>) => (
    <Field id={`profile-${k}`} label={label} error={err(k)}>
      <select {...describedBy(`profile-${k}`, err(k))} {...register(k)}>
        <option value="">Not set</option>
        {(profile[k] && !options.some((o) => o.value === profile[k])
          ? [{ value: String(profile[k]), label: String(profile[k]) }, ...options]
          : options
        ).map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  )
  return (
    <form
      noValidate
      aria-label="Business profile"
      className="stack"
      onSubmit={handleSubmit(async (values) => {
        setBanner(undefined)
        setSaved(false)
        const patch = changes(values, profile)
        if (Object.keys(patch).length === 0) return setBanner('Nothing to save: change a field first.')
        try {
          await save.mutateAsync(patch)
        } catch (e) {
          setBanner(applyServerErrors(e, setError, FIELDS))
        }
      })}
    >
      <div className="grid two">
        {text('companyName', 'Company name')}
        {select(
          'industry',
          'Industry',
          INDUSTRIES.map((i) => ({ value: i, label: i })),
        )}
        {select('companySize', 'Company size', SIZES)}
        {select('revenueRange', 'Annual revenue', REVENUES)}
        {text('businessModel', 'Business model', 'e.g. subscription, services, marketplace')}
        {text('targetMarket', 'Target market')}
      </div>
      {text('primaryGoal', 'Primary goal for the next year')}
      {banner && (
        <div className="banner error" role="alert">
          {banner}
        </div>
      )}
      {saved && !isDirty && (
        <p className="banner info" role="status">
          Profile saved. Your scores and insights follow the change.
        </p>
      )}
      <div className="row end">
        <button type="submit" className="btn primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save profile'}
        </button>
      </div>
    </form>
  )
}
