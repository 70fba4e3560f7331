import { useState, type FormEvent } from 'react'
import { api, ApiError } from '../api/client.ts'
import type { User } from '../api/types.ts'
import { Field } from '../components/ui.tsx'
import { useRouter } from '../router.tsx'
import { useSession } from '../session.tsx'

export function AuthPage({ mode }: { mode: 'signin' | 'signup' }) {
  const { setUser } = useSession()
  const { navigate } = useRouter()
  const [form, setForm] = useState({ name: '', email: '', password: '' })
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<string>()
  const [busy, setBusy] = useState(false)
  const signup = mode === 'signup'

  async function submit(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setErrors({})
    setBanner(undefined)
    try {
      const body = signup
        ? { email: form.email, password: form.password, ...(form.name.trim() ? { name: form.name.trim() } : {}) }
        : { email: form.email, password: form.password }
      const result = await api.post<{ user: User }>(signup ? '/api/auth/signup' : '/api/auth/login', body)
      setUser(result.user)
      navigate(signup ? '/onboarding' : '/', { replace: true })
    } catch (err) {
      if (err instanceof ApiError) {
        const fields = err.fieldErrors
        setErrors(fields)
        if (Object.keys(fields).length === 0) setBanner(err.message)
      } else setBanner('Something went wrong')
    } finally {
      setBusy(false)
    }
  }

  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }))
  return (
    <div className="auth">
      <div className="auth-brand">
        <div className="logo">
          Optimali<span>Q</span>
        </div>
        <p>
          Measure your growth maturity, see where you stand against your peers, and get a roadmap that updates as you
          improve.
        </p>
      </div>
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>{signup ? 'Create your account' : 'Welcome back'}</h1>
        {banner && (
          <div className="banner error" role="alert">
            {banner}
          </div>
        )}
        {signup && (
          <Field label="Your name" htmlFor="name" error={errors.name}>
            <input id="name" name="name" autoComplete="name" value={form.name} onChange={set('name')} />
          </Field>
        )}
        <Field label="Email" htmlFor="email" error={errors.email}>
          <input
            id="email"
            name="email"
            type="email"
            autoComplete="email"
            value={form.email}
            onChange={set('email')}
            required
          />
        </Field>
        <Field
          label="Password"
          htmlFor="password"
          error={errors.password}
          hint={signup ? 'At least 8 characters' : undefined}
        >
          <input
            id="password"
            name="password"
            type="password"
            autoComplete={signup ? 'new-password' : 'current-password'}
            value={form.password}
            onChange={set('password')}
            required
          />
        </Field>
        <button className="btn primary wide" type="submit" disabled={busy}>
          {busy ? 'Please wait…' : signup ? 'Create account' : 'Sign in'}
        </button>
        <p className="muted center">
          {signup ? 'Already have an account? ' : 'New to OptimaliQ? '}
          <a
            href={signup ? '/signin' : '/signup'}
            onClick={(e) => {
              e.preventDefault()
              setErrors({})
              setBanner(undefined)
              navigate(signup ? '/signin' : '/signup')
            }}
          >
            {signup ? 'Sign in' : 'Create an account'}
          </a>
        </p>
      </form>
    </div>
  )
}
