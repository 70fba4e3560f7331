import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { answeredSetArb } from '../../../test/helpers/assessment-arbitraries.ts'
import { bracketFor } from './brackets.ts'
import { bracketLabel, explainScore } from './breakdown.ts'
import { BRACKETS, type QuestionSet } from './config-schema.ts'
import { scoreAnswers } from './scoring.ts'

describe('explainScore', () => {
  it('adds up to the score: the recomputed score is scoreAnswers, the points sum to it, group scores stay in 1–5', () => {
    fc.assert(
      fc.property(answeredSetArb, ({ set, answers }) => {
        const score = scoreAnswers(set, answers)
        const b = explainScore(set, answers, score)
        expect(b.totals.recomputed).toBe(score)
        const points = b.groups.flatMap((g) => g.answers).reduce((s, a) => s + (a.points ?? 0), 0)
        expect(Math.abs(points - b.totals.weightedSum / b.totals.totalWeight)).toBeLessThan(
          0.01 * b.groups.flatMap((g) => g.answers).length + 1e-9,
        )
        for (const g of b.groups) if (g.score !== null) expect(g.score >= 1 && g.score <= 5).toBe(true)
        for (const a of b.groups.flatMap((g) => g.answers))
          if (a.contribution !== null) expect(a.contribution >= 1 && a.contribution <= 5).toBe(true)
        expect(b.formula).toContain(`= ${score.toFixed(2)}`)
        expect(b.formula).not.toContain('questions have changed')
      }),
      { numRuns: 200 },
    )
  })

  it('explains a small set in words, with labels, group sub-scores and unscored text', () => {
    const set: QuestionSet = {
      groups: [
        {
          key: 'plan',
          title: 'Planning',
          questions: [
            {
              key: 'q1',
              type: 'select',
              prompt: 'How do you plan?',
              required: true,
              weight: 2,
              options: [
                { value: 'none', label: 'We do not', score: 1 },
                { value: 'yearly', label: 'Once a year', score: 4 },
              ],
            },
          ],
        },
        {
          key: 'tools',
          title: 'Tools',
          questions: [
            {
              key: 'q2',
              type: 'multi_select',
              prompt: 'Which tools?',
              required: true,
              weight: 1,
              maxSelections: 2,
              options: [
                { value: 'sheet', label: 'Spreadsheets', score: 2 },
                { value: 'crm', label: 'CRM', score: 5 },
                { value: 'bi', label: 'BI', score: 5 },
              ],
            },
            { key: 'q3', type: 'text_area', prompt: 'Anything else?', required: false, weight: 1 },
          ],
        },
      ],
    }
    const answers = { q1: 'yearly', q2: ['crm'], q3: 'We are moving to a CRM this year.' }
    const score = scoreAnswers(set, answers)
    const b = explainScore(set, answers, score)
    expect(score).toBe(3.67)
    expect(b.groups.map((g) => [g.title, g.score, g.weight])).toEqual([
      ['Planning', 4, 2],
      ['Tools', 3, 1],
    ])
    expect(b.groups[0]!.answers[0]).toMatchObject({
      answerLabels: ['Once a year'],
      contribution: 4,
      weight: 2,
      points: 2.667,
    })
    expect(b.groups[1]!.answers[1]).toMatchObject({
      contribution: null,
      points: null,
      note: 'Text answers are not scored; they go to the written analysis.',
    })
    expect(b.formula).toBe(
      'Your score is the weighted average of your scored answers: each gives a contribution from 1 to 5 (a single choice gives its option’s score; a multiple choice gives 1 + 4 × your picks’ share of the best possible pick; text answers are not scored), multiplied by its question’s weight. Here the weighted contributions add up to 11 over a total weight of 3, and 11 ÷ 3 = 3.67, kept within 1–5 and rounded to two decimals.',
    )
  })

  it('says so when the questions changed since the answer', () => {
    const set: QuestionSet = {
      groups: [
        {
          key: 'g',
          title: 'G',
          questions: [
            {
              key: 'q1',
              type: 'select',
              prompt: 'Which one?',
              required: true,
              weight: 1,
              options: [
                { value: 'a', label: 'A', score: 1 },
                { value: 'b', label: 'B', score: 5 },
              ],
            },
          ],
        },
      ],
    }
    const b = explainScore(set, { q1: 'b', gone: 'x' }, 3)
    expect(b.formula).toMatch(/Your recorded score is 3\.00: the questions have changed since you answered\.$/)
    expect(b.groups.at(-1)).toMatchObject({ key: 'no_longer_asked', answers: [{ key: 'gone', contribution: null }] })
  })

  it('labels every bracket once: the level its score rounds down to', () => {
    expect(BRACKETS.map(bracketLabel)).toEqual([
      'Level 1',
      'Level 1.5',
      'Level 2',
      'Level 2.5',
      'Level 3',
      'Level 3.5',
      'Level 4',
      'Level 4.5',
      'Level 5',
    ])
    expect(bracketLabel(bracketFor(3.99))).toBe('Level 3.5')
  })
})
