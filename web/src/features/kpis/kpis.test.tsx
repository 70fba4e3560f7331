import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, renderRoutes } from '../../test/render.tsx'
import { CsvImport } from './CsvImport.tsx'
import { anomaliesOf, kpiRows } from './KpiCharts.tsx'
import { KpiEntryForm } from './KpiEntryForm.tsx'

afterEach(() => vi.unstubAllGlobals())

function errorOf(label: string): string | null {
  const input = screen.getByLabelText(label)
  if (input.getAttribute('aria-invalid') !== 'true') return null
  return (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => (id.endsWith('-error') ? (document.getElementById(id)?.textContent ?? '') : ''))
    .join('')
}

describe('KPI entry form', () => {
  it('refuses a month with nothing recorded and a negative amount, in plain words under the field', async () => {
    const calls = fakeFetch({})
    const u = userEvent.setup()
    renderRoutes([{ path: '/', element: <KpiEntryForm /> }], '/')
    await u.click(await screen.findByRole('button', { name: 'Save month' }))
    await waitFor(() => expect(errorOf('Revenue (USD)')).toBe('Record at least one metric for the month'))
    await u.type(screen.getByLabelText('Costs (USD)'), '-5')
    await u.click(screen.getByRole('button', { name: 'Save month' }))
    await waitFor(() => expect(errorOf('Costs (USD)')).toBe('Must be 0 or more'))
    expect(calls).toHaveLength(0)
  })

  it('sends only the boxes filled in, as numbers', async () => {
    const calls = fakeFetch({
      'POST /api/kpis': {
        status: 200,
        body: {
          month: { month: '2026-03', revenue: 1200, costs: null, customers: 12 },
          newAnomalies: [],
        },
      },
    })
    const u = userEvent.setup()
    renderRoutes([{ path: '/', element: <KpiEntryForm /> }], '/')
    const month = await screen.findByLabelText('Month')
    await u.clear(month)
    await u.type(month, '2026-03')
    await u.type(screen.getByLabelText('Revenue (USD)'), '1200')
    await u.type(screen.getByLabelText('Customers'), '12')
    await u.click(screen.getByRole('button', { name: 'Save month' }))
    await screen.findByText(/saved\.$/)
    expect(calls[0]!.body).toEqual({ month: '2026-03', revenue: 1200, customers: 12 })
  })
})

describe('CSV import', () => {
  it("lists the server's row problems with their line and column, and says nothing was imported", async () => {
    const requests: Array<{ type: string | null; body: unknown }> = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        requests.push({ type: new Headers(init.headers).get('content-type'), body: init.body })
        return new Response(
          JSON.stringify({
            error: {
              code: 'kpi_import_invalid',
              message: 'The file has 2 problems; nothing was imported.',
              details: [
                { line: 3, column: 'revenue', message: 'revenue must be a number, got "abc"' },
                { line: 5, column: 'month', message: 'month 2026-13 is not a month' },
              ],
            },
          }),
          { status: 400 },
        )
      }),
    )
    const u = userEvent.setup()
    renderRoutes([{ path: '/', element: <CsvImport /> }], '/')
    const file = new File(['month,revenue\n2026-01,100\n2026-02,abc\n'], 'kpis.csv', { type: 'text/csv' })
    await u.upload(await screen.findByLabelText('CSV file'), file)
    await u.click(screen.getByRole('button', { name: 'Import' }))
    const table = await screen.findByTestId('csv-row-errors')
    expect(table.textContent).toContain('revenue must be a number, got "abc"')
    expect(table.textContent).toContain('month 2026-13 is not a month')
    expect(errorOf('CSV file')).toBe('Nothing was imported: 2 problems to fix in the file.')
    expect(requests[0]).toEqual({ type: 'text/csv', body: 'month,revenue\n2026-01,100\n2026-02,abc\n' })
  })
})

describe('KPI chart rows', () => {
  const month = (m: string, revenue: number | null) =>
    ({
      month: m,
      revenue,
      costs: null,
      customers: null,
      newCustomers: null,
      churnedCustomers: null,
      leads: null,
      cash: null,
      churnRate: null,
      updatedAt: '',
    }) as const

  it('joins the forecast to the last recorded month and keeps its bands', () => {
    const rows = kpiRows([month('2026-02', 110), month('2026-01', 100), month('2025-12', null)], 'revenue', {
      metric: 'revenue',
      forecast: {
        status: 'ok',
        method: 'damped_trend',
        history: { months: 6, from: '2025-09', to: '2026-02' },
        params: { alpha: 0.5, beta: 0.1, phi: 0.9, gamma: 0 },
        residualStdError: 3,
        trendPerMonth: 5,
        points: [{ month: '2026-03', value: 115, lower80: 110, upper80: 120, lower95: 105, upper95: 125 }],
        backtest: null,
        notes: [],
      },
    })
    expect(rows.map((r) => [r.month, r.actual, r.forecast, r.band95])).toEqual([
      ['2026-01', 100, null, null],
      ['2026-02', 110, 110, [110, 110]],
      ['2026-03', null, 115, [105, 125]],
    ])
  })

  it("merges recorded anomalies with the fresh scan's, once per month and kind", () => {
    const a = {
      month: '2026-01',
      kind: 'spike',
      direction: 'up',
      value: 9,
      expected: 5,
      lower: 4,
      upper: 6,
      score: 5,
      explanation: 'x',
    } as const
    const merged = anomaliesOf(
      {
        recorded: [
          { ...a, metric: 'revenue' },
          { ...a, metric: 'costs' },
        ],
        scans: [
          {
            metric: 'revenue',
            scan: {
              status: 'ok',
              months: 12,
              seasonallyAdjusted: false,
              noise: 1,
              anomalies: [a, { ...a, month: '2026-02' }],
              notes: [],
            },
          },
        ],
      },
      'revenue',
    )
    expect(merged.map((m) => m.month)).toEqual(['2026-01', '2026-02'])
  })
})
