import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, renderRoutes } from '../../test/render.tsx'
import { NewExperiment } from './NewExperiment.tsx'

afterEach(() => vi.unstubAllGlobals())

const version = (id: string, model: string, status = 'candidate') => ({
  id,
  feature: 'dashboard_insights',
  provider: 'openai',
  model,
  promptVersion: 'v1',
  params: {},
  status,
  createdAt: '2026-12-01T00:00:00Z',
  updatedAt: '2026-12-01T00:00:00Z',
})
const A = '00000000-0000-4000-8000-00000000000a'
const B = '00000000-0000-4000-8000-00000000000b'

describe('new experiment form', () => {
  it("needs two versions, shows each one's share of traffic and sends the weights", async () => {
    const calls = fakeFetch({
      'GET /api/admin/model-versions': {
        status: 200,
        body: { versions: [version(A, 'gpt-a', 'active'), version(B, 'gpt-b'), version('r', 'old', 'retired')] },
      },
      'POST /api/admin/experiments': { status: 201, body: { id: 'e' } },
    })
    const u = userEvent.setup()
    renderRoutes([{ path: '/', element: <NewExperiment /> }], '/')
    await u.click(await screen.findByRole('button', { name: 'Start experiment' }))
    expect(await screen.findByText('Pick at least two versions (at most ten).')).toBeTruthy()
    expect(screen.queryByRole('checkbox', { name: /old/ })).toBeNull()

    await u.click(screen.getByRole('checkbox', { name: /gpt-a/ }))
    await u.click(screen.getByRole('checkbox', { name: /gpt-b/ }))
    const [first] = screen.getAllByLabelText('Weight')
    await u.clear(first!)
    await u.type(first!, '3')
    expect(screen.getByText('75 % of traffic')).toBeTruthy()
    await u.click(screen.getByRole('button', { name: 'Start experiment' }))
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true))
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({
      feature: 'dashboard_insights',
      variants: [
        { versionId: A, weight: 3 },
        { versionId: B, weight: 1 },
      ],
    })
  })

  it('refuses a weight of 0', async () => {
    const calls = fakeFetch({
      'GET /api/admin/model-versions': { status: 200, body: { versions: [version(A, 'gpt-a'), version(B, 'gpt-b')] } },
    })
    const u = userEvent.setup()
    renderRoutes([{ path: '/', element: <NewExperiment /> }], '/')
    await u.click(await screen.findByRole('checkbox', { name: /gpt-a/ }))
    await u.click(screen.getByRole('checkbox', { name: /gpt-b/ }))
    const [first] = screen.getAllByLabelText('Weight')
    await u.clear(first!)
    await u.type(first!, '0')
    await u.click(screen.getByRole('button', { name: 'Start experiment' }))
    expect(await screen.findByText('Give each chosen version a weight above 0.')).toBeTruthy()
    expect(
      screen.getByRole('group', { name: 'Versions and their share of traffic' }).getAttribute('aria-invalid'),
    ).toBe('true')
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)
  })
})
