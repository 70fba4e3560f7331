import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { useForm } from 'react-hook-form'
import { z } from 'zod'
import { changePasswordBody } from '../../../../src/contracts/auth.ts'
import { api } from '../../api/client.ts'
import { applyServerErrors, plainResolver, sentence } from '../../app/forms.ts'
import { describedBy, Field } from '../../components/ui.tsx'

/** The contract's body plus the confirmation, which only the browser checks. */
const formSchema = z
  .object({ ...changePasswordBody.shape, confirmPassword: z.string().min(1) })
  .refine((v) => v.newPassword !== v.currentPassword, {
    message: 'Choose a password different from the current one',
    path: ['newPassword'],
  })
  .refine((v) => v.confirmPassword === v.newPassword, {
    message: 'The two new passwords do not match',
    path: ['confirmPassword'],
  })
type Form = z.infer<typeof formSchema>
const FIELDS = ['currentPassword', 'newPassword', 'confirmPassword'] as const

/** Change the password: the current one, the new one twice; the server's verdict under its field. */
export function PasswordForm() {
  const [banner, setBanner] = useState<string>()
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isDirty },
  } = useForm<Form>({ resolver: plainResolver(formSchema), defaultValues: { currentPassword: '', newPassword: '' } })
  const change = useMutation({
    mutationFn: ({ currentPassword, newPassword }: Form) =>
      api.post('/api/auth/password', { currentPassword, newPassword }),
  })
  const err = (k: (typeof FIELDS)[number]) => sentence(errors[k]?.message)

  return (
    <form
      noValidate
      className="stack"
      aria-label="Change password"
      onSubmit={handleSubmit(async (values) => {
        setBanner(undefined)
        try {
          await change.mutateAsync(values)
          reset({ currentPassword: '', newPassword: '', confirmPassword: '' })
        } catch (e) {
          setBanner(applyServerErrors(e, setError, FIELDS))
        }
      })}
    >
      <Field id="currentPassword" label="Current password" error={err('currentPassword')}>
        <input
          type="password"
          autoComplete="current-password"
          {...describedBy('currentPassword', err('currentPassword'))}
          {...register('currentPassword')}
        />
      </Field>
      <Field id="newPassword" label="New password" error={err('newPassword')} hint="At least 8 characters.">
        <input
          type="password"
          autoComplete="new-password"
          {...describedBy('newPassword', err('newPassword'), 'hint')}
          {...register('newPassword')}
        />
      </Field>
      <Field id="confirmPassword" label="New password again" error={err('confirmPassword')}>
        <input
          type="password"
          autoComplete="new-password"
          {...describedBy('confirmPassword', err('confirmPassword'))}
          {...register('confirmPassword')}
        />
      </Field>
      {banner && (
        <div className="banner error" role="alert">
          {banner}
        </div>
      )}
      {change.isSuccess && !isDirty && (
        <p className="banner info" role="status">
          Your password was changed and your other sessions were signed out. Use the new one next time you sign in.
        </p>
      )}
      <div className="row end">
        <button type="submit" className="btn primary" disabled={change.isPending}>
          {change.isPending ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  )
}
