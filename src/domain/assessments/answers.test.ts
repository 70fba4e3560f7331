import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { answeredSetArb } from '../../../test/helpers/assessment-arbitraries.ts'
import { validateAnswers } from './answers.ts'
import { parseAssessmentConfig } from './assessment-configs.ts'

const sales = parseAssessmentConfig(
  'sales.json',
  readFileSync(new URL('../../../test/fixtures/assessments/sales.json', import.meta.url), 'utf8'),
).brackets.score_3
const valid = {
  crm_usage: 'basic_crm',
  practices: ['playbook'],
  priority_rank: ['retention', 'referrals', 'discounting'],
}

describe('validateAnswers', () => {
  it('accepts valid answers and normalizes them', () => {
    const result = validateAnswers(sales, { ...valid, crm_usage: ['basic_crm'], team_size: null, biggest_blocker: '' })
    expect(result).toEqual({ ok: true, answers: valid })
  })

  it('lists every offending field at once', () => {
    const result = validateAnswers(sales, {
      practices: ['playbook', 'nope'],
      priority_rank: ['retention'],
      team_size: ['founder', 'dedicated'],
      biggest_blocker: 'x'.repeat(1001),
      mystery: 'y',
    })
    expect(result.ok).toBe(false)
    const issues = result.ok ? [] : result.issues
    expect(issues.map((i) => [i.field, i.code])).toEqual([
      ['answers.mystery', 'unknown_question'],
      ['answers.crm_usage', 'required'],
      ['answers.practices', 'invalid_option'],
      ['answers.priority_rank', 'invalid_ranking'],
      ['answers.biggest_blocker', 'too_long'],
      ['answers.team_size', 'too_many_values'],
    ])
  })

  it('names wrong value types', () => {
    const result = validateAnswers(sales, {
      crm_usage: 3,
      practices: 'playbook',
      priority_rank: [1, 2, 3],
      biggest_blocker: ['a'],
    })
    expect(result.ok ? [] : result.issues.map((i) => [i.field, i.code])).toEqual([
      ['answers.crm_usage', 'invalid_type'],
      ['answers.practices', 'invalid_type'],
      ['answers.priority_rank', 'invalid_type'],
      ['answers.biggest_blocker', 'invalid_type'],
    ])
  })

  it('refuses an option not offered in a select, duplicates and too many selections', () => {
    const result = validateAnswers(sales, {
      crm_usage: 'magic',
      practices: ['playbook', 'forecasting', 'weekly_review', 'cold_calls_only'],
      priority_rank: ['retention', 'retention', 'referrals'],
    })
    expect(result.ok ? [] : result.issues.map((i) => [i.field, i.code])).toEqual([
      ['answers.crm_usage', 'invalid_option'],
      ['answers.practices', 'too_many_selections'],
      ['answers.priority_rank', 'duplicate_value'],
    ])
  })

  it('refuses something that is not an object', () => {
    for (const input of [null, [], 'x', 3])
      expect(validateAnswers(sales, input)).toMatchObject({
        ok: false,
        issues: [{ field: 'answers', code: 'invalid_type' }],
      })
  })

  it('needs at least one scored answer', () => {
    const set = {
      groups: [
        {
          key: 'g',
          title: 'G',
          questions: [
            {
              key: 'a',
              type: 'select' as const,
              prompt: 'Pick one',
              required: false,
              weight: 1,
              options: [
                { value: 'x', label: 'x', score: 1 },
                { value: 'y', label: 'y', score: 5 },
              ],
            },
            { key: 't', type: 'text_area' as const, prompt: 'Say more', required: false, weight: 1 },
          ],
        },
      ],
    }
    expect(validateAnswers(set, { t: 'words' })).toMatchObject({
      ok: false,
      issues: [{ field: 'answers', code: 'required' }],
    })
    expect(validateAnswers(set, { a: 'y' }).ok).toBe(true)
  })

  it('accepts every randomly generated valid submission', () => {
    fc.assert(
      fc.property(answeredSetArb, ({ set, answers }) => {
        expect(validateAnswers(set, answers)).toEqual({ ok: true, answers })
      }),
      { numRuns: 300 },
    )
  })
})
