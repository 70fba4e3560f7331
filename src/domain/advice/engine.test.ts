import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEEP_ASSESSMENT_TYPES } from '../assessments/types.ts'
import { findGaps, nextAssessments } from '../growth/recommendations.ts'
import { SCORE_AREAS, maturityLevel, type ScoreArea, type ScoreSet } from '../growth/scores.ts'
import { dashboardAdvice, leverAdvice, planActions, recommendedActions, ROADMAP_SIZE } from './engine.ts'
import { standingOf } from './standing.ts'
import { LEVEL_WORDS, areaLabel } from './words.ts'

/** Score sets as the app produces them: any subset of areas, scores on the 2-decimal 1–5 grid. */
const scoreArb = fc.integer({ min: 100, max: 500 }).map((v) => v / 100)
const scoreSetArb: fc.Arbitrary<ScoreSet> = fc
  .record({
    picked: fc.subarray([...SCORE_AREAS]),
    values: fc.array(scoreArb, { minLength: SCORE_AREAS.length, maxLength: SCORE_AREAS.length }),
    // Coarse scores too, so ties and balanced profiles are common.
    coarse: fc.boolean(),
  })
  .map(({ picked, values, coarse }) => {
    const areas: ScoreSet['areas'] = {}
    picked.forEach((area, i) => (areas[area] = coarse ? Math.round(values[i]! * 2) / 2 : values[i]!))
    const present = Object.values(areas) as number[]
    const overall = present.length
      ? Math.round((present.reduce((a, b) => a + b, 0) / present.length) * 100) / 100
      : null
    return { areas, base: null, overall }
  })

const scoreOf = (s: ScoreSet, area: ScoreArea) => s.areas[area] as number
/** The area a title like "Sales (3.5)" names. */
const areaOfTitle = (title: string) => SCORE_AREAS.find((a) => title.startsWith(`${areaLabel(a)} (`))!
const OTHER_LEVEL_WORDS = (score: number) =>
  Object.entries(LEVEL_WORDS)
    .filter(([level]) => level !== maturityLevel(score))
    .map(([, w]) => w)

describe('rules engine: properties over generated score sets', () => {
  it('strengths and weaknesses are disjoint, assessed only, ordered, and every strength scores above every weakness', () => {
    fc.assert(
      fc.property(scoreSetArb, (s) => {
        const st = standingOf(s)
        const strong = st.strengths.map((a) => a.area)
        const weak = st.weaknesses.map((a) => a.area)
        expect(strong.filter((a) => weak.includes(a))).toEqual([])
        for (const a of [...strong, ...weak]) expect(typeof s.areas[a]).toBe('number')
        const ss = st.strengths.map((a) => a.score)
        const ws = st.weaknesses.map((a) => a.score)
        expect(ss).toEqual([...ss].sort((a, b) => b - a))
        expect(ws).toEqual([...ws].sort((a, b) => a - b))
        if (ss.length && ws.length) expect(Math.min(...ss)).toBeGreaterThan(Math.max(...ws))
        // Relative to the user's own areas: a strength is ≥ 3 and not below the mean (unless all are level); a weakness is foundational or below it.
        for (const v of ss) expect(v >= 3 && (st.balanced || v >= st.mean! - 1e-9)).toBe(true)
        for (const v of ws) expect(v < 2.5 || v < st.mean!).toBe(true)
        expect(st.strengths.length).toBeLessThanOrEqual(4)
        expect(st.weaknesses.length).toBeLessThanOrEqual(4)
      }),
      { numRuns: 500 },
    )
  })

  it('the dashboard words match the level, "strongest"/"weakest" only for the top/bottom score, and unassessed areas are never named as either', () => {
    fc.assert(
      fc.property(scoreSetArb, (s) => {
        const advice = dashboardAdvice(s, [], null)
        const st = standingOf(s)
        expect(advice.strengths.map((p) => areaOfTitle(p.title))).toEqual(st.strengths.map((a) => a.area))
        expect(advice.weaknesses.map((p) => areaOfTitle(p.title))).toEqual(st.weaknesses.map((a) => a.area))
        for (const p of [...advice.strengths, ...advice.weaknesses]) {
          const area = areaOfTitle(p.title)
          const score = scoreOf(s, area)
          expect(p.title).toBe(`${areaLabel(area)} (${score.toFixed(1)})`)
          expect(p.impact).toContain(LEVEL_WORDS[maturityLevel(score)])
          for (const w of OTHER_LEVEL_WORDS(score)) expect(p.impact).not.toContain(w)
          expect(p.impact).not.toContain('not yet assessed')
          if (p.impact.includes('strongest')) expect(score).toBe(st.max)
          if (p.impact.includes('weakest')) expect(score).toBe(st.min)
        }
        for (const p of advice.strengths) expect(p.impact).not.toMatch(/weak|limits growth/)
        for (const p of advice.weaknesses) expect(p.impact).not.toMatch(/strong|build on it/)
      }),
      { numRuns: 500 },
    )
  })

  it('the roadmap, the recommendations and the levers are distinct actions; roadmap and recommendations never repeat each other', () => {
    fc.assert(
      fc.property(scoreSetArb, (s) => {
        const roadmap = dashboardAdvice(s, [], null).roadmap.map((r) => r.task)
        const recs = recommendedActions(s)
        expect(roadmap).toHaveLength(ROADMAP_SIZE)
        expect(recs.length).toBeGreaterThanOrEqual(3)
        for (const r of recs) expect(roadmap.some((t) => t.startsWith(`${r.title} (`))).toBe(false)
        const plan = planActions(s, 12).map((p) => p.key)
        expect(new Set(plan).size).toBe(plan.length)
        const levers = leverAdvice(s, null)
        expect(levers).toHaveLength(5)
        expect(new Set(levers.map((l) => l.key)).size).toBe(5)
      }),
      { numRuns: 300 },
    )
  })

  it('the plan starts at the weakest assessed area and cites scores only for assessed areas', () => {
    fc.assert(
      fc.property(scoreSetArb, (s) => {
        const st = standingOf(s)
        const plan = planActions(s, 4)
        if (st.assessed.length > 0) expect(plan[0]!.score).toBe(st.min)
        for (const p of plan) expect(p.score).toBe(typeof s.areas[p.area] === 'number' ? s.areas[p.area] : null)
        for (const l of leverAdvice(s, null)) {
          expect(l.expectedImpact).not.toMatch(/owner: |within (ongoing|monthly|quarterly)/)
          if (typeof s.areas[l.targetArea] !== 'number') expect(l.expectedImpact).toContain('not yet assessed')
        }
      }),
      { numRuns: 300 },
    )
  })

  it('recommended assessments link only to pages that exist', () => {
    fc.assert(
      fc.property(scoreSetArb, (s) => {
        const gaps = findGaps(s, {}, { now: new Date('2026-12-01'), retakeDays: 30 })
        for (const next of nextAssessments(s, gaps, 10)) {
          if (next.type === 'growth') expect(next.path).toBe('/onboarding')
          else {
            expect(DEEP_ASSESSMENT_TYPES).toContain(next.type)
            expect(next.path).toBe(`/assessments/${next.type}`)
          }
        }
      }),
    )
  })
})

