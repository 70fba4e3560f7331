import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Levers } from '../api/types.ts'
import { fakeFetch, renderRoutes } from '../test/render.tsx'
import GrowthStudioPage from './GrowthStudioPage.tsx'

afterEach(() => vi.unstubAllGlobals())

const lever = (i: number) => ({
  id: `00000000-0000-4000-8000-00000000000${i}`,
  position: i,
  title: `Lever ${i}`,
  description: `What lever ${i} does`,
  targetArea: 'strategy',
  expectedImpact: 'high',
  effort: 'medium',
  progress: 0,
  key: `strategy:lever-${i}`,
  carriedOver: false,
  archivedAt: null,
})
const levers = (requestId: string | null): Levers => ({
  levers: [1, 2, 3, 4, 5].map(lever),
  archived: [],
  cached: true,
  provider: 'anthropic',
  requestId,
  generatedAt: '2026-12-01T10:00:00.000Z',
  expiresAt: '2027-01-01T10:00:00.000Z',
  scoresHash: 'h',
})

describe('growth levers', () => {
  it('each lever says who produced it and takes its own thumbs, sent as an item of the answer that made the set', async () => {
    const u = userEvent.setup()
    const calls = fakeFetch({
      'POST /api/growth_studio/levers': { status: 200, body: levers('req-levers') },
      'POST /api/ai/answers/req-levers/feedback': (body) => ({
        status: 200,
        body: { requestId: 'req-levers', feature: 'growth_levers', ...(body as object) },
      }),
    })
    renderRoutes([{ path: '/growth-studio', element: <GrowthStudioPage /> }], '/growth-studio')
    const cards = await screen.findAllByTestId('lever')
    expect(cards).toHaveLength(5)
    for (const card of cards) {
      expect(within(card).getByTestId('source').textContent).toBe('AI model · anthropic')
      expect(within(card).getByTestId('item-feedback')).toBeTruthy()
    }
    await u.click(screen.getByRole('button', { name: 'Not helpful: Lever 3' }))
    await screen.findByText('Rating saved')
    expect(calls.filter((c) => c.url.includes('/feedback'))).toEqual([
      {
        method: 'POST',
        url: '/api/ai/answers/req-levers/feedback',
        body: { rating: 'down', item: 'levers.00000000-0000-4000-8000-000000000003' },
      },
    ])
    expect(screen.getByRole('button', { name: 'Not helpful: Lever 3' }).getAttribute('aria-pressed')).toBe('true')
    expect(screen.getByRole('button', { name: 'Helpful: Lever 1' }).getAttribute('aria-pressed')).toBe('false')
  })

  it('a set stored before request ids were kept shows its source but no thumbs', async () => {
    fakeFetch({ 'POST /api/growth_studio/levers': { status: 200, body: levers(null) } })
    renderRoutes([{ path: '/growth-studio', element: <GrowthStudioPage /> }], '/growth-studio')
    expect(await screen.findAllByTestId('lever')).toHaveLength(5)
    expect(screen.queryAllByTestId('item-feedback')).toHaveLength(0)
    expect(screen.getAllByTestId('source').length).toBeGreaterThanOrEqual(5)
  })
})
