import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ApiKey } from '../../api/types.ts'
import { keys } from '../../app/query.ts'
import { fakeFetch, renderRoutes } from '../../test/render.tsx'
import { ApiKeys } from './ApiKeys.tsx'
import { DataAndDeletion } from './DangerZone.tsx'
import { PasswordForm } from './PasswordForm.tsx'

/** The account page's forms: plain-words errors under the field, the server's too, the key shown once, deletion confirmed. */

afterEach(() => vi.unstubAllGlobals())

function errorOf(label: string): string | null {
  const input = screen.getByLabelText(label)
  if (input.getAttribute('aria-invalid') !== 'true') return null
  return (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => (id.endsWith('-error') ? (document.getElementById(id)?.textContent ?? '') : ''))
    .join('')
}

describe('change password form', () => {
  it('checks the new password and its confirmation before sending', async () => {
    const calls = fakeFetch({})
    const u = userEvent.setup()
    renderRoutes([{ path: '/', element: <PasswordForm /> }], '/')
    await u.type(await screen.findByLabelText('Current password'), 'first password 1')
    await u.type(screen.getByLabelText('New password'), 'short')
    await u.type(screen.getByLabelText('New password again'), 'other')
    await u.click(screen.getByRole('button', { name: 'Change password' }))
    await waitFor(() => expect(errorOf('New password')).toBe('Must be at least 8 characters'))
    expect(errorOf('New password again')).toBe('The two new passwords do not match')
    expect(calls).toHaveLength(0)
  })

  it("puts the server's wrong current password under that field, and confirms a change", async () => {
    let attempt = 0
    const calls = fakeFetch({
      'POST /api/auth/password': () =>
        ++attempt === 1
          ? {
              status: 400,
              body: {
                error: {
                  code: 'validation_failed',
                  message: 'The current password is not right',
                  details: [{ field: 'body.currentPassword', message: 'The current password is not right' }],
                },
              },
            }
          : { status: 200, body: { changed: true } },
    })
    const u = userEvent.setup()
    renderRoutes([{ path: '/', element: <PasswordForm /> }], '/')
    await u.type(await screen.findByLabelText('Current password'), 'not it')
    await u.type(screen.getByLabelText('New password'), 'second password 2')
    await u.type(screen.getByLabelText('New password again'), 'second password 2')
    await u.click(screen.getByRole('button', { name: 'Change password' }))
    await waitFor(() => expect(errorOf('Current password')).toBe('The current password is not right'))
    expect(screen.queryByRole('alert')).toBeNull()
    expect(calls[0]!.body).toEqual({ currentPassword: 'not it', newPassword: 'second password 2' })

    await u.clear(screen.getByLabelText('Current password'))
    await u.type(screen.getByLabelText('Current password'), 'first password 1')
    await u.click(screen.getByRole('button', { name: 'Change password' }))
    await screen.findByText(/Your password was changed/)
    expect((screen.getByLabelText('Current password') as HTMLInputElement).value).toBe('')
  })
})

const key: ApiKey = {
  id: '00000000-0000-4000-8000-0000000000aa',
  name: 'CRM sync',
  prefix: 'oq_abcdefg',
  createdAt: '2026-11-01T10:00:00Z',
  lastUsedAt: null,
  revokedAt: null,
  expiresAt: '2027-01-01T00:00:00Z',
  rotatedAt: null,
  previousKeyExpiresAt: null,
  status: 'active',
  settings: { scopes: ['chat'], budgets: { dailyUsd: 5 } },
  overrides: { key: {}, user: {} },
  effective: { scopes: ['chat'], budgets: { dailyUsd: 5 } },
  usage: { today: { requests: 2, tokens: 30, costUsd: 1.25 }, month: { requests: 2, tokens: 30, costUsd: 1.25 } },
  budgets: {
    daily: { limitUsd: 5, spentUsd: 1.25, remainingUsd: 3.75, resetAt: '2026-12-02T00:00:00Z' },
    monthly: null,
  },
}

