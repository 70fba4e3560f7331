import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { plainMessage } from '../api/errors.ts'
import { keys } from '../app/query.ts'
import { fakeFetch, renderRoutes } from '../test/render.tsx'
import AuthPage from './AuthPage.tsx'
import SignupPage from './SignupPage.tsx'

/** Forms on the contracts' schemas: plain-words errors under the field, the server's too, and where they go after. */

const user = {
  id: '00000000-0000-4000-8000-000000000001',
  email: 'ada@example.com',
  name: 'Ada',
  role: 'user',
  tier: 'free',
  createdAt: '2026-01-01T00:00:00Z',
}
const routes = [
  { path: '/signup', element: <SignupPage /> },
  { path: '/signin', element: <AuthPage /> },
  { path: '/onboarding', element: <h1>Onboarding here</h1> },
  { path: '/assessments/:type', element: <h1>Assessment here</h1> },
  { path: '/', element: <h1>Dashboard here</h1> },
]
const me401 = {
  'GET /api/auth/me': { status: 401, body: { error: { code: 'unauthorized', message: 'Authentication required' } } },
}

afterEach(() => vi.unstubAllGlobals())

/** The error text tied to a field by aria-describedby. */
function errorOf(label: string): string | null {
  const input = screen.getByLabelText(label)
  if (input.getAttribute('aria-invalid') !== 'true') return null
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ')
  return ids
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ')
    .trim()
}

describe('sign-up form', () => {
  it('checks with the contract before sending, in plain words under each field', async () => {
    const calls = fakeFetch(me401)
    const u = userEvent.setup()
    renderRoutes(routes, '/signup')
    await u.type(await screen.findByLabelText('Email'), 'not-an-email')
    await u.type(screen.getByLabelText('Password'), 'short')
    await u.click(screen.getByRole('button', { name: 'Create account' }))
    await waitFor(() => expect(errorOf('Email')).toBe('Enter a valid email address'))
    expect(errorOf('Password')).toBe('Must be at least 8 characters')
    expect(calls.filter((c) => c.url === '/api/auth/signup')).toHaveLength(0)
    // Focus goes to the first field at fault.
    expect(document.activeElement).toBe(screen.getByLabelText('Email'))
  })

  it("puts the server's duplicate-email conflict under the email field, not in a banner", async () => {
    fakeFetch({
      ...me401,
      'POST /api/auth/signup': {
        status: 409,
        body: {
          error: {
            code: 'email_taken',
            message: 'An account with this email already exists',
            details: { field: 'body.email' },
          },
        },
      },
    })
    const u = userEvent.setup()
    renderRoutes(routes, '/signup')
    await u.type(await screen.findByLabelText('Email'), 'Ada@Example.com')
    await u.type(screen.getByLabelText('Password'), 'correct horse battery')
    await u.click(screen.getByRole('button', { name: 'Create account' }))
    await waitFor(() => expect(errorOf('Email')).toBe('An account with this email already exists'))
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('sends the email lowercased and goes to onboarding', async () => {
    const calls = fakeFetch({
      ...me401,
      'POST /api/auth/signup': { status: 201, body: { user, token: 't', expiresAt: '2027-01-01T00:00:00Z' } },
    })
    const u = userEvent.setup()
    const { router, client } = renderRoutes(routes, '/signup')
    await u.type(await screen.findByLabelText('Your name (optional)'), 'Ada')
    await u.type(screen.getByLabelText('Email'), '  Ada@Example.COM ')
    await u.type(screen.getByLabelText('Password'), 'correct horse battery')
    await u.click(screen.getByRole('button', { name: 'Create account' }))
    await screen.findByRole('heading', { name: 'Onboarding here' })
    expect(calls.find((c) => c.url === '/api/auth/signup')?.body).toEqual({
      email: 'ada@example.com',
      password: 'correct horse battery',
      name: 'Ada',
    })
    expect(router.state.location.pathname).toBe('/onboarding')
    expect(client.getQueryData(keys.me)).toEqual(user)
  })
})

describe('sign-in form', () => {
  it('returns to the page asked for after signing in, and shows a wrong password as a message', async () => {
    let attempts = 0
    fakeFetch({
      ...me401,
      'POST /api/auth/login': () =>
        ++attempts === 1
          ? { status: 401, body: { error: { code: 'invalid_credentials', message: 'Email or password is incorrect' } } }
          : { status: 200, body: { user, token: 't', expiresAt: '2027-01-01T00:00:00Z' } },
    })
    const u = userEvent.setup()
    const { router } = renderRoutes(routes, `/signin?next=${encodeURIComponent('/assessments/digital_transformation')}`)
    await u.type(await screen.findByLabelText('Email'), 'ada@example.com')
    await u.type(screen.getByLabelText('Password'), 'wrong password')
    await u.click(screen.getByRole('button', { name: 'Sign in' }))
    expect((await screen.findByRole('alert')).textContent).toBe('Email or password is incorrect')
    await u.clear(screen.getByLabelText('Password'))
    await u.type(screen.getByLabelText('Password'), 'correct horse battery')
    await u.click(screen.getByRole('button', { name: 'Sign in' }))
    await screen.findByRole('heading', { name: 'Assessment here' })
    expect(router.state.location.pathname).toBe('/assessments/digital_transformation')
  })

  it('never follows a next= that leaves the site', async () => {
    fakeFetch({
      ...me401,
      'POST /api/auth/login': { status: 200, body: { user, token: 't', expiresAt: '2027-01-01T00:00:00Z' } },
    })
    const u = userEvent.setup()
    const { router } = renderRoutes(routes, '/signin?next=//evil.example/x')
    await u.type(await screen.findByLabelText('Email'), 'ada@example.com')
    await u.type(screen.getByLabelText('Password'), 'correct horse battery')
    await u.click(screen.getByRole('button', { name: 'Sign in' }))
    await screen.findByRole('heading', { name: 'Dashboard here' })
    expect(router.state.location.pathname).toBe('/')
  })
})

describe('plain words for validator text', () => {
  it.each([
    ['Too big: expected string to have <=200 characters', 'Use at most 200 characters'],
    ['Too small: expected number to be >=0', 'Must be 0 or more'],
    ['Invalid value for body.costs: Too small: expected number to be >=0', 'Must be 0 or more'],
    ['Too small: expected array to have >=1 items', 'Pick at least 1'],
    ['Invalid email address', 'Enter a valid email address'],
    ['must be at least 8 characters', 'Must be at least 8 characters'],
  ])('%s → %s', (raw, plain) => {
    expect(plainMessage(raw)).toBe(plain)
  })
})
