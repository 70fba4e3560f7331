import { describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG_DIR, loadAssessmentCatalogue } from '../../app/assessments/load-configs.ts'
import { questionCounts } from './assessment-configs.ts'
import type { Answers } from './answers.ts'
import { validateAnswers } from './answers.ts'
import { BRACKETS, type QuestionSet } from './config-schema.ts'
import { scoreAnswers } from './scoring.ts'

/** The most (or least) mature answer to every scored question of a set. */
function extremeAnswers(set: QuestionSet, best: boolean): Answers {
  const answers: Answers = {}
  for (const q of set.groups.flatMap((g) => g.questions)) {
    if (q.type === 'text_area') continue
    const sorted = [...q.options!].sort((a, b) => (best ? b.score - a.score : a.score - b.score)).map((o) => o.value)
    if (q.type === 'select') answers[q.key] = sorted[0]!
    else if (q.type === 'rank') answers[q.key] = sorted
    else answers[q.key] = best ? sorted.slice(0, q.maxSelections ?? sorted.length) : [sorted[0]!]
  }
  return answers
}

/**
 * The real question content in `configs/`. Every config present must validate; all eleven must be
 * present once the content branches are merged — flip STRICT to true then.
 */
const STRICT = true

const catalogue = await loadAssessmentCatalogue(DEFAULT_CONFIG_DIR)

describe('assessment configs in src/domain/assessments/configs', () => {
  it(`validates every config present (${catalogue.configs.length}: ${catalogue.configs.map((c) => c.type).join(', ') || 'none'})`, () => {
    for (const config of catalogue.configs) {
      const counts = questionCounts(config)
      for (const bracket of BRACKETS) expect(counts[bracket], `${config.type} ${bracket}`).toBeGreaterThan(0)
    }
  })

  it('scores 5 for the most mature answers and 1 for the least, in every bracket (so every bracket, score_5 included, is reachable)', () => {
    for (const config of catalogue.configs) {
      for (const bracket of BRACKETS) {
        const set = config.brackets[bracket]
        for (const [best, expected] of [
          [true, 5],
          [false, 1],
        ] as const) {
          const check = validateAnswers(set, extremeAnswers(set, best))
          expect(check.ok, `${config.type} ${bracket}`).toBe(true)
          if (check.ok)
            expect(scoreAnswers(set, check.answers), `${config.type} ${bracket} ${best ? 'best' : 'worst'}`).toBe(
              expected,
            )
        }
      }
    }
  })

  it(`lists the assessments still missing: ${catalogue.missing.join(', ') || 'none'}`, () => {
    if (STRICT) expect(catalogue.missing).toEqual([])
    else if (catalogue.missing.length > 0) console.warn(`assessment configs missing: ${catalogue.missing.join(', ')}`)
  })
})
