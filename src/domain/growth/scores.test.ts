import { describe, expect, it } from 'vitest'
import { canonicalScores, clampScore, maturityLevel, rankedAreas } from './scores.ts'

describe('scores', () => {
  it('puts scores in a canonical form, ignoring float noise and key order', () => {
    const a = canonicalScores({ areas: { strategy: 3, process: 2.5 }, base: 2.8, overall: 2.7 })
    expect(canonicalScores({ areas: { process: 2.5000001, strategy: 3 }, base: 2.8, overall: 2.7 })).toBe(a)
    expect(canonicalScores({ areas: { strategy: 3, process: 2.6 }, base: 2.8, overall: 2.7 })).not.toBe(a)
  })

  it('ranks present areas from lowest, ties by name', () => {
    expect(
      rankedAreas({ areas: { technology: 2, strategy: 2, sales: 1, process: null }, base: null, overall: null }),
    ).toEqual([
      ['sales', 1],
      ['strategy', 2],
      ['technology', 2],
    ])
  })

  it('clamps to the scale and names maturity levels', () => {
    expect(clampScore(7)).toBe(5)
    expect(clampScore(0.2)).toBe(1)
    expect(clampScore(Number.NaN)).toBe(1)
    expect(clampScore(3.456)).toBe(3.46)
    expect([1, 2.49, 2.5, 3.74, 3.75, 5].map(maturityLevel)).toEqual([
      'foundational',
      'foundational',
      'developing',
      'developing',
      'advanced',
      'advanced',
    ])
  })
})
