import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  computeBaseScore,
  CUSTOMER_INSIGHT_LEVELS,
  GROWTH_OBSTACLES,
  growthAnswersSchema,
  scoreGrowthAssessment,
  STRATEGY_LEVELS,
  TECHNOLOGY_LEVELS,
  type GrowthAnswers,
} from './growth.ts'

const answers = (over: Partial<GrowthAnswers> = {}): GrowthAnswers => ({
  industry: 'Retail',
  companySize: '11-50',
  revenueRange: '1m_5m',
  obstacles: ['lead_generation'],
  strategy: 'documented',
  process: true,
  customers: 'regular_feedback',
  technology: 'needs_work',
  ...over,
})

const answersArb: fc.Arbitrary<GrowthAnswers> = fc.record({
  industry: fc.constant('Software'),
  companySize: fc.constant('2-10' as const),
  revenueRange: fc.constant('under_100k' as const),
  obstacles: fc.uniqueArray(fc.constantFrom(...GROWTH_OBSTACLES), { minLength: 1, maxLength: 5 }),
  strategy: fc.constantFrom(...STRATEGY_LEVELS),
  process: fc.boolean(),
  customers: fc.constantFrom(...CUSTOMER_INSIGHT_LEVELS),
  technology: fc.constantFrom(...TECHNOLOGY_LEVELS),
})

describe('computeBaseScore', () => {
  it('is 0.4·strategy + 0.3·process + 0.3·technology', () => {
    expect(computeBaseScore({ strategy: 4, process: 2, technology: 3 })).toBe(3.1)
    expect(computeBaseScore({ strategy: 5, process: 5, technology: 5 })).toBe(5)
    expect(computeBaseScore({ strategy: 1, process: 1, technology: 1 })).toBe(1)
  })
  it('is bounded, whatever it is given', () => {
    expect(computeBaseScore({ strategy: 9, process: 9, technology: 9 })).toBe(5)
    expect(computeBaseScore({ strategy: -3, process: 0, technology: 0.5 })).toBe(1)
    expect(() => computeBaseScore({ strategy: Number.NaN, process: 3, technology: 3 })).toThrow(RangeError)
  })
})

describe('scoreGrowthAssessment', () => {
  it('golden: a typical small business', () => {
    // strategy 0.7·3.5 + 0.3·3.5 = 3.5; process 4; technology 2.5; base 0.4·3.5 + 0.3·4 + 0.3·2.5 = 3.35
    expect(scoreGrowthAssessment(answers())).toEqual({ strategy: 3.5, process: 4, technology: 2.5, base: 3.35 })
  })
  it('golden: best and worst', () => {
    expect(
      scoreGrowthAssessment(
        answers({
          strategy: 'documented_with_kpis',
          customers: 'data_driven',
          technology: 'cutting_edge',
          obstacles: ['competition'],
        }),
      ),
    ).toEqual({ strategy: 5, process: 5, technology: 5, base: 5 })
    expect(
      scoreGrowthAssessment(
        answers({
          strategy: 'none',
          customers: 'guessing',
          technology: 'outdated',
          process: false,
          obstacles: ['unclear_strategy', 'scaling', 'outdated_technology'],
        }),
      ),
    ).toEqual({ strategy: 1, process: 1, technology: 1, base: 1 })
  })
  it('always within [1, 5], and base matches its formula', () => {
    fc.assert(
      fc.property(answersArb, (a) => {
        const r = scoreGrowthAssessment(a)
        for (const v of Object.values(r)) expect(v >= 1 && v <= 5).toBe(true)
        expect(r.base).toBe(computeBaseScore(r))
      }),
    )
  })
  it('a more mature answer or one obstacle fewer never lowers a score', () => {
    const up = <T>(levels: readonly T[], v: T) => levels[Math.min(levels.indexOf(v) + 1, levels.length - 1)]!
    fc.assert(
      fc.property(
        answersArb,
        fc.constantFrom('strategy', 'customers', 'technology', 'process', 'obstacles'),
        (a, what) => {
          const better: GrowthAnswers = { ...a }
          if (what === 'strategy') better.strategy = up(STRATEGY_LEVELS, a.strategy)
          if (what === 'customers') better.customers = up(CUSTOMER_INSIGHT_LEVELS, a.customers)
          if (what === 'technology') better.technology = up(TECHNOLOGY_LEVELS, a.technology)
          if (what === 'process') better.process = true
          if (what === 'obstacles') better.obstacles = a.obstacles.length > 1 ? a.obstacles.slice(1) : ['other']
          const [r0, r1] = [scoreGrowthAssessment(a), scoreGrowthAssessment(better)]
          for (const k of ['strategy', 'process', 'technology', 'base'] as const)
            expect(r1[k]).toBeGreaterThanOrEqual(r0[k])
        },
      ),
    )
  })
  it('validates the funnel answers', () => {
    expect(growthAnswersSchema.safeParse(answers()).success).toBe(true)
    const bad = growthAnswersSchema.safeParse({
      ...answers(),
      technology: 'steam',
      obstacles: ['cash_flow', 'cash_flow'],
      extra: 1,
    })
    expect(bad.success).toBe(false)
    expect(bad.error?.issues.map((i) => i.path.join('.') || i.code).sort()).toEqual([
      'obstacles',
      'technology',
      'unrecognized_keys',
    ])
  })
})
