import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { answeredSetArb, answerArb } from '../../../test/helpers/assessment-arbitraries.ts'
import type { Answers } from './answers.ts'
import { parseAssessmentConfig } from './assessment-configs.ts'
import type { Question } from './config-schema.ts'
import { contributionOf, roundScore, scoreAnswers } from './scoring.ts'

const fixture = (name: string) =>
  parseAssessmentConfig(
    `${name}.json`,
    readFileSync(new URL(`../../../test/fixtures/assessments/${name}.json`, import.meta.url), 'utf8'),
  )
const sales = fixture('sales').brackets.score_2

describe('scoreAnswers — golden cases (sales fixture)', () => {
  it('all best answers → 5.00', () => {
    const answers: Answers = {
      crm_usage: 'crm_automated',
      practices: ['weekly_review', 'forecasting', 'playbook'],
      priority_rank: ['retention', 'referrals', 'discounting'],
      team_size: 'dedicated',
      biggest_blocker: 'none',
    }
    expect(scoreAnswers(sales, answers)).toBe(5)
  })

  it('all worst answers → 1.00', () => {
    const answers: Answers = {
      crm_usage: 'none',
      practices: ['cold_calls_only'],
      priority_rank: ['discounting', 'referrals', 'retention'],
      team_size: 'founder',
    }
    expect(scoreAnswers(sales, answers)).toBe(1)
  })

  it('a mixed case, computed by hand', () => {
    // crm_usage: basic_crm = 3, weight 2                               → 6
    // practices: (3−1)+(4−1) = 5 of the best three (4+3+2 = 9)        → 1 + 4·5/9 = 3.2222
    // priority_rank: R = 3·3 + 2·5 + 1·1 = 20, R⁺ = 22, R⁻ = 14       → 1 + 4·6/8 = 4
    // (13.2222) / (2 + 1 + 1) = 3.3056                                  → 3.31
    const answers: Answers = {
      crm_usage: 'basic_crm',
      practices: ['playbook', 'forecasting'],
      priority_rank: ['referrals', 'retention', 'discounting'],
      biggest_blocker: 'Leads go cold.',
    }
    expect(scoreAnswers(sales, answers)).toBe(3.31)
    // Adding the optional team_size (small_team = 3, weight 0.5): (13.2222 + 1.5) / 4.5 = 3.2716 → 3.27
    expect(scoreAnswers(sales, { ...answers, team_size: 'small_team' })).toBe(3.27)
  })

  it('leaves text answers out of the number', () => {
    const base: Answers = {
      crm_usage: 'spreadsheet',
      practices: ['weekly_review'],
      priority_rank: ['retention', 'discounting', 'referrals'],
    }
    expect(scoreAnswers(sales, { ...base, biggest_blocker: 'x' })).toBe(scoreAnswers(sales, base))
  })

  it('refuses a submission with no scored answer', () => {
    expect(() => scoreAnswers(sales, { biggest_blocker: 'only text' })).toThrow(RangeError)
  })
})

describe('contributions', () => {
  const multi = (scores: number[], maxSelections?: number): Question => ({
    key: 'm',
    type: 'multi_select',
    prompt: 'Which?',
    required: true,
    weight: 1,
    options: scores.map((score, i) => ({ value: `o${i}`, label: `o${i}`, score })),
    ...(maxSelections ? { maxSelections } : {}),
  })

  it('a multi-select does not grow with the number of options offered', () => {
    // Picking the single best option when only one may be picked is worth 5, however many are offered.
    expect(contributionOf(multi([1, 5], 1), ['o1'])).toBe(5)
    expect(contributionOf(multi([1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5], 1), ['o4'])).toBe(5)
    // Every option picked is worth 5 whether there are 2 or 12.
    expect(contributionOf(multi([3, 5]), ['o0', 'o1'])).toBe(5)
    expect(
      contributionOf(
        multi(Array(12).fill(5)),
        Array.from({ length: 12 }, (_, i) => `o${i}`),
      ),
    ).toBe(5)
  })

  it('a multi-select of score-1 options only is worth 1', () => {
    expect(contributionOf(multi([1, 1]), ['o0'])).toBe(1)
  })

  it('a ranking over equal scores does not count', () => {
    const q: Question = {
      key: 'r',
      type: 'rank',
      prompt: 'Rank',
      required: true,
      weight: 1,
      options: [
        { value: 'a', label: 'a', score: 3 },
        { value: 'b', label: 'b', score: 3 },
      ],
    }
    expect(contributionOf(q, ['b', 'a'])).toBeUndefined()
  })

  it('rounds and clamps', () => {
    expect(roundScore(0.2)).toBe(1)
    expect(roundScore(7)).toBe(5)
    expect(roundScore(3.005)).toBe(3.01)
    expect(roundScore(2.344)).toBe(2.34)
  })
})

