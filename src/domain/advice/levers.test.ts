import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { leverAdvice } from './engine.ts'
import { carryOverProgress, leverKey } from './levers.ts'
import { simulationWarnings } from '../growth/simulation.ts'

describe('carryOverProgress', () => {
  const old = leverAdvice({ areas: { strategy: 2, process: 3, technology: 4 }, base: null, overall: 3 }, null).map(
    (l, i) => ({ ...l, id: `old-${i}`, progress: (i + 1) * 10 }),
  )

  it('keeps progress for a lever that is regenerated, archives the ones that drop out, starts new ones at 0', () => {
    const next = leverAdvice({ areas: { strategy: 2, process: 3.8, technology: 4 }, base: null, overall: 3.2 }, null)
    const { levers, archived } = carryOverProgress(old, next)
    for (const l of levers) {
      const before = old.find((o) => o.key === l.key)
      expect(l.progress).toBe(before?.progress ?? 0)
      expect(l.carriedFrom).toBe(before?.id ?? null)
    }
    expect(levers.some((l) => l.carriedFrom !== null)).toBe(true)
    expect(archived.map((a) => a.key).sort()).toEqual(
      old
        .filter((o) => !next.some((n) => n.key === o.key))
        .map((o) => o.key)
        .sort(),
    )
  })

  it('never loses progress: every old lever with progress is either carried over or archived', () => {
    const lever = fc.record({
      title: fc.constantFrom(
        'Map one process',
        'Define your sales stages',
        'Secure the basics',
        'Hold weekly one-to-ones',
      ),
      targetArea: fc.constantFrom('process', 'sales', 'technology'),
    })
    fc.assert(
      fc.property(
        fc.array(fc.tuple(lever, fc.integer({ min: 0, max: 100 })), { maxLength: 6 }),
        fc.array(lever, { maxLength: 5 }),
        (before, next) => {
          const previous = before.map(([l, progress], i) => ({ ...l, id: `p${i}`, progress }))
          const { levers, archived } = carryOverProgress(previous, next)
          for (const p of previous.filter((x) => x.progress > 0)) {
            const carried = levers.find((l) => l.key === leverKey(p))
            expect(
              carried
                ? carried.progress >= p.progress ||
                    previous.some((q) => leverKey(q) === leverKey(p) && q.progress > p.progress)
                : archived.includes(p),
            ).toBe(true)
          }
        },
      ),
    )
  })

  it('keys AI levers without a key by area and title', () => {
    expect(leverKey({ title: 'Run a Pilot: AI & Support!', targetArea: 'ai_readiness' })).toBe(
      'ai_readiness.run-a-pilot-ai-support',
    )
  })
})

describe('simulationWarnings', () => {
  const base = {
    strategyChange: 1,
    processChange: 0,
    technologyChange: 0,
    revenue: 1_000_000,
    costs: 800_000,
    efficiency: 60,
  }
  it('warns about costs above revenue, no revenue and no change, and says nothing about sound input', () => {
    expect(simulationWarnings(base)).toEqual([])
    expect(simulationWarnings({ ...base, costs: 1_200_000 })).toEqual([
      {
        code: 'costs_exceed_revenue',
        field: 'costs',
        message:
          'Costs (1,200,000) are above revenue (1,000,000): the baseline is a loss. Check that both cover the same period.',
      },
    ])
    expect(simulationWarnings({ ...base, revenue: 0 }).map((w) => w.code)).toEqual(['no_revenue'])
    expect(simulationWarnings({ ...base, strategyChange: 0 }).map((w) => w.code)).toEqual(['no_change'])
  })
})
