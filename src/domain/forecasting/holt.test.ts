import { describe, expect, it } from 'vitest'
import { dampedReach, forecastScores, MIN_SPAN_DAYS, type HistoryPoint } from './holt.ts'

const DAY = 86_400_000
const day = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * DAY)

/** A seeded generator (LCG + Box–Muller), so the synthetic series are the same on every run. */
function random(seed: number) {
  let s = seed
  const uniform = () => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s / 2147483648
  }
  const gauss = () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform())
  return { uniform, gauss }
}

const clamp = (v: number) => Math.min(5, Math.max(1, v))

describe('forecastScores: says what is missing', () => {
  it('four submissions minutes apart are one point: no forecast, and the answer says why', () => {
    const t0 = Date.UTC(2026, 10, 30, 17, 0)
    const history = [2, 3.5, 4.2, 4.9].map((score, i) => ({ at: new Date(t0 + i * 60_000), score }))
    const f = forecastScores(history)
    expect(f.status).toBe('insufficient_data')
    if (f.status !== 'insufficient_data') return
    expect(f).toMatchObject({
      submissions: 1,
      spanDays: 0,
      needed: { submissions: 3, spanDays: 30 },
      last: { score: 4.9 },
    })
    expect(f.message).toBe(
      'A forecast needs 3 assessments on different days spanning at least 30 days; you need 2 more assessments on different days and a history spanning at least 30 days (yours spans 0 days).',
    )
  })

  it('enough submissions over too short a span, and a long span with too few', () => {
    const short = forecastScores([0, 5, 10, 20].map((d) => ({ at: day(d), score: 3 })))
    expect(short).toMatchObject({ status: 'insufficient_data', submissions: 4, spanDays: 20 })
    if (short.status === 'insufficient_data')
      expect(short.message).toMatch(/you need a history spanning at least 30 days \(yours spans 20 days\)\.$/)
    const few = forecastScores([0, 90].map((d) => ({ at: day(d), score: 3 })))
    if (few.status === 'insufficient_data') expect(few.message).toMatch(/you need 1 more assessment on another day\.$/)
    expect(few.status).toBe('insufficient_data')
    expect(forecastScores([])).toMatchObject({ status: 'insufficient_data', submissions: 0, last: null })
  })

  it('forecasts from exactly 3 days spanning 30 days', () => {
    const f = forecastScores([0, 15, MIN_SPAN_DAYS].map((d, i) => ({ at: day(d), score: 2 + i * 0.2 })))
    expect(f.status).toBe('ok')
    if (f.status !== 'ok') return
    expect(f.method).toBe('damped_holt')
    expect(f.backtest).toBeNull()
    expect(f.trend).toBe('improving')
    expect(f.forecast.map((p) => p.horizonDays)).toEqual([30, 90, 180])
  })
})

describe('forecastScores: the model', () => {
  it('a flat history forecasts flat; a steady climb is followed, damped, and bounded to 1–5', () => {
    const flat = forecastScores([0, 30, 60, 90, 120].map((d) => ({ at: day(d), score: 3 })))
    expect(flat.status === 'ok' && flat.forecast.map((p) => p.value)).toEqual([3, 3, 3])
    const climb = forecastScores([0, 30, 60, 90, 120, 150].map((d, i) => ({ at: day(d), score: 2 + 0.3 * i })))
    if (climb.status !== 'ok') throw new Error('expected a forecast')
    // The damped trend trails a perfectly steady climb (0.3 a month) by design.
    expect(climb.trendPerMonth).toBeGreaterThan(0.18)
    expect(climb.trendPerMonth).toBeLessThan(0.35)
    const [m1, m3, m6] = climb.forecast.map((p) => p.value - climb.level)
    // Damped: six months add less than six times one month.
    expect(m6!).toBeLessThan(6 * m1!)
    expect(m3!).toBeGreaterThan(m1!)
    const steep = forecastScores([0, 30, 60, 90].map((d, i) => ({ at: day(d), score: 1 + 1.3 * i })))
    if (steep.status !== 'ok') throw new Error('expected a forecast')
    for (const p of steep.forecast) for (const v of [p.value, p.lower, p.upper]) expect(v >= 1 && v <= 5).toBe(true)
    expect(steep.forecast.at(-1)!.upper).toBe(5)
  })

  it('the damped reach is φ + φ² + … and a full month of φ = 1 is the plain trend', () => {
    expect(dampedReach(0.9, 2)).toBeCloseTo(0.9 + 0.81, 10)
    expect(dampedReach(1, 3)).toBe(3)
  })

  it('intervals widen with the horizon; the backtest is reported beside the naive one and beats it on a trend', () => {
    const rng = random(7)
    const history: HistoryPoint[] = Array.from({ length: 10 }, (_, i) => ({
      at: day(i * 30),
      score: 1.5 + 0.25 * i + 0.05 * rng.gauss(),
    }))
    const f = forecastScores(history)
    if (f.status !== 'ok') throw new Error('expected a forecast')
    const widths = f.forecast.map((p) => p.upper - p.lower)
    expect(widths[1]!).toBeGreaterThan(widths[0]!)
    expect(widths[2]!).toBeGreaterThan(widths[1]!)
    expect(f.backtest).not.toBeNull()
    expect(f.backtest!.points).toBe(6)
    expect(f.backtest!.mae).toBeLessThan(f.backtest!.naiveMae)
  })
})

describe('forecastScores: intervals hold the truth at about the stated rate', () => {
  /**
   * Synthetic businesses: a known linear trend (−0.1…+0.1 per month) plus Gaussian noise
   * (σ 0.1–0.3), 3–12 assessments 15–75 days apart. A later observation of the same process is
   * the truth; the 95 % intervals at 30, 90 and 180 days should hold it about 95 % of the time.
   */
  it('95 % intervals cover 92–98 % of future observations at every horizon', () => {
    const rng = random(2026)
    const hits: Record<number, number> = { 30: 0, 90: 0, 180: 0 }
    let forecasts = 0
    for (let k = 0; k < 3000; k++) {
      const n = 3 + Math.floor(rng.uniform() * 10)
      const noise = 0.1 + rng.uniform() * 0.2
      const slope = -0.1 + rng.uniform() * 0.2
      const start = 1.8 + rng.uniform() * 2
      const truthAt = (d: number) => clamp(start + (slope * d) / 30 + noise * rng.gauss())
      const history: HistoryPoint[] = []
      let d = 0
      for (let i = 0; i < n; i++) {
        d += i === 0 ? 0 : 15 + rng.uniform() * 60
        history.push({ at: new Date(Date.UTC(2025, 0, 1) + d * DAY), score: truthAt(d) })
      }
      const f = forecastScores(history)
      if (f.status !== 'ok') continue
      forecasts++
      for (const p of f.forecast) {
        const truth = truthAt(d + p.horizonDays)
        if (truth >= p.lower && truth <= p.upper) hits[p.horizonDays]!++
      }
    }
    expect(forecasts).toBeGreaterThan(2500)
    for (const h of [30, 90, 180]) {
      const rate = hits[h]! / forecasts
      expect(rate, `coverage at ${h} days`).toBeGreaterThan(0.92)
      expect(rate, `coverage at ${h} days`).toBeLessThan(0.98)
    }
  })
})