describe('scoreAnswers — properties', () => {
  it('random valid answers always score within [1, 5]', () => {
    fc.assert(
      fc.property(answeredSetArb, ({ set, answers }) => {
        const score = scoreAnswers(set, answers)
        expect(score).toBeGreaterThanOrEqual(1)
        expect(score).toBeLessThanOrEqual(5)
        expect(Number.isFinite(score)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  it('improving one answer never lowers the score', () => {
    fc.assert(
      fc.property(answeredSetArb, fc.nat(), fc.nat(), ({ set, answers }, pick, pick2) => {
        const questions = set.groups
          .flatMap((g) => g.questions)
          .filter((q) => answers[q.key] !== undefined && q.type !== 'text_area')
        const q = questions[pick % questions.length]!
        const improved = improve(q, answers[q.key]!, pick2)
        if (improved === undefined) return
        expect(scoreAnswers(set, { ...answers, [q.key]: improved })).toBeGreaterThanOrEqual(scoreAnswers(set, answers))
      }),
      { numRuns: 1000 },
    )
  })

  it('replacing an answer with any other valid one moves the score in the direction of the contribution', () => {
    fc.assert(
      fc.property(
        answeredSetArb.chain(({ set, answers }) => {
          const q = set.groups[0]!.questions[0]!
          return answerArb(q).map((other) => ({ set, answers, q, other }))
        }),
        ({ set, answers, q, other }) => {
          const before = contributionOf(q, answers[q.key]!) ?? 0
          const after = contributionOf(q, other) ?? 0
          const s0 = scoreAnswers(set, answers)
          const s1 = scoreAnswers(set, { ...answers, [q.key]: other })
          if (after > before) expect(s1).toBeGreaterThanOrEqual(s0)
          if (after < before) expect(s1).toBeLessThanOrEqual(s0)
        },
      ),
      { numRuns: 500 },
    )
  })
})

/** A strictly-not-worse variant of an answer: a higher option, one more selection, a better swap. */
function improve(q: Question, answer: string | string[], seed: number): string | string[] | undefined {
  const options = q.options ?? []
  const score = new Map(options.map((o) => [o.value, o.score]))
  if (q.type === 'select') {
    const current = score.get(answer as string)!
    const better = options.filter((o) => o.score >= current)
    return better[seed % better.length]!.value
  }
  const list = answer as string[]
  if (q.type === 'multi_select') {
    const unpicked = options.filter((o) => !list.includes(o.value))
    if (unpicked.length === 0) return undefined
    if (list.length < (q.maxSelections ?? options.length)) return [...list, unpicked[seed % unpicked.length]!.value]
    // At the limit: swap a picked option for a better unpicked one, if any.
    const i = seed % list.length
    const better = unpicked.filter((o) => o.score >= score.get(list[i]!)!)
    if (better.length === 0) return undefined
    return list.map((v, j) => (j === i ? better[0]!.value : v))
  }
  // rank: move a higher-scored option up past a lower-scored neighbour.
  for (let k = 0; k < list.length - 1; k++) {
    const i = (seed + k) % (list.length - 1)
    if (score.get(list[i + 1]!)! > score.get(list[i]!)!) {
      const next = [...list]
      ;[next[i], next[i + 1]] = [next[i + 1]!, next[i]!]
      return next
    }
  }
  return undefined
}
