import { describe, expect, it } from 'vitest'
import { analyzeAssessment, assessmentAnalysisInput, assessmentAnalysisOutput } from './area-summary.ts'

describe('assessment_analysis (deterministic)', () => {
  it('turns the three weakest areas into prioritised recommendations', () => {
    const result = analyzeAssessment({
      assessmentType: 'growth',
      scores: { strategy: 1.5, process: 2.5, technology: 4.5, sales: 3.2, leadership: 4 },
    })
    expect(assessmentAnalysisOutput.parse(result)).toEqual(result)
    expect(result.weakestAreas).toEqual([
      { area: 'strategy', score: 1.5 },
      { area: 'process', score: 2.5 },
      { area: 'sales', score: 3.2 },
    ])
    expect(result.recommendations.map((r) => r.priority)).toEqual(['high', 'medium', 'low'])
    expect(result.recommendations[0]!.action).toMatch(/strategy/i)
    expect(result.strongestArea).toEqual({ area: 'technology', score: 4.5 })
    expect(result.averageScore).toBe(3.14)
    expect(result.insights[0]).toContain('5 areas')
    expect(result.insights.at(-1)).toMatch(/technology is a strength/)
  })

  it('says so when nothing is weak, and is stable for ties', () => {
    const strong = analyzeAssessment({ assessmentType: 'sales', scores: { b: 4.5, a: 4.5 } })
    expect(strong.weakestAreas).toEqual([])
    expect(strong.recommendations).toEqual([])
    expect(strong.insights.join(' ')).toMatch(/No area scores below 4/)
    const tie = analyzeAssessment({ assessmentType: 'x', scores: { zeta: 2, alpha: 2, unknown_area: 2.5 } })
    expect(tie.weakestAreas.map((a) => a.area)).toEqual(['alpha', 'zeta', 'unknown_area'])
    expect(tie.recommendations[2]!.action).toMatch(/unknown area/)
  })

  it('accepts a submission id or a type with scores, nothing else', () => {
    expect(assessmentAnalysisInput.safeParse({ submissionId: crypto.randomUUID() }).success).toBe(true)
    expect(assessmentAnalysisInput.safeParse({ assessmentType: 'growth', scores: { a: 1 } }).success).toBe(true)
    expect(assessmentAnalysisInput.safeParse({ assessmentType: 'growth' }).success).toBe(false)
    expect(assessmentAnalysisInput.safeParse({ assessmentType: 'growth', scores: {} }).success).toBe(false)
    expect(assessmentAnalysisInput.safeParse({ assessmentType: 'growth', scores: { a: 6 } }).success).toBe(false)
    expect(assessmentAnalysisInput.safeParse({ submissionId: 'nope' }).success).toBe(false)
    expect(assessmentAnalysisInput.safeParse({ submissionId: crypto.randomUUID(), extra: 1 }).success).toBe(false)
  })
})
