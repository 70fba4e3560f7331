import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { effectiveChange, simulateGrowth, SIMULATION_LIMITS } from './simulation.ts'

const base = {
  strategyChange: 0,
  processChange: 0,
  technologyChange: 0,
  revenue: 1_000_000,
  costs: 800_000,
  efficiency: 60,
}

describe('simulateGrowth', () => {
  it('changes nothing when nothing changes', () => {
    const r = simulateGrowth(base)
    expect(r.revenueImpact).toBe(0)
    expect(r.costSavings).toBe(0)
    expect(r.efficiencyGain).toBe(0)
    expect(r.projected).toEqual({ revenue: 1_000_000, costs: 800_000, efficiency: 60, profit: 200_000 })
  })

  it('raises revenue mostly through strategy and cuts costs mostly through process', () => {
    const strategy = simulateGrowth({ ...base, strategyChange: 1 })
    const process = simulateGrowth({ ...base, processChange: 1 })
    expect(strategy.revenueImpact).toBeGreaterThan(process.revenueImpact)
    expect(process.costSavings).toBeGreaterThan(strategy.costSavings)
    expect(process.efficiencyGain).toBeGreaterThan(strategy.efficiencyGain)
    // tanh(0.5) · 25 % of 1,000,000
    expect(strategy.revenueImpact).toBeCloseTo(1_000_000 * 0.25 * Math.tanh(0.5), 1)
  })

  it('lowers results when scores fall', () => {
    const r = simulateGrowth({ ...base, strategyChange: -2, processChange: -2, technologyChange: -2 })
    expect(r.revenueImpact).toBeLessThan(0)
    expect(r.costSavings).toBeLessThan(0)
    expect(r.efficiencyGain).toBeLessThan(0)
    expect(r.projected.efficiency).toBeGreaterThanOrEqual(0)
  })

  it('limits a raise by the headroom of the current score', () => {
    expect(effectiveChange(2, 4.5)).toBe(0.5)
    expect(effectiveChange(-2, 1.5)).toBe(-0.5)
    expect(effectiveChange(5, null)).toBe(2)
    const atTop = simulateGrowth({ ...base, strategyChange: 2 }, { strategy: 5 })
    expect(atTop.revenueImpact).toBe(0)
  })

  it('stays bounded and finite for any input, including out-of-range ones', () => {
    const money = fc.oneof(
      fc.double({ min: -1e15, max: 1e15, noNaN: true }),
      fc.constant(0),
      fc.constant(Number.NaN),
      fc.constant(Number.POSITIVE_INFINITY),
    )
    const change = fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constant(Number.NaN))
    const score = fc.option(fc.double({ min: -10, max: 10, noNaN: true }), { nil: null })
    fc.assert(
      fc.property(
        change,
        change,
        change,
        money,
        money,
        fc.double({ min: -500, max: 500, noNaN: true }),
        score,
        score,
        score,
        (s, p, t, revenue, costs, efficiency, cs, cp, ct) => {
          const r = simulateGrowth(
            { strategyChange: s, processChange: p, technologyChange: t, revenue, costs, efficiency },
            { strategy: cs, process: cp, technology: ct },
          )
          const rev = Math.min(SIMULATION_LIMITS.maxMoney, Math.max(0, Number.isFinite(revenue) ? revenue : 0))
          const cost = Math.min(SIMULATION_LIMITS.maxMoney, Math.max(0, Number.isFinite(costs) ? costs : 0))
          for (const v of [
            r.revenueImpact,
            r.costSavings,
            r.efficiencyGain,
            r.projected.revenue,
            r.projected.costs,
            r.projected.efficiency,
            r.projected.profit,
          ])
            expect(Number.isFinite(v)).toBe(true)
          expect(Math.abs(r.revenueImpact)).toBeLessThanOrEqual(rev * SIMULATION_LIMITS.maxRevenuePct + 0.01)
          expect(Math.abs(r.costSavings)).toBeLessThanOrEqual(cost * SIMULATION_LIMITS.maxCostPct + 0.01)
          expect(Math.abs(r.revenueImpactPct)).toBeLessThanOrEqual(25)
          expect(Math.abs(r.costSavingsPct)).toBeLessThanOrEqual(15)
          expect(r.projected.efficiency).toBeGreaterThanOrEqual(0)
          expect(r.projected.efficiency).toBeLessThanOrEqual(100)
          expect(r.projected.revenue).toBeGreaterThanOrEqual(0)
          expect(r.projected.costs).toBeGreaterThanOrEqual(0)
          for (const c of Object.values(r.effectiveChanges)) expect(Math.abs(c)).toBeLessThanOrEqual(2)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('is monotonic: a larger strategy change never lowers the revenue impact', () => {
    fc.assert(
      fc.property(fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a]
        expect(simulateGrowth({ ...base, strategyChange: hi }).revenueImpact).toBeGreaterThanOrEqual(
          simulateGrowth({ ...base, strategyChange: lo }).revenueImpact,
        )
      }),
    )
  })
})
