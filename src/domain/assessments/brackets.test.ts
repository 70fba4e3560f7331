import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { bracketFloor, bracketFor, bracketForProfile } from './brackets.ts'
import { BRACKETS } from './config-schema.ts'

describe('bracketFor', () => {
  it('rounds down to the nearest half point', () => {
    expect(bracketFor(1)).toBe('score_1')
    expect(bracketFor(1.49)).toBe('score_1')
    expect(bracketFor(1.5)).toBe('score_1_5')
    expect(bracketFor(2.99)).toBe('score_2_5')
    expect(bracketFor(3)).toBe('score_3')
    expect(bracketFor(4.5)).toBe('score_4_5')
    expect(bracketFor(4.99)).toBe('score_4_5')
    expect(bracketFor(5)).toBe('score_5')
  })

  it('serves score_1 to a new user and clamps out-of-range values', () => {
    expect(bracketFor(null)).toBe('score_1')
    expect(bracketFor(undefined)).toBe('score_1')
    expect(bracketFor(Number.NaN)).toBe('score_1')
    expect(bracketFor(0)).toBe('score_1')
    expect(bracketFor(9)).toBe('score_5')
  })

  it('reaches every bracket, score_5 included, at its floor', () => {
    expect(BRACKETS.map((b) => bracketFor(bracketFloor(b)))).toEqual([...BRACKETS])
  })

  it('is monotonic and the bracket floor never exceeds the score', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 5, noNaN: true }), fc.double({ min: 1, max: 5, noNaN: true }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a]
        expect(BRACKETS.indexOf(bracketFor(lo))).toBeLessThanOrEqual(BRACKETS.indexOf(bracketFor(hi)))
        expect(bracketFloor(bracketFor(lo))).toBeLessThanOrEqual(lo + 1e-9)
        expect(lo - bracketFloor(bracketFor(lo))).toBeLessThan(0.5)
      }),
    )
  })

  it('uses the overall score, else the base score', () => {
    expect(bracketForProfile({ overallScore: 3.7, baseScore: 1.2 })).toBe('score_3_5')
    expect(bracketForProfile({ overallScore: null, baseScore: 2.2 })).toBe('score_2')
    expect(bracketForProfile({ overallScore: null, baseScore: null })).toBe('score_1')
  })
})
