import { useQueryClient } from '@tanstack/react-query'
import { useRef, useState } from 'react'
import { useForm } from 'react-hook-form'
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router'
import { loginBody } from '../../../src/contracts/auth.ts'
import { api } from '../api/client.ts'
import { applyServerErrors, plainResolver, sentence } from '../app/forms.ts'
import { useHeadingFocus, usePageTitle } from '../app/page.tsx'
import { keys } from '../app/query.ts'
import { useMe } from '../app/session.tsx'
import { describedBy, Field } from '../components/ui.tsx'
import { safeNext } from '../routes.tsx'

type LoginForm = { email: string; password: string }

/** Sign in; then back to the page that was asked for (`?next=`), else the dashboard. */
export default function AuthPage() {
  usePageTitle('Sign in')
  const heading = useHeadingFocus()
  const me = useMe()
  const client = useQueryClient()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const next = safeNext(params.get('next'))
  const [banner, setBanner] = useState<string>()
  const submitted = useRef(false)
  const form = useForm<LoginForm>({ resolver: plainResolver(loginBody), defaultValues: { email: '', password: '' } })
  const { errors, isSubmitting } = form.formState

  // Already signed in when arriving here (not by this form, which navigates itself).
  if (me && !submitted.current) return <Navigate to={next ?? '/'} replace />

  const submit = form.handleSubmit(async (values) => {
    setBanner(undefined)
    submitted.current = true
    try {
      const { user } = await api.post('/api/auth/login', {
        email: values.email.trim().toLowerCase(),
        password: values.password,
      })
      client.setQueryData(keys.me, user)
      navigate(next ?? '/', { replace: true, state: { focus: true } })
    } catch (e) {
      submitted.current = false
      setBanner(applyServerErrors(e, form.setError, ['email', 'password']))
    }
  })

  return (
    <AuthLayout>
      <form className="card auth-card" onSubmit={submit} noValidate aria-labelledby="auth-title">
        <h1 id="auth-title" ref={heading} tabIndex={-1}>
          Welcome back
        </h1>
        {next && <p className="muted small">Sign in to continue to that page.</p>}
        {banner && (
          <div className="banner error" role="alert">
            {banner}
          </div>
        )}
        <Field id="email" label="Email" error={sentence(errors.email?.message)}>
          <input
            type="email"
            autoComplete="email"
            {...describedBy('email', errors.email?.message)}
            {...form.register('email')}
          />
        </Field>
        <Field id="password" label="Password" error={sentence(errors.password?.message)}>
          <input
            type="password"
            autoComplete="current-password"
            {...describedBy('password', errors.password?.message)}
            {...form.register('password')}
          />
        </Field>
        <button className="btn primary wide" type="submit" disabled={isSubmitting}>
          {isSubmitting ? 'Please wait…' : 'Sign in'}
        </button>
        <p className="muted center">
          New to OptimaliQ?{' '}
          <Link to={next ? `/signup?next=${encodeURIComponent(next)}` : '/signup'}>Create an account</Link>
        </p>
      </form>
    </AuthLayout>
  )
}

export function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="auth">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="auth-brand">
        <div className="logo" aria-hidden="true">
          Optimali<span>Q</span>
        </div>
        <p>
          Measure your growth maturity, see where you stand against your peers, and get a roadmap that updates as you
          improve.
        </p>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  )
}
