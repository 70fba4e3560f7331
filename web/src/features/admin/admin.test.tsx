import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, renderRoutes } from '../../test/render.tsx'
import { NewExperiment } from './NewExperiment.tsx'
import { usageRows } from './Usage.tsx'

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

describe('usage over time', () => {
  const point = (bucket: string, costUsd: number, tokens: number) => ({
    bucket,
    requests: 1,
    inputTokens: tokens,
    outputTokens: 0,
    costUsd,
  })
  const series = (key: string, points: ReturnType<typeof point>[]) => ({
    key,
    requests: points.length,
    inputTokens: points.reduce((a, p) => a + p.inputTokens, 0),
    outputTokens: 0,
    costUsd: points.reduce((a, p) => a + p.costUsd, 0),
    points,
  })
  const A = '2026-03-01T00:00:00.000Z'
  const B = '2026-03-01T01:00:00.000Z'

  it('makes one row per bucket with a column per series (zero where a series had no traffic), the sixth and later summed as Other', () => {
    const data = {
      window: '24h',
      bucket: '1h' as const,
      by: 'model' as const,
      from: A,
      to: B,
      series: [
        series('openai/gpt-4.1', [point(A, 5, 100), point(B, 4, 90)]),
        series('anthropic/claude', [point(B, 3, 50)]),
        series('m3', [point(A, 1, 10)]),
        series('m4', [point(A, 1, 10)]),
        series('m5', [point(A, 1, 10)]),
        series('m6', [point(A, 0.5, 5)]),
        series('m7', [point(B, 0.25, 7)]),
      ],
    }
    const cost = usageRows(data, 'costUsd')
    expect(cost.lines.map((l) => l.name)).toEqual(['openai/gpt-4.1', 'anthropic/claude', 'm3', 'm4', 'm5', 'Other (2)'])
    expect(cost.rows).toEqual([
      { bucket: A, s0: 5, s1: 0, s2: 1, s3: 1, s4: 1, other: 0.5 },
      { bucket: B, s0: 4, s1: 3, s2: 0, s3: 0, s4: 0, other: 0.25 },
    ])
    expect(usageRows(data, 'tokens').rows[1]).toMatchObject({ s0: 90, s1: 50, other: 7 })
  })
})
