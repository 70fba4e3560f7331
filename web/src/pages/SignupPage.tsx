import { useQueryClient } from '@tanstack/react-query'
import { useRef, useState } from 'react'
import { useForm } from 'react-hook-form'
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router'
import { signupBody } from '../../../src/contracts/auth.ts'
import { api } from '../api/client.ts'
import { applyServerErrors, plainResolver, sentence } from '../app/forms.ts'
import { useHeadingFocus, usePageTitle } from '../app/page.tsx'
import { keys } from '../app/query.ts'
import { useMe } from '../app/session.tsx'
import { describedBy, Field } from '../components/ui.tsx'
import { safeNext } from '../routes.tsx'
import { AuthLayout } from './AuthPage.tsx'

type SignupForm = { name?: string; email: string; password: string }

/** Create an account, checked with the server's own schema; then the growth assessment. */
export default function SignupPage() {
  usePageTitle('Create your account')
  const heading = useHeadingFocus()
  const me = useMe()
  const client = useQueryClient()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const next = safeNext(params.get('next'))
  const [banner, setBanner] = useState<string>()
  const submitted = useRef(false)
  const form = useForm<SignupForm>({
    resolver: plainResolver(signupBody),
    defaultValues: { email: '', password: '' },
  })
  const { errors, isSubmitting } = form.formState
  // Already signed in when arriving here (not by this form, which navigates itself).
  if (me && !submitted.current) return <Navigate to={next ?? '/'} replace />

  const submit = form.handleSubmit(async (values) => {
    setBanner(undefined)
    submitted.current = true
    try {
      const name = values.name?.trim()
      const { user } = await api.post('/api/auth/signup', {
        email: values.email.trim().toLowerCase(),
        password: values.password,
        ...(name ? { name } : {}),
      })
      client.setQueryData(keys.me, user)
      navigate(next ?? '/onboarding', { replace: true, state: { focus: true } })
    } catch (e) {
      submitted.current = false
      setBanner(applyServerErrors(e, form.setError, ['email', 'password', 'name']))
    }
  })

  return (
    <AuthLayout>
      <form className="card auth-card" onSubmit={submit} noValidate aria-labelledby="auth-title">
        <h1 id="auth-title" ref={heading} tabIndex={-1}>
          Create your account
        </h1>
        {banner && (
          <div className="banner error" role="alert">
            {banner}
          </div>
        )}
        <Field id="name" label="Your name (optional)" error={sentence(errors.name?.message)}>
          <input
            autoComplete="name"
            {...describedBy('name', errors.name?.message)}
            {...form.register('name', { setValueAs: (v: string) => (v.trim() === '' ? undefined : v) })}
          />
        </Field>
        <Field id="email" label="Email" error={sentence(errors.email?.message)}>
          <input
            type="email"
            autoComplete="email"
            {...describedBy('email', errors.email?.message)}
            {...form.register('email', { setValueAs: (v: string) => v.trim().toLowerCase() })}
          />
        </Field>
        <Field
          id="password"
          label="Password"
          error={sentence(errors.password?.message)}
          hint={errors.password ? undefined : 'At least 8 characters'}
        >
          <input
            type="password"
            autoComplete="new-password"
            {...describedBy('password', errors.password?.message, errors.password ? undefined : 'hint')}
            {...form.register('password')}
          />
        </Field>
        <button className="btn primary wide" type="submit" disabled={isSubmitting}>
          {isSubmitting ? 'Please wait…' : 'Create account'}
        </button>
        <p className="muted center">
          Already have an account?{' '}
          <Link to={next ? `/signin?next=${encodeURIComponent(next)}` : '/signin'}>Sign in</Link>
        </p>
      </form>
    </AuthLayout>
  )
}
