import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { computeOverallScore, DEFAULT_OVERALL_WEIGHTS, OVERALL_COMPONENTS, resolveOverallWeights } from './overall.ts'
import { canRetake, retakeAvailableAt } from './retake.ts'

describe('computeOverallScore', () => {
  it('is null without scores, never NaN', () => {
    expect(computeOverallScore({})).toBeNull()
    expect(computeOverallScore({ sales: null, bpm: undefined, leadership: Number.NaN })).toBeNull()
  })

  it('renormalizes the weights over the scores present', () => {
    expect(computeOverallScore({ sales: 3.4 })).toBe(3.4)
    // strategy 0.4·4 + process 0.3·2 + technology 0.3·3 = 3.1 / 1.0
    expect(computeOverallScore({ strategy: 4, process: 2, technology: 3 })).toBe(3.1)
    // + sales 5 at 0.1 and reassessment 1 at 0.2: (3.1 + 0.5 + 0.2) / 1.3 = 2.923…
    expect(computeOverallScore({ strategy: 4, process: 2, technology: 3, sales: 5, reassessment: 1 })).toBe(2.92)
  })

  it('honours configured weights, and a zero weight leaves a score out', () => {
    const weights = resolveOverallWeights({ sales: 1, bpm: 0 })
    expect(computeOverallScore({ sales: 5, bpm: 1 }, weights)).toBe(5)
    expect(computeOverallScore({ bpm: 1 }, weights)).toBeNull()
    expect(computeOverallScore({ sales: 5, leadership: 1 }, weights)).toBe(4.64)
  })

  it('refuses unknown components and bad weights', () => {
    expect(() => resolveOverallWeights({ nonsense: 1 })).toThrow(/unknown overall-score component "nonsense"/)
    expect(() => resolveOverallWeights({ sales: -1 })).toThrow(/≥ 0/)
    expect(resolveOverallWeights()).toEqual(DEFAULT_OVERALL_WEIGHTS)
  })

  it('stays within [1, 5] for any scores and weights', () => {
    const scoreArb = fc.option(fc.double({ min: 1, max: 5, noNaN: true }), { nil: null })
    fc.assert(
      fc.property(
        fc.array(scoreArb, { minLength: OVERALL_COMPONENTS.length, maxLength: OVERALL_COMPONENTS.length }),
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), {
          minLength: OVERALL_COMPONENTS.length,
          maxLength: OVERALL_COMPONENTS.length,
        }),
        (scores, ws) => {
          const weights = Object.fromEntries(
            OVERALL_COMPONENTS.map((c, i) => [c, ws[i]!]),
          ) as typeof DEFAULT_OVERALL_WEIGHTS
          const overall = computeOverallScore(
            Object.fromEntries(OVERALL_COMPONENTS.map((c, i) => [c, scores[i]])),
            weights,
          )
          if (overall !== null) {
            expect(overall).toBeGreaterThanOrEqual(1)
            expect(overall).toBeLessThanOrEqual(5)
          }
        },
      ),
    )
  })
})

describe('retakes', () => {
  const taken = new Date('2026-01-01T00:00:00Z')
  it('opens retakeDays after the last take', () => {
    expect(retakeAvailableAt(taken, 30)?.toISOString()).toBe('2026-01-31T00:00:00.000Z')
    expect(retakeAvailableAt(null, 30)).toBeNull()
    expect(canRetake(taken, 30, new Date('2026-01-30T23:59:59Z'))).toBe(false)
    expect(canRetake(taken, 30, new Date('2026-01-31T00:00:00Z'))).toBe(true)
    expect(canRetake(undefined, 30, taken)).toBe(true)
    expect(canRetake(taken, 0, taken)).toBe(true)
  })
})
