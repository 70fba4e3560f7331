import { describe, expect, it } from 'vitest'
import { forecastSeries, tQuantile975 } from './forecast.ts'
import { buildHistory } from './history.ts'

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000)

describe('forecastSeries', () => {
  it('has no forecast without history', () => {
    const f = forecastSeries([])
    expect(f.method).toBe('none')
    expect(f.forecast).toEqual([])
    expect(f.trend).toBe('unknown')
  })

  it('stays flat from one point with a widening prior interval', () => {
    const f = forecastSeries([{ at: day(0), score: 3.2 }])
    expect(f.method).toBe('naive')
    expect(f.forecast.map((p) => p.value)).toEqual([3.2, 3.2, 3.2])
    const widths = f.forecast.map((p) => p.upper - p.lower)
    expect(widths[0]).toBeGreaterThan(0)
    expect(widths[2]!).toBeGreaterThan(widths[0]!)
  })

  it('damps the slope of two points', () => {
    const f = forecastSeries([
      { at: day(0), score: 2 },
      { at: day(30), score: 3 },
    ])
    expect(f.method).toBe('two_point')
    expect(f.slopePerMonth).toBeCloseTo(0.5, 6)
    expect(f.forecast[0]!.value).toBeCloseTo(3.5, 6)
    expect(f.trend).toBe('improving')
  })

  it('forecasts a flat history as flat with a narrow interval', () => {
    const f = forecastSeries([0, 30, 60, 90, 120].map((d) => ({ at: day(d), score: 3 })))
    expect(f.method).toBe('linear_regression')
    expect(f.slopePerMonth).toBe(0)
    expect(f.trend).toBe('stable')
    expect(f.forecast[0]!.upper - f.forecast[0]!.lower).toBeLessThan(0.5) // a one-point prior gives 0.98
    for (const p of f.forecast) {
      expect(p.value).toBe(3)
      expect(p.upper - p.lower).toBeLessThan(1)
      expect(p.lower).toBeLessThanOrEqual(3)
      expect(p.upper).toBeGreaterThanOrEqual(3)
    }
  })

  it('recovers a rising line exactly', () => {
    // +0.2 per 30 days from 2.0
    const f = forecastSeries([0, 30, 60, 90].map((d) => ({ at: day(d), score: 2 + (0.2 * d) / 30 })))
    expect(f.slopePerMonth).toBeCloseTo(0.2, 6)
    expect(f.trend).toBe('improving')
    expect(f.forecast[0]!.value).toBeCloseTo(2.8, 2) // day 120
    expect(f.forecast[1]!.value).toBeCloseTo(3.2, 2) // day 180
  })

  it('fits a noisy rising series with an interval that holds the true line and widens with the horizon', () => {
    const noise = [0.15, -0.1, 0.05, -0.2, 0.12, -0.05, 0.1, -0.08]
    const history = noise.map((e, i) => ({ at: day(i * 20), score: 2 + 0.005 * i * 20 + e }))
    const f = forecastSeries(history)
    expect(f.slopePerMonth).toBeGreaterThan(0.05)
    expect(f.slopePerMonth).toBeLessThan(0.3)
    expect(f.residualStdError!).toBeGreaterThan(0.05)
    const lastDay = 7 * 20
    for (const p of f.forecast) {
      const truth = Math.min(5, 2 + 0.005 * (lastDay + p.horizonDays))
      expect(p.lower).toBeLessThanOrEqual(truth)
      expect(p.upper).toBeGreaterThanOrEqual(truth)
    }
    expect(f.forecast[2]!.upper - f.forecast[2]!.lower).toBeGreaterThan(f.forecast[0]!.upper - f.forecast[0]!.lower)
  })

  it('clamps to the 1–5 scale and detects decline', () => {
    const f = forecastSeries([0, 30, 60].map((d, i) => ({ at: day(d), score: 2 - 0.5 * i })))
    expect(f.trend).toBe('declining')
    for (const p of f.forecast) expect(p.lower).toBeGreaterThanOrEqual(1)
  })

  it('treats points on one day as one level', () => {
    const f = forecastSeries([
      { at: day(0), score: 2 },
      { at: day(0), score: 4 },
    ])
    expect(f.method).toBe('naive')
    expect(f.forecast[0]!.value).toBe(3)
  })

  it('uses Student t quantiles', () => {
    expect(tQuantile975(1)).toBe(12.706)
    expect(tQuantile975(100)).toBe(1.96)
    expect(tQuantile975(0)).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('buildHistory', () => {
  it('builds per-area series and reconstructs the overall after each event', () => {
    const { areas, overall } = buildHistory([
      { at: day(10), area: 'sales', score: 4 },
      { at: day(0), area: 'strategy', score: 2 },
      { at: day(0), area: 'process', score: 3 },
    ])
    expect(areas.strategy).toEqual([{ at: day(0), score: 2 }])
    expect(overall).toEqual([
      { at: day(0), score: 2.5 },
      { at: day(10), score: 3 },
    ])
  })
})
