import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { rows } from '../../../src/data/db.ts'
import { addMonths } from '../../../src/domain/analytics/months.ts'
import { errorOf, signUp, startTestApp, type TestApp } from '../../helpers/app.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { openSse } from '../../helpers/sse.ts'

/** 36 months of revenue with a season and a trend, and a spike in month 30. */
function csvWithSpike(spikeAt = 30): string {
  const lines = ['month,revenue,costs,customers,new_customers,churned_customers,leads,cash']
  let customers = 200
  for (let t = 0; t < 36; t++) {
    const wobble = ((t * 37) % 11) - 5 // deterministic noise in −5…5
    const revenue =
      10_000 + 120 * t + 1_500 * Math.sin((2 * Math.PI * t) / 12) + 40 * wobble + (t === spikeAt ? 6_000 : 0)
    const churned = 6 + (t % 3)
    const added = 10 + (t % 4)
    customers += added - churned
    lines.push(
      [
        addMonths('2023-01', t),
        revenue.toFixed(2),
        (7_000 + 50 * t).toFixed(2),
        customers,
        added,
        churned,
        40 + (t % 7),
        20_000 + 300 * t,
      ].join(','),
    )
  }
  return `${lines.join('\n')}\n`
}

describeBackends('KPI tracking', (backend) => {
  let t: TestApp
  let base: string
  beforeAll(async () => {
    t = await startTestApp(backend)
    base = await t.app.listen({ host: '127.0.0.1', port: 0 })
  })
  afterAll(async () => {
    await t.close()
  })

  const importCsv = (auth: Record<string, string>, body: string, type = 'text/csv') =>
    t.app.inject({ method: 'POST', url: '/api/kpis/import', headers: { ...auth, 'content-type': type }, payload: body })
  const months = async (auth: Record<string, string>) =>
    (
      (await t.app.inject({ method: 'GET', url: '/api/kpis', headers: auth })).json() as {
        months: Array<Record<string, unknown>>
      }
    ).months

  it('records one month, replaces it when written again, and refuses bad input with the field at fault', async () => {
    const user = await signUp(t.app)
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/kpis',
      headers: user.auth,
      payload: { month: '2026-01', revenue: 1000, customers: 20 },
    })
    expect(first.statusCode).toBe(200)
    expect(first.json()).toMatchObject({
      month: { month: '2026-01', revenue: 1000, customers: 20, cash: null },
      newAnomalies: [],
    })
    await t.app.inject({
      method: 'POST',
      url: '/api/kpis',
      headers: user.auth,
      payload: { month: '2026-01', revenue: 1200 },
    })
    expect(await months(user.auth)).toEqual([
      expect.objectContaining({ month: '2026-01', revenue: 1200, customers: null }),
    ])
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/kpis',
      headers: user.auth,
      payload: { month: '2026-13', revenue: -5 },
    })
    expect(bad.statusCode).toBe(400)
    expect(
      errorOf(bad)
        .error.details!.map((d) => d.field)
        .sort(),
    ).toEqual(['body.month', 'body.revenue'])
    const empty = await t.app.inject({
      method: 'POST',
      url: '/api/kpis',
      headers: user.auth,
      payload: { month: '2026-02' },
    })
    expect(empty.statusCode).toBe(400)
    expect((await t.app.inject({ method: 'GET', url: '/api/kpis' })).statusCode).toBe(401)
  })

  it('reports every bad row of a CSV file with its line and column, and imports nothing', async () => {
    const user = await signUp(t.app)
    const bad = [
      'month,revenue,customers',
      '2025-01,100,10',
      '2025-02,abc,10',
      '2025-03,100,-1',
      '2025-13,100,10',
      '2025-01,100,10',
    ].join('\n')
    const response = await importCsv(user.auth, bad)
    expect(response.statusCode).toBe(400)
    const { error } = errorOf(response)
    expect(error.code).toBe('kpi_import_invalid')
    expect(error.details).toEqual([
      { line: 3, column: 'revenue', message: '"abc" is not a number' },
      { line: 4, column: 'customers', message: 'customers cannot be negative (found -1)' },
      { line: 5, column: 'month', message: expect.stringContaining('not a month') },
      { line: 6, column: 'month', message: '2025-01 already appears on line 2' },
    ])
    expect(await months(user.auth)).toEqual([])
    const unclosed = await importCsv(user.auth, 'month,revenue\n2025-01,"100\n2025-02,5\n')
    expect(unclosed.statusCode).toBe(400)
    expect((errorOf(unclosed).error.details as unknown as Array<{ line: number }>)[0]!.line).toBe(2)
    expect((await importCsv(user.auth, '{"month":"2025-01"}', 'application/json')).statusCode).toBe(415)
    expect(await months(user.auth)).toEqual([])
  })

  it('imports a good file, forecasts with Holt-Winters, finds the spike once and announces it live', async () => {
    const user = await signUp(t.app)
    const stream = await openSse(`${base}/api/realtime/stream`, user.auth)
    await stream.next((m) => m.event === 'ready')
    const response = await importCsv(user.auth, csvWithSpike())
    expect(response.statusCode).toBe(200)
    const body = response.json() as {
      imported: number
      months: { from: string; to: string }
      newAnomalies: Array<{ metric: string; month: string; kind: string; explanation: string }>
    }
    expect(body.imported).toBe(36)
    expect(body.months).toEqual({ from: '2023-01', to: '2025-12' })
    const spike = body.newAnomalies.find((a) => a.metric === 'revenue' && a.month === '2025-07')
    expect(spike).toMatchObject({ kind: 'spike' })
    expect(spike!.explanation).toContain('Revenue in July 2025')
    const event = await stream.next(
      (m) => m.event === 'kpi.anomaly' && (m.json.payload as { month: string }).month === '2025-07',
    )
    expect(event.json.payload).toMatchObject({ metric: 'revenue', kind: 'spike', direction: 'up' })
    stream.close()

    // Written again: nothing new to announce.
    const again = await importCsv(user.auth, csvWithSpike())
    expect((again.json() as { newAnomalies: unknown[] }).newAnomalies).toEqual([])

    const list = await months(user.auth)
    expect(list).toHaveLength(36)
    expect(list[1]!.churnRate).toBeGreaterThan(0)

    const forecast = await t.app.inject({
      method: 'GET',
      url: '/api/kpis/forecast?metric=revenue&months=6',
      headers: user.auth,
    })
    expect(forecast.statusCode).toBe(200)
    const f = (
      forecast.json() as {
        forecast: {
          status: string
          method: string
          points: Array<{ month: string; value: number; lower95: number; upper95: number }>
          backtest: { mae: number }
        }
      }
    ).forecast
    expect(f).toMatchObject({ status: 'ok', method: 'holt_winters' })
    expect(f.points.map((p) => p.month)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'])
    for (const p of f.points) expect(p.lower95).toBeLessThan(p.value)
    expect(f.backtest.mae).toBeGreaterThan(0)

    const churn = await t.app.inject({ method: 'GET', url: '/api/kpis/churn?months=3', headers: user.auth })
    const c = churn.json() as {
      rates: unknown[]
      latest: number
      forecast: { status: string; points: Array<{ value: number }> }
    }
    expect(c.rates).toHaveLength(36)
    expect(c.latest).toBeGreaterThan(0)
    expect(c.forecast.status).toBe('ok')
    for (const p of c.forecast.points) expect(p.value).toBeGreaterThanOrEqual(0)

    const anomalies = await t.app.inject({
      method: 'GET',
      url: '/api/kpis/anomalies?metric=revenue',
      headers: user.auth,
    })
    const a = anomalies.json() as {
      scans: Array<{
        metric: string
        scan: {
          status: string
          seasonallyAdjusted: boolean
          anomalies: Array<{ month: string; lower: number; upper: number; value: number }>
        }
      }>
      recorded: Array<{ month: string }>
    }
    expect(a.scans).toHaveLength(1)
    expect(a.scans[0]!.scan.seasonallyAdjusted).toBe(true)
    const found = a.scans[0]!.scan.anomalies.find((x) => x.month === '2025-07')!
    expect(found.value).toBeGreaterThan(found.upper)
    expect(a.recorded.map((r) => r.month)).toContain('2025-07')

    const narrative = await t.app.inject({ method: 'GET', url: '/api/kpis/narrative', headers: user.auth })
    expect(narrative.statusCode).toBe(200)
    const n = narrative.json() as {
      provider: string
      summary: string
      trends: Array<{ metric: string; sentence: string }>
    }
    expect(n.provider).toBe('rules')
    expect(n.trends.find((x) => x.metric === 'revenue')!.sentence).toMatch(/^Revenue was [\d,]+ in 2025-12/)
  })

  it('says what is missing when it cannot forecast', async () => {
    const user = await signUp(t.app)
    await importCsv(user.auth, 'month,revenue\n2026-01,100\n2026-02,110\n2026-03,120\n')
    const response = await t.app.inject({ method: 'GET', url: '/api/kpis/forecast?metric=revenue', headers: user.auth })
    expect(response.json()).toMatchObject({
      metric: 'revenue',
      forecast: { status: 'insufficient_history', have: 3, need: 6 },
    })
    expect((response.json() as { forecast: { missing: string } }).forecast.missing).toContain('3 more months')
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/kpis/forecast?metric=profit', headers: user.auth })).statusCode,
    ).toBe(400)
    // Names of Object.prototype are not metrics (the fuzzer found `valueOf` answering 500).
    for (const metric of ['valueOf', 'constructor', '__proto__', 'toString'])
      expect(
        (await t.app.inject({ method: 'GET', url: `/api/kpis/forecast?metric=${metric}`, headers: user.auth }))
          .statusCode,
        metric,
      ).toBe(400)
  })

  describe('isolation', () => {
    it("keeps one user's KPIs and anomalies from another, also under RLS", async () => {
      const a = await signUp(t.app)
      const b = await signUp(t.app)
      await importCsv(a.auth, csvWithSpike())
      expect(await months(b.auth)).toEqual([])
      const seen = await t.container.db.asUser({ sub: b.user.id, role: 'user' }, async (tx) => {
        const [m] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from kpi_months`)
        const [x] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from kpi_anomalies`)
        return [m!.n, x!.n]
      })
      expect(seen).toEqual([0, 0])
      const exported = (await t.app.inject({ method: 'GET', url: '/api/me/export', headers: a.auth })).json() as {
        tables: Record<string, unknown[]>
      }
      expect(exported.tables.kpi_months).toHaveLength(36)
      expect(exported.tables.kpi_anomalies!.length).toBeGreaterThan(0)
      const deleted = await t.app.inject({ method: 'DELETE', url: '/api/me', headers: a.auth })
      expect((deleted.json() as { deleted: Record<string, number> }).deleted.kpi_months).toBe(36)
      const [left] = await t.container.db.query<{ n: number }>(
        'select count(*)::int as n from kpi_months where user_id = $1',
        [a.user.id],
      )
      expect(left!.n).toBe(0)
    })
  })
})