const profiles: Record<string, ScoreSet> = {
  newUser: { areas: {}, base: null, overall: null },
  oneArea: { areas: { sales: 3.2 }, base: null, overall: 3.2 },
  balanced: { areas: { strategy: 3.5, process: 3.4, technology: 3.6 }, base: 3.5, overall: 3.5 },
  spiky: { areas: { strategy: 4.5, process: 1.5, technology: 3, sales: 2.8 }, base: 3, overall: 2.95 },
  allHigh: { areas: { strategy: 4.6, process: 4.2, technology: 4.8, leadership: 4.4 }, base: 4.53, overall: 4.5 },
  allLow: { areas: { strategy: 1.6, process: 2.1, technology: 1.2 }, base: 1.63, overall: 1.63 },
}

describe('rules engine: golden wording of typical profiles', () => {
  const peers = [
    { area: 'overall', userScore: 2.95, average: 3.2, percentile: 38, peers: 12, source: 'industry' as const },
  ]

  it('a new user gets no strengths or weaknesses, a first-steps roadmap and the way in', () => {
    const advice = dashboardAdvice(profiles.newUser!, [], null)
    expect(advice.strengths).toEqual([])
    expect(advice.weaknesses).toEqual([])
    expect(advice.roadmap.map((r) => r.task)).toEqual([
      'Write a one-page strategy (Strategy)',
      'Document your five core processes (Process)',
      'Adopt one system of record for customers (Technology)',
      'Set three measurable annual goals (Strategy)',
    ])
    expect(advice.roadmap[0]!.expectedImpact).toMatch(/A first step for strategy, which is not assessed yet\.$/)
    expect(advice.insights[0]).toBe(
      'No area is assessed yet. Take the growth assessment (eight questions) to score strategy, process and technology; strengths and weaknesses appear once your areas are scored.',
    )
    expect(JSON.stringify(advice)).not.toMatch(/strongest|weakest/)
  })

  it('one area assessed: no relative claims; a middling score is neither', () => {
    const advice = dashboardAdvice(profiles.oneArea!, [], 'retail')
    expect(advice.strengths).toEqual([])
    expect(advice.weaknesses).toEqual([])
    expect(advice.insights).toEqual([
      'Your overall score is 3.2 (developing).',
      'Sales (3.2) has the most room to grow among your assessed areas; the roadmap starts there.',
      'One area is assessed so far; strengths and weaknesses are relative to what is measured, so take more assessments for a fuller picture.',
      'In retail and consumer businesses, repeat purchase rate and inventory turns decide growth and cash.',
    ])
    expect(dashboardAdvice({ areas: { sales: 4 }, base: null, overall: 4 }, [], null).strengths).toEqual([
      { title: 'Sales (4.0)', impact: 'Sales is advanced; build on it to carry improvements elsewhere.' },
    ])
    expect(dashboardAdvice({ areas: { sales: 2 }, base: null, overall: 2 }, [], null).weaknesses).toEqual([
      { title: 'Sales (2.0)', impact: 'Sales is at a foundational level; it limits growth until it improves.' },
    ])
  })

  it('a balanced profile: every area level with the others, no weakness', () => {
    const advice = dashboardAdvice(profiles.balanced!, [], null)
    expect(advice.strengths).toEqual([
      {
        title: 'Technology (3.6)',
        impact: 'Technology is developing, level with your other areas; build on it to carry improvements elsewhere.',
      },
      {
        title: 'Strategy (3.5)',
        impact: 'Strategy is developing, level with your other areas; build on it to carry improvements elsewhere.',
      },
      {
        title: 'Process (3.4)',
        impact: 'Process is developing, level with your other areas; build on it to carry improvements elsewhere.',
      },
    ])
    expect(advice.weaknesses).toEqual([])
    expect(advice.insights).toContain(
      'Your assessed areas are within 0.2 points of each other: lift them together rather than fixing one.',
    )
  })

  it("a spiky profile: one strength, the weak areas named against the user's own average, with peers", () => {
    const advice = dashboardAdvice(profiles.spiky!, peers, null)
    expect(advice.strengths).toEqual([
      {
        title: 'Strategy (4.5)',
        impact: 'Strategy is advanced and your strongest area; build on it to carry improvements elsewhere.',
      },
    ])
    expect(advice.weaknesses).toEqual([
      {
        title: 'Process (1.5)',
        impact: 'Process is at a foundational level and your weakest area; it limits growth until it improves.',
      },
    ])
    expect(advice.insights[0]).toBe(
      'Your overall score is 3.0 (developing). That is 0.3 below the average of 12 industry peers (3.2), percentile 38.',
    )
    expect(advice.roadmap.map((r) => r.task)).toEqual([
      'Document your five core processes (Process)',
      'Track conversion by stage (Sales)',
      'Integrate your core systems (Technology)',
      'Build a three-year scenario plan (Strategy)',
    ])
    expect(recommendedActions(profiles.spiky!).map((a) => a.title)).toEqual([
      'Name an owner for every process',
      'Write a qualification checklist',
      'Build a weekly management dashboard',
      'Allocate budget by portfolio',
    ])
    expect(advice.roadmap[0]!.expectedImpact).toBe(
      'Write step-by-step checklists for how you win a customer, deliver the work, invoice, collect and support, so any trained person can follow them. High impact on process, now 1.5 (at a foundational level).',
    )
  })

  it("all high: strengths above the user's own average, the lowest high area is not called weak", () => {
    const advice = dashboardAdvice(profiles.allHigh!, [], null)
    expect(advice.strengths.map((p) => p.title)).toEqual(['Technology (4.8)', 'Strategy (4.6)'])
    expect(advice.strengths[1]!.impact).toBe(
      'Strategy is advanced, above your own average of 4.5; build on it to carry improvements elsewhere.',
    )
    expect(advice.weaknesses).toEqual([
      {
        title: 'Process (4.2)',
        impact: 'Process is advanced but your weakest area; the next gains come from refining it.',
      },
    ])
  })

  it('all low: no strengths, every area a foundational weakness', () => {
    const advice = dashboardAdvice(profiles.allLow!, [], null)
    expect(advice.strengths).toEqual([])
    expect(advice.weaknesses.map((p) => p.impact)).toEqual([
      'Technology is at a foundational level and your weakest area; it limits growth until it improves.',
      'Strategy is at a foundational level; it limits growth until it improves.',
      'Process is at a foundational level; it limits growth until it improves.',
    ])
  })

  it('levers read as sentences: impact, timeframe and owner', () => {
    const levers = leverAdvice(profiles.spiky!, null)
    expect(levers.map((l) => l.key)).toEqual([
      'process.document-your-five-core-processes',
      'sales.track-conversion-by-stage',
      'technology.integrate-your-core-systems',
      'strategy.build-a-three-year-scenario-plan',
      'process.name-an-owner-for-every-process',
    ])
    expect(levers[0]!.expectedImpact).toBe(
      'High impact on process (now 1.5) within 4 weeks; led by the operations lead.',
    )
    expect(leverAdvice({ areas: { process: 4 }, base: null, overall: 4 }, null)[0]!.expectedImpact).toBe(
      'High impact on process (now 4.0) as a monthly routine; led by the COO.',
    )
  })
})