describe('API keys', () => {
  it('shows a new key once, lists usage per key, and revokes after a confirmation', async () => {
    let list = [key]
    const calls = fakeFetch({
      'GET /api/keys': () => ({ status: 200, body: { keys: list } }),
      'GET /api/keys/usage': {
        status: 200,
        body: {
          days: 30,
          since: '2026-11-01T00:00:00Z',
          keys: [{ keyId: key.id, requests: 1234, errors: 0, tokens: 5678, costUsd: 0.5, lastRequestAt: null }],
        },
      },
      'POST /api/keys': (body) => {
        const created = { ...key, id: '00000000-0000-4000-8000-0000000000bb', name: (body as { name: string }).name }
        list = [created, ...list]
        return { status: 201, body: { ...created, key: 'oq_secret_shown_once' } }
      },
      [`POST /api/keys/${key.id}/rotate`]: () => {
        const rotated = {
          ...key,
          status: 'rotating' as const,
          rotatedAt: '2026-12-01T00:00:00Z',
          previousKeyExpiresAt: '2026-12-02T00:00:00Z',
        }
        list = list.map((k) => (k.id === key.id ? rotated : k))
        return { status: 200, body: { ...rotated, key: 'oq_rotated_secret' } }
      },
      [`DELETE /api/keys/${key.id}`]: () => {
        list = list.map((k) => (k.id === key.id ? { ...k, revokedAt: '2026-12-01T00:00:00Z' } : k))
        return { status: 200, body: list.find((k) => k.id === key.id) }
      },
    })
    const u = userEvent.setup()
    renderRoutes([{ path: '/', element: <ApiKeys /> }], '/')
    const row = await screen.findByRole('row', { name: /CRM sync/ })
    await waitFor(() => expect(within(row).getByText((1234).toLocaleString())).toBeTruthy())

    // An empty name is refused under the field.
    await u.click(screen.getByRole('button', { name: 'Create key' }))
    await waitFor(() => expect(errorOf('Name of the new key')).toBe('This is required'))
    await u.type(screen.getByLabelText('Name of the new key'), 'Reports')
    await u.click(screen.getByRole('button', { name: 'Create key' }))
    expect((await screen.findByTestId('new-key-secret')).textContent).toBe('oq_secret_shown_once')
    await u.click(screen.getByRole('button', { name: 'I have stored it' }))
    expect(screen.queryByTestId('new-key-secret')).toBeNull()

    // Standing: status, expiry, scopes and what is left of the budget.
    const standing = within(row).getByTestId('key-standing')
    expect(standing.textContent).toContain('Active')
    expect(standing.textContent).toContain('Scopes: chat')
    expect(within(row).getByText(/today$/).textContent).toContain('3.75')

    await u.click(screen.getByRole('button', { name: 'Rotate CRM sync' }))
    expect((await screen.findByTestId('new-key-secret')).textContent).toBe('oq_rotated_secret')
    expect(screen.getByTestId('new-key').textContent).toContain('the old one keeps working until')
    await waitFor(() =>
      expect(within(screen.getByRole('row', { name: /CRM sync/ })).getByText('Rotating')).toBeTruthy(),
    )
    await u.click(screen.getByRole('button', { name: 'I have stored it' }))

    await u.click(screen.getByRole('button', { name: 'Revoke CRM sync' }))
    const dialog = await screen.findByRole('dialog', { name: 'Revoke “CRM sync”?' })
    await u.click(within(dialog).getByRole('button', { name: 'Revoke key' }))
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE')).toBe(true))
    await screen.findByText(/^Revoked/)
  })
})

describe('account deletion', () => {
  it('deletes only after the email is typed, then signs out to the sign-in page', async () => {
    const calls = fakeFetch({ 'DELETE /api/me': { status: 200, body: { deleted: { users: 1 } } } })
    const u = userEvent.setup()
    const { router, client } = renderRoutes(
      [
        { path: '/account', element: <DataAndDeletion email="Ada@Example.com" /> },
        { path: '/signin', element: <h1>Sign in here</h1> },
      ],
      '/account',
      (c) => c.setQueryData(keys.me, { id: 'u', email: 'ada@example.com' }),
    )
    await u.click(await screen.findByRole('button', { name: 'Delete my account…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Delete your account?' })
    const confirm = within(dialog).getByRole('button', { name: 'Delete everything' })
    expect((confirm as HTMLButtonElement).disabled).toBe(true)
    await u.type(within(dialog).getByLabelText('Your email'), 'someone@else.com')
    expect((confirm as HTMLButtonElement).disabled).toBe(true)
    await u.clear(within(dialog).getByLabelText('Your email'))
    await u.type(within(dialog).getByLabelText('Your email'), 'ada@example.com')
    await u.click(confirm)
    await screen.findByRole('heading', { name: 'Sign in here' })
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['DELETE /api/me'])
    expect(router.state.location.pathname).toBe('/signin')
    expect(client.getQueryData(keys.me)).toBeNull()
  })
})
