import { BRACKETS, type BracketKey, type Question, type QuestionSet } from './config-schema.ts'
import { contributionOf, roundScore } from './scoring.ts'

/**
 * How a submission's score was made, answer by answer: what `scoreAnswers` computes, laid out so
 * a user can follow it. Each scored answer's contribution cᵢ (1–5) and weight wᵢ, its share of the
 * score (wᵢ·cᵢ / Σw), each group's own weighted mean, and the formula in words.
 */

export type AnswerBreakdown = {
  key: string
  prompt: string
  type: Question['type']
  answer: string | string[]
  /** The chosen options' labels (the text itself for a text answer). */
  answerLabels: string[]
  weight: number
  /** cᵢ on the 1–5 scale, or null when the answer does not enter the score (text, or a question no longer in the set). */
  contribution: number | null
  /** wᵢ·cᵢ / Σw: the points this answer adds to the score. */
  points: number | null
  note?: string
}

export type GroupBreakdown = {
  key: string
  title: string
  score: number | null
  weight: number
  answers: AnswerBreakdown[]
}

export type ScoreBreakdown = {
  score: number
  groups: GroupBreakdown[]
  totals: { weightedSum: number; totalWeight: number; recomputed: number | null }
  formula: string
}

const r = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d

/** "Level 3.5": the one label of a bracket, shown wherever a bracket is named. */
export function bracketLabel(bracket: BracketKey): string {
  return `Level ${(1 + BRACKETS.indexOf(bracket) / 2).toString()}`
}

const HOW: Record<Question['type'], string> = {
  select: 'a single choice gives its option’s score',
  multi_select: 'a multiple choice gives 1 + 4 × your picks’ share of the best possible pick',
  rank: 'a ranking gives 1 to 5 by how close your order is to the most mature order',
  text_area: 'text answers are not scored',
}

/** The score of `answers` on `set`, explained. `score` is the stored score of record. */
export function explainScore(set: QuestionSet, answers: Record<string, unknown>, score: number): ScoreBreakdown {
  let weightedSum = 0
  let totalWeight = 0
  const rows: Array<{ group: QuestionSet['groups'][number]; items: Array<AnswerBreakdown & { raw: number | null }> }> =
    []
  const seen = new Set<string>()
  const types = new Set<Question['type']>()
  for (const group of set.groups) {
    const items: Array<AnswerBreakdown & { raw: number | null }> = []
    for (const question of group.questions) {
      seen.add(question.key)
      const answer = answers[question.key]
      if (typeof answer !== 'string' && !(Array.isArray(answer) && answer.every((a) => typeof a === 'string'))) continue
      types.add(question.type)
      const labelOf = new Map((question.options ?? []).map((o) => [o.value, o.label]))
      const values = Array.isArray(answer) ? answer : [answer]
      const contribution = contributionOf(question, answer) ?? null
      if (contribution !== null) {
        weightedSum += question.weight * contribution
        totalWeight += question.weight
      }
      items.push({
        key: question.key,
        prompt: question.prompt,
        type: question.type,
        answer,
        answerLabels: question.type === 'text_area' ? values : values.map((v) => labelOf.get(v) ?? v),
        weight: question.weight,
        contribution: contribution === null ? null : r(contribution),
        points: null,
        raw: contribution,
        ...(contribution === null
          ? {
              note:
                question.type === 'text_area'
                  ? 'Text answers are not scored; they go to the written analysis.'
                  : 'This ranking carries no information (every option scores the same), so it is left out.',
            }
          : {}),
      })
    }
    rows.push({ group, items })
  }
  const groups: GroupBreakdown[] = rows.map(({ group, items }) => {
    const scored = items.filter((i) => i.raw !== null)
    const w = scored.reduce((s, i) => s + i.weight, 0)
    return {
      key: group.key,
      title: group.title,
      score: w === 0 ? null : roundScore(scored.reduce((s, i) => s + i.weight * i.raw!, 0) / w),
      weight: w,
      answers: items.map(({ raw, ...item }) => ({
        ...item,
        points: raw === null || totalWeight === 0 ? null : r((item.weight * raw) / totalWeight),
      })),
    }
  })
  const unknown = Object.keys(answers).filter((k) => !seen.has(k))
  if (unknown.length > 0) {
    groups.push({
      key: 'no_longer_asked',
      title: 'Questions no longer asked',
      score: null,
      weight: 0,
      answers: unknown.map((k) => ({
        key: k,
        prompt: k,
        type: 'text_area',
        answer: answers[k] as string | string[],
        answerLabels: [].concat(answers[k] as never),
        weight: 0,
        contribution: null,
        points: null,
        note: 'This question is no longer in the assessment; it counted when the score was computed.',
      })),
    })
  }
  const recomputed = totalWeight === 0 ? null : roundScore(weightedSum / totalWeight)
  const how = [...types].filter((t) => t !== 'text_area').map((t) => HOW[t])
  const formula =
    `Your score is the weighted average of your scored answers: each gives a contribution from 1 to 5 (${how.join('; ')}${types.has('text_area') ? `; ${HOW.text_area}` : ''}), ` +
    `multiplied by its question’s weight. Here the weighted contributions add up to ${r(weightedSum, 2)} over a total weight of ${r(totalWeight, 2)}, ` +
    `and ${r(weightedSum, 2)} ÷ ${r(totalWeight, 2)} = ${recomputed === null ? 'no score' : recomputed.toFixed(2)}, kept within 1–5 and rounded to two decimals.` +
    (recomputed !== null && Math.abs(recomputed - score) > 0.005
      ? ` Your recorded score is ${score.toFixed(2)}: the questions have changed since you answered.`
      : '')
  return { score, groups, totals: { weightedSum: r(weightedSum), totalWeight: r(totalWeight), recomputed }, formula }
}
