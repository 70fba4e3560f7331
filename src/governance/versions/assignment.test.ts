import { describe, expect, it } from 'vitest'
import { assignVariant, bucketOf } from './assignment.ts'
import { normalCdf, twoProportionZTest } from './significance.ts'

describe('sticky assignment', () => {
  const variants = [
    { versionId: 'a', weight: 70 },
    { versionId: 'b', weight: 20 },
    { versionId: 'c', weight: 10 },
  ]

  it('gives a user the same variant every time, in every process (no state)', () => {
    for (let i = 0; i < 200; i++) {
      const user = `user-${i}`
      const first = assignVariant('exp-1', user, variants)
      for (let k = 0; k < 5; k++) expect(assignVariant('exp-1', user, variants)).toBe(first)
    }
  })

  it('splits 10,000 simulated users within 1.5 points of the weights', () => {
    const counts = { a: 0, b: 0, c: 0 }
    for (let i = 0; i < 10_000; i++)
      counts[
        assignVariant('exp-42', `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, variants)!.versionId as
          'a' | 'b' | 'c'
      ]++
    expect(Math.abs(counts.a / 10_000 - 0.7)).toBeLessThan(0.015)
    expect(Math.abs(counts.b / 10_000 - 0.2)).toBeLessThan(0.015)
    expect(Math.abs(counts.c / 10_000 - 0.1)).toBeLessThan(0.015)
  })

  it('assigns independently per experiment', () => {
    let same = 0
    for (let i = 0; i < 2_000; i++) if (bucketOf('x', `u${i}`) < 0.5 === bucketOf('y', `u${i}`) < 0.5) same++
    expect(same / 2_000).toBeGreaterThan(0.45)
    expect(same / 2_000).toBeLessThan(0.55)
  })

  it('ignores non-positive weights and has no variant when all are zero', () => {
    expect(assignVariant('e', 'u', [{ weight: 0 }, { weight: -1 }])).toBeUndefined()
    for (let i = 0; i < 100; i++)
      expect(
        assignVariant('e', `u${i}`, [
          { id: 1, weight: 0 },
          { id: 2, weight: 1 },
        ])!.id,
      ).toBe(2)
  })

  it('buckets are in [0, 1)', () => {
    for (let i = 0; i < 1000; i++) {
      const b = bucketOf('e', String(i))
      expect(b).toBeGreaterThanOrEqual(0)
      expect(b).toBeLessThan(1)
    }
  })
})

describe('two-proportion z-test', () => {
  it('matches a hand-computed case', () => {
    // p1 = 0.10 (50/500), p2 = 0.05 (25/500); pooled 0.075; se = sqrt(.075*.925*(2/500)) = 0.016658
    const t = twoProportionZTest({ successes: 50, trials: 500 }, { successes: 25, trials: 500 })!
    expect(t.z).toBeCloseTo(3.0015, 3)
    expect(t.pValue).toBeCloseTo(0.00269, 4)
    expect(t.significant).toBe(true)
  })

  it('is not significant for equal rates, and undefined without data', () => {
    expect(twoProportionZTest({ successes: 10, trials: 100 }, { successes: 10, trials: 100 })!.significant).toBe(false)
    expect(twoProportionZTest({ successes: 0, trials: 0 }, { successes: 1, trials: 10 })).toBeUndefined()
    expect(twoProportionZTest({ successes: 0, trials: 10 }, { successes: 0, trials: 10 })).toBeUndefined()
  })

  it('normal CDF is accurate', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6)
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 4)
    expect(normalCdf(-1.96)).toBeCloseTo(0.025, 4)
  })
})
