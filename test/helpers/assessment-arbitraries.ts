import fc from 'fast-check'
import type { Question, QuestionSet } from '../../src/domain/assessments/config-schema.ts'
import type { Answers } from '../../src/domain/assessments/answers.ts'

/** fast-check arbitraries shared by the scoring and validation tests (test-only). */

const optionScores = (min: number, max: number) =>
  fc.array(
    fc.integer({ min: 2, max: 10 }).map((h) => h / 2),
    { minLength: min, maxLength: max },
  )

export const questionArb: fc.Arbitrary<Question> = fc
  .record({
    type: fc.constantFrom('select', 'multi_select', 'text_area', 'rank') as fc.Arbitrary<Question['type']>,
    scores: optionScores(2, 8),
    weight: fc.constantFrom(0.5, 1, 1.5, 2, 3),
    required: fc.boolean(),
    max: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
  })
  .map(({ type, scores, weight, required, max }) => {
    const sorted = type === 'select' ? [...scores].sort((a, b) => a - b) : scores
    const question: Question = { key: 'q', type, prompt: 'A question?', required, weight }
    if (type !== 'text_area')
      question.options = sorted.map((score, i) => ({ value: `o${i}`, label: `Option ${i}`, score }))
    if (type === 'multi_select' && max !== undefined) question.maxSelections = Math.min(max, sorted.length)
    return question
  })

export const questionSetArb: fc.Arbitrary<QuestionSet> = fc
  .array(questionArb, { minLength: 1, maxLength: 8 })
  .map((qs) => {
    const questions = qs.map((q, i) => ({ ...q, key: `q${i}`, required: i === 0 ? true : q.required }))
    // Every set has at least one question that can carry a score (validation refuses sets without).
    const first = questions[0]!
    if (first.type === 'text_area' || new Set(first.options!.map((o) => o.score)).size === 1)
      questions[0] = {
        ...questions[0]!,
        type: 'select',
        options: [
          { value: 'o0', label: 'Low', score: 1 },
          { value: 'o1', label: 'High', score: 5 },
        ],
      }
    return { groups: [{ key: 'all', title: 'All', questions }] }
  })

/** A random valid answer to one question. */
export function answerArb(q: Question): fc.Arbitrary<string | string[]> {
  const values = (q.options ?? []).map((o) => o.value)
  switch (q.type) {
    case 'text_area':
      return fc.string({ minLength: 1, maxLength: 50 }).filter((s) => s.trim() !== '')
    case 'select':
      return fc.constantFrom(...values)
    case 'multi_select':
      return fc.shuffledSubarray(values, { minLength: 1, maxLength: q.maxSelections ?? values.length })
    case 'rank':
      return fc.shuffledSubarray(values, { minLength: values.length, maxLength: values.length })
  }
}

/** A set with random valid answers to every question (optional ones sometimes skipped, except the first). */
export const answeredSetArb: fc.Arbitrary<{ set: QuestionSet; answers: Answers }> = questionSetArb.chain((set) => {
  const questions = set.groups.flatMap((g) => g.questions)
  return fc
    .tuple(
      ...questions.map((q, i) => (q.required || i === 0 ? answerArb(q) : fc.option(answerArb(q), { nil: undefined }))),
    )
    .map((values) => ({
      set,
      answers: Object.fromEntries(
        questions.flatMap((q, i) => (values[i] === undefined ? [] : [[q.key, values[i]!]])),
      ) as Answers,
    }))
})
