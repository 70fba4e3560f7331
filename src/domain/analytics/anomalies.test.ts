import { describe, expect, it } from 'vitest'
import { detectAnomalies, MIN_ANOMALY_MONTHS } from './anomalies.ts'
import { addMonths, type MonthlyPoint } from './months.ts'
import { createNormal, createRandom, syntheticSeries } from './synthetic.test-helpers.ts'

const seasonalSpec = { months: 36, base: 1000, slope: 5, amplitude: 150, noise: 20 }

function scan(points: MonthlyPoint[]) {
  const result = detectAnomalies(points, { label: 'revenue' })
  if (result.status !== 'ok') throw new Error(result.missing)
  return result
}

describe('detectAnomalies', () => {
  it('says what is missing with too little history', () => {
    const result = detectAnomalies(
      [0, 1, 2, 3, 4].map((i) => ({ month: addMonths('2026-01', i), value: 10 })),
      { label: 'leads' },
    )
    expect(result.status).toBe('insufficient_history')
    if (result.status !== 'insufficient_history') return
    expect(result.need).toBe(MIN_ANOMALY_MONTHS)
    expect(result.missing).toContain('leads')
    expect(result.missing).toContain('3 more are needed')
  })

  it('does not flag plain seasonality with a trend and noise', () => {
    const normal = createNormal(createRandom(21))
    let flagged = 0
    const runs = 100
    for (let r = 0; r < runs; r++) if (scan(syntheticSeries(seasonalSpec, normal)).anomalies.length > 0) flagged++
    // A 3.5-σ cut over 36 months: a few series in a hundred show one borderline month.
    expect(flagged / runs).toBeLessThan(0.1)
    // A strong season without noise: nothing at all, and the season is removed.
    const clean = scan(syntheticSeries({ ...seasonalSpec, noise: 0 }, normal))
    expect(clean.seasonallyAdjusted).toBe(true)
    expect(clean.anomalies).toEqual([])
  })

  it('finds injected spikes and dips in seasonal series, with their expected range and words', () => {
    const normal = createNormal(createRandom(22))
    let found = 0
    let wrong = 0
    const runs = 60
    for (let r = 0; r < runs; r++) {
      const series = syntheticSeries(seasonalSpec, normal)
      const at = 3 + ((r * 7) % 30)
      const up = r % 2 === 0
      series[at]!.value += (up ? 1 : -1) * 10 * seasonalSpec.noise
      const result = scan(series)
      const hit = result.anomalies.find((a) => a.month === series[at]!.month)
      if (hit && hit.kind === (up ? 'spike' : 'dip')) {
        found++
        expect(up ? hit.value > hit.upper : hit.value < hit.lower).toBe(true)
        expect(hit.lower).toBeLessThan(hit.expected)
        expect(hit.upper).toBeGreaterThan(hit.expected)
        expect(hit.explanation).toMatch(up ? /above the expected range/ : /below the expected range/)
      }
      wrong += result.anomalies.filter((a) => a.month !== series[at]!.month).length
    }
    expect(found / runs).toBeGreaterThan(0.95)
    // Other months flagged per series: the plain rate (~4 %) plus the odd neighbour of a spike.
    expect(wrong / runs).toBeLessThan(0.25)
  })

  it('names the month, the value and the expectation in its explanation', () => {
    const normal = createNormal(createRandom(23))
    const series = syntheticSeries(seasonalSpec, normal)
    series[20]!.value += 400
    const hit = scan(series).anomalies.find((a) => a.month === series[20]!.month)!
    expect(hit.kind).toBe('spike')
    expect(hit.explanation).toContain('Revenue in September 2024')
    expect(hit.explanation).toContain(Math.round(hit.value).toLocaleString('en-US'))
    expect(hit.explanation).toContain('usual seasonal pattern')
    expect(hit.score).toBeGreaterThan(3.5)
  })

  it('finds level shifts (up and down) where they start', () => {
    const normal = createNormal(createRandom(24))
    let found = 0
    const runs = 40
    for (let r = 0; r < runs; r++) {
      const series = syntheticSeries(seasonalSpec, normal)
      const start = 18 + (r % 12)
      const up = r % 2 === 0
      for (let t = start; t < series.length; t++) series[t]!.value += (up ? 1 : -1) * 12 * seasonalSpec.noise
      const shifts = scan(series).anomalies.filter((a) => a.kind === 'level_shift')
      const index = shifts.length === 1 ? series.findIndex((p) => p.month === shifts[0]!.month) : -1
      if (index >= 0 && Math.abs(index - start) <= 1 && shifts[0]!.direction === (up ? 'up' : 'down')) found++
    }
    // Measured 80 %: a step in the middle of three years bends the estimated season around it.
    expect(found / runs).toBeGreaterThan(0.75)
  })

  it('finds a level shift in a short series without a season, and says the season was not removed', () => {
    const values = [100, 103, 99, 101, 102, 98, 100, 101, 60, 61, 59, 62, 60, 58]
    const result = scan(values.map((value, i) => ({ month: addMonths('2025-01', i), value })))
    expect(result.seasonallyAdjusted).toBe(false)
    expect(result.notes.join(' ')).toContain('Seasonal patterns are not removed')
    const shift = result.anomalies.find((a) => a.kind === 'level_shift')!
    expect(shift.month).toBe('2025-09')
    expect(shift.direction).toBe('down')
    expect(shift.explanation).toContain('From September 2025 revenue moved to a lower level')
    // The edge of the shift is not also reported as a dip.
    expect(result.anomalies.filter((a) => a.kind === 'dip')).toEqual([])
  })
})
