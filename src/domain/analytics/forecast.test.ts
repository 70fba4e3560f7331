import { describe, expect, it } from 'vitest'
import { forecastMonthly, MIN_MONTHS } from './forecast.ts'
import { addMonths } from './months.ts'
import { createNormal, createRandom, syntheticSeries, type SyntheticSpec } from './synthetic.test-helpers.ts'

/** Share of future truths (drawn from the same process) inside the 80 % and 95 % intervals. */
function coverage(spec: SyntheticSpec, runs: number, horizon: number, seed: number) {
  const normal = createNormal(createRandom(seed))
  let in80 = 0
  let in95 = 0
  let total = 0
  const methods = new Set<string>()
  for (let r = 0; r < runs; r++) {
    const all = syntheticSeries({ ...spec, months: spec.months + horizon }, normal)
    const f = forecastMonthly(all.slice(0, spec.months), { horizon })
    if (f.status !== 'ok') throw new Error('expected a forecast')
    methods.add(f.method)
    f.points.forEach((p, i) => {
      const truth = all[spec.months + i]!.value
      if (truth >= p.lower80 && truth <= p.upper80) in80++
      if (truth >= p.lower95 && truth <= p.upper95) in95++
      total++
    })
  }
  return { c80: in80 / total, c95: in95 / total, methods }
}

describe('forecastMonthly', () => {
  it('says what is missing with too little history, and names the gaps', () => {
    const f = forecastMonthly(
      ['2026-01', '2026-02', '2026-04', '2026-05', '2026-06'].map((month) => ({ month, value: 10 })),
      { horizon: 3, label: 'revenue' },
    )
    expect(f.status).toBe('insufficient_history')
    if (f.status !== 'insufficient_history') return
    expect(f.have).toBe(3)
    expect(f.need).toBe(MIN_MONTHS)
    expect(f.gaps).toEqual(['2026-03'])
    expect(f.missing).toContain('revenue')
    expect(f.missing).toContain('3 more months')
    expect(f.missing).toContain('2026-03')
  })

  it('uses a damped trend under 24 months and Holt–Winters from 24', () => {
    const normal = createNormal(createRandom(1))
    const short = forecastMonthly(
      syntheticSeries({ months: 12, base: 100, slope: 2, amplitude: 0, noise: 1 }, normal),
      { horizon: 6 },
    )
    const long = forecastMonthly(
      syntheticSeries({ months: 30, base: 100, slope: 2, amplitude: 20, noise: 1 }, normal),
      { horizon: 6 },
    )
    expect(short.status === 'ok' && short.method).toBe('damped_trend')
    expect(long.status === 'ok' && long.method).toBe('holt_winters')
    if (short.status !== 'ok' || long.status !== 'ok') return
    expect(short.notes.join(' ')).toContain('Seasonality is not modelled')
    expect(short.points.map((p) => p.month)).toEqual([1, 2, 3, 4, 5, 6].map((h) => addMonths('2023-12', h)))
    expect(short.backtest).not.toBeNull()
    expect(long.backtest!.method).toBe('holt_winters')
  })

  it('follows a clean trend and season closely', () => {
    const normal = createNormal(createRandom(2))
    const spec = { months: 36, base: 1000, slope: 10, amplitude: 100, noise: 5 }
    const all = syntheticSeries({ ...spec, months: 42 }, normal)
    const f = forecastMonthly(all.slice(0, 36), { horizon: 6 })
    if (f.status !== 'ok') throw new Error('expected a forecast')
    f.points.forEach((p, i) => {
      const truth = 1000 + 10 * (36 + i) + 100 * Math.sin((2 * Math.PI * (36 + i)) / 12)
      expect(Math.abs(p.value - truth)).toBeLessThan(40)
      expect(p.lower95).toBeLessThan(p.lower80)
      expect(p.upper95).toBeGreaterThan(p.upper80)
    })
    // Wider with the horizon.
    expect(f.points[5]!.upper95 - f.points[5]!.lower95).toBeGreaterThan(f.points[0]!.upper95 - f.points[0]!.lower95)
    expect(f.backtest!.mae).toBeLessThan(f.backtest!.naiveMae)
  })

  it('holds the truth inside its intervals at about the stated rate (seasonal, 36 months)', () => {
    const { c80, c95, methods } = coverage({ months: 36, base: 1000, slope: 8, amplitude: 120, noise: 40 }, 200, 6, 11)
    expect([...methods]).toEqual(['holt_winters'])
    expect(c95).toBeGreaterThan(0.89)
    expect(c95).toBeLessThan(0.995)
    expect(c80).toBeGreaterThan(0.7)
    expect(c80).toBeLessThan(0.92)
  })

  it('holds the truth inside its intervals at about the stated rate (trend and noise, 18 months)', () => {
    const { c80, c95, methods } = coverage({ months: 18, base: 500, slope: 5, amplitude: 0, noise: 20 }, 300, 6, 12)
    expect([...methods]).toEqual(['damped_trend'])
    expect(c95).toBeGreaterThan(0.89)
    expect(c95).toBeLessThan(0.995)
    expect(c80).toBeGreaterThan(0.7)
    expect(c80).toBeLessThan(0.92)
  })

  it('keeps bounds (a rate between 0 and 1, counts not below 0)', () => {
    const values = [0.05, 0.04, 0.03, 0.02, 0.015, 0.01, 0.005, 0.002]
    const f = forecastMonthly(
      values.map((value, i) => ({ month: addMonths('2025-01', i), value })),
      { horizon: 12, min: 0, max: 1 },
    )
    if (f.status !== 'ok') throw new Error('expected a forecast')
    for (const p of f.points) {
      expect(p.lower95).toBeGreaterThanOrEqual(0)
      expect(p.upper95).toBeLessThanOrEqual(1)
    }
  })
})
