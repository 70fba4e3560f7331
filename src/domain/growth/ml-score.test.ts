import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { computeMlScore, industryGroup, ML_WEIGHTS } from './ml-score.ts'

describe('computeMlScore', () => {
  it('maps industries to groups', () => {
    expect(industryGroup('B2B SaaS')).toBe('technology')
    expect(industryGroup('Food manufacturing')).toBe('manufacturing')
    expect(industryGroup('Management consulting')).toBe('services')
    expect(industryGroup('Dental clinic')).toBe('healthcare')
    expect(industryGroup('Insurance broker')).toBe('finance')
    expect(industryGroup('Online retail')).toBe('retail')
    expect(industryGroup('Fruit farming')).toBe('general')
    expect(industryGroup(null)).toBe('general')
  })

  it('has slope rows that sum to 1.6', () => {
    for (const w of Object.values(ML_WEIGHTS)) expect(w.strategy + w.process + w.technology).toBeCloseTo(1.6, 9)
  })

  it('is 3 at the balanced midpoint and rises with every area', () => {
    expect(computeMlScore({ strategy: 3, process: 3, technology: 3 }).score).toBe(3)
    const high = computeMlScore({ strategy: 5, process: 5, technology: 5, industry: 'software' })
    expect(high.score).toBeGreaterThan(4.5)
    expect(high.band).toBe('scaling')
    expect(computeMlScore({ strategy: 1, process: 1, technology: 1 }).band).toBe('at_risk')
  })

  it('weighs technology more in software than in consulting', () => {
    const software = computeMlScore({ strategy: 3, process: 3, technology: 4, industry: 'Software' })
    const consulting = computeMlScore({ strategy: 3, process: 3, technology: 4, industry: 'Consulting' })
    expect(software.score).toBeGreaterThan(consulting.score)
  })

  it('stays within 1–5, deterministic and monotonic in each area', () => {
    const s = fc.double({ min: 1, max: 5, noNaN: true })
    fc.assert(
      fc.property(
        s,
        s,
        s,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom('software', 'retail', null, 'farming'),
        (a, b, c, bump, industry) => {
          const r = computeMlScore({ strategy: a, process: b, technology: c, industry })
          expect(r.score).toBeGreaterThanOrEqual(1)
          expect(r.score).toBeLessThanOrEqual(5)
          expect(computeMlScore({ strategy: a, process: b, technology: c, industry })).toEqual(r)
          // Raising the lowest area (which also narrows the spread) never lowers the score.
          const lowest = Math.min(a, b, c)
          const raised = {
            strategy: a === lowest ? Math.min(5, a + bump) : a,
            process: b === lowest && a !== lowest ? Math.min(5, b + bump) : b,
            technology: c === lowest && a !== lowest && b !== lowest ? Math.min(5, c + bump) : c,
          }
          expect(computeMlScore({ ...raised, industry }).score).toBeGreaterThanOrEqual(r.score - 1e-9)
        },
      ),
    )
  })
})
