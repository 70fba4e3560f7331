import type { Question, QuestionSet } from './config-schema.ts'
import type { Answers } from './answers.ts'

/**
 * The score of a validated submission, in [1, 5], rounded to two decimals.
 *
 *   score = Σ wᵢ · cᵢ / Σ wᵢ   over the scored questions that were answered,
 *
 * where wᵢ is the question's weight (default 1) and cᵢ ∈ [1, 5] its contribution:
 *
 * - `select`: the chosen option's score.
 * - `multi_select`: 1 + 4 · min(1, Σ_selected (sₒ − 1) / D), where D is Σ (sₒ − 1) over the k
 *   highest-scoring options and k = `maxSelections` (else all options). Picking the k best options
 *   gives 5, picking only score-1 options gives 1. The contribution is a share of the best
 *   possible pick, so it never grows with the number of options offered, and selecting one more
 *   option (or a better one instead of a worse one) never lowers it. D = 0 (every option scores 1)
 *   → 1.
 * - `rank`: the answer orders every option, most important first. Each position p (0-based) of n
 *   carries the weight n − p; R = Σ (n − p) · s(option at p). By the rearrangement inequality R is
 *   largest (R⁺) when the options are ranked by descending score (the most mature priorities
 *   first) and smallest (R⁻) in ascending order; c = 1 + 4 · (R − R⁻) / (R⁺ − R⁻). Swapping two
 *   neighbours so the higher-scored one comes first never lowers c. When every option has the
 *   same score the ranking carries no information and the question is left out (weight 0).
 * - `text_area`: not scored (it goes to the AI analysis).
 *
 * Since every cᵢ is in [1, 5] and the weights are positive, the weighted mean is in [1, 5]; a
 * better answer raises one cᵢ and so never lowers the mean; rounding to two decimals and clamping
 * are non-decreasing, so they keep both properties.
 */
export function scoreAnswers(set: QuestionSet, answers: Answers): number {
  let weighted = 0
  let totalWeight = 0
  for (const group of set.groups) {
    for (const question of group.questions) {
      const answer = answers[question.key]
      if (answer === undefined) continue
      const contribution = contributionOf(question, answer)
      if (contribution === undefined) continue
      weighted += question.weight * contribution
      totalWeight += question.weight
    }
  }
  if (totalWeight === 0) throw new RangeError('no scored question was answered')
  return roundScore(weighted / totalWeight)
}

/** A question's contribution cᵢ ∈ [1, 5], or undefined when it does not enter the score. */
export function contributionOf(question: Question, answer: string | string[]): number | undefined {
  const options = question.options ?? []
  const scoreOf = new Map(options.map((o) => [o.value, o.score]))
  switch (question.type) {
    case 'text_area':
      return undefined
    case 'select': {
      const value = Array.isArray(answer) ? answer[0] : answer
      return value === undefined ? undefined : scoreOf.get(value)
    }
    case 'multi_select': {
      const picked = Array.isArray(answer) ? answer : [answer]
      const k = Math.min(question.maxSelections ?? options.length, options.length)
      const best = options.map((o) => o.score - 1).sort((a, b) => b - a).slice(0, k).reduce((a, b) => a + b, 0)
      if (best === 0) return 1
      const got = picked.reduce((sum, v) => sum + ((scoreOf.get(v) ?? 1) - 1), 0)
      return 1 + 4 * Math.min(1, got / best)
    }
    case 'rank': {
      const order = Array.isArray(answer) ? answer : [answer]
      const n = order.length
      const weightAt = (p: number) => n - p
      const r = order.reduce((sum, v, p) => sum + weightAt(p) * (scoreOf.get(v) ?? 1), 0)
      const scores = order.map((v) => scoreOf.get(v) ?? 1)
      const desc = [...scores].sort((a, b) => b - a)
      const rMax = desc.reduce((sum, s, p) => sum + weightAt(p) * s, 0)
      const rMin = [...desc].reverse().reduce((sum, s, p) => sum + weightAt(p) * s, 0)
      if (rMax === rMin) return undefined
      return 1 + (4 * (r - rMin)) / (rMax - rMin)
    }
  }
}

/** Clamp to [1, 5] and round to two decimals (the precision of the score columns). */
export function roundScore(value: number): number {
  const clamped = Math.min(5, Math.max(1, value))
  return Math.round(clamped * 100 + 1e-9) / 100
}
