import { screen } from '@testing-library/react'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Forecast } from '../../api/types.ts'
import userEvent from '@testing-library/user-event'
import { ItemFeedback } from '../../components/Feedback.tsx'
import { fakeFetch, renderRoutes } from '../../test/render.tsx'
import { TrendCard } from './TrendCard.tsx'

afterEach(() => vi.unstubAllGlobals())
// The charts chunk is lazy: load it once before the first test looks for a chart.
beforeAll(async () => {
  await import('../../charts/charts.tsx')
}, 30_000)

const MESSAGE = 'A forecast needs 3 assessments on different days spanning at least 30 days (you have 2 over 0 days).'
const history = [
  { at: '2026-03-01T10:00:00.000Z', score: 2.5 },
  { at: '2026-03-02T10:00:00.000Z', score: 3.1 },
]
const narrative = (text: string, outlook: Forecast['narrative']['outlook']) => ({
  narrative: text,
  outlook,
  highlights: [],
})

function show(forecast: Forecast) {
  renderRoutes([{ path: '/', element: <TrendCard forecast={forecast} error={null} retry={() => undefined} /> }], '/')
}

describe('Overall score over time', () => {
  it('says once why there is no forecast, and still draws the history', async () => {
    show({
      overall: {
        status: 'insufficient_data',
        submissions: 2,
        spanDays: 0,
        needed: { submissions: 3, spanDays: 30 },
        message: MESSAGE,
        last: history[1]!,
      },
      areas: {},
      history,
      // The rules narrative repeats the message: it must not show a second time.
      narrative: narrative(
        `There is no forecast yet. ${MESSAGE} Your latest overall score is 3.1.`,
        'insufficient_data',
      ),
      provider: 'rules',
      requestId: 'r1',
    })
    expect(await screen.findByRole('img', { name: /Overall score over time: .*2\.50.*3\.10/ })).toBeTruthy()
    expect(screen.getAllByText(/A forecast needs 3 assessments/)).toHaveLength(1)
    expect(screen.queryByText(/There is no forecast yet/)).toBeNull()
  })

  it('draws the history with the forecast and its band, and the narrative with its source', async () => {
    show({
      overall: {
        status: 'ok',
        method: 'damped_holt',
        submissions: 3,
        spanDays: 60,
        last: { at: '2026-03-03T10:00:00.000Z', score: 3.4 },
        level: 3.4,
        trendPerMonth: 0.2,
        trend: 'improving',
        params: { alpha: 0.5, beta: 0.2, phi: 0.9 },
        sigma: 0.2,
        intervalLevel: 0.95,
        forecast: [{ horizonDays: 30, at: '2026-04-02T10:00:00.000Z', value: 3.6, lower: 3.1, upper: 4.1 }],
        backtest: null,
      },
      areas: {},
      history: [...history, { at: '2026-03-03T10:00:00.000Z', score: 3.4 }],
      narrative: narrative('Your score is rising.', 'improving'),
      provider: 'rules',
      requestId: 'r2',
    })
    expect(
      await screen.findByRole('img', {
        name: /2\.50.*3\.10.*3\.40; forecast 3\.60 in 30 days \(between 3\.10 and 4\.10\)/,
      }),
    ).toBeTruthy()
    expect(screen.getByText('Your score is rising.')).toBeTruthy()
    expect(screen.queryByTestId('forecast-missing')).toBeNull()
  })

  it('says what to do when there is no score yet', () => {
    show({
      overall: {
        status: 'insufficient_data',
        submissions: 0,
        spanDays: 0,
        needed: { submissions: 3, spanDays: 30 },
        message: MESSAGE,
        last: null,
      },
      areas: {},
      history: [],
      narrative: narrative(MESSAGE, 'insufficient_data'),
      provider: 'rules',
      requestId: 'r3',
    })
    expect(screen.getByText('No history yet')).toBeTruthy()
  })
})

describe('thumbs per item', () => {
  it('rates one item by its reference, keeps the choice pressed, and leaves the other items alone', async () => {
    const calls = fakeFetch({
      'POST /api/ai/answers/req-1/feedback': (body) => ({
        status: 200,
        body: {
          requestId: 'req-1',
          item: (body as { item: string }).item,
          feature: 'dashboard_insights',
          rating: (body as { rating: string }).rating,
          comment: null,
          createdAt: '2026-03-01T10:00:00.000Z',
        },
      }),
    })
    const u = userEvent.setup()
    renderRoutes(
      [
        {
          path: '/',
          element: (
            <>
              <ItemFeedback requestId="req-1" item="roadmap.0" label="Write the plan" />
              <ItemFeedback requestId="req-1" item="roadmap.1" label="Hire a lead" />
            </>
          ),
        },
      ],
      '/',
    )
    await u.click(await screen.findByRole('button', { name: 'Not helpful: Hire a lead' }))
    await screen.findByText('Rating saved')
    expect(calls).toEqual([
      { method: 'POST', url: '/api/ai/answers/req-1/feedback', body: { rating: 'down', item: 'roadmap.1' } },
    ])
    expect(screen.getByRole('button', { name: 'Not helpful: Hire a lead' }).getAttribute('aria-pressed')).toBe('true')
    expect(screen.getByRole('button', { name: 'Helpful: Write the plan' }).getAttribute('aria-pressed')).toBe('false')
    expect(screen.getByRole('button', { name: 'Not helpful: Write the plan' }).getAttribute('aria-pressed')).toBe(
      'false',
    )
  })
})
