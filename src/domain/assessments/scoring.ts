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

/** Per-question constants of the formula, computed once per (immutable, loaded-once) question. */
type Prepared = { scoreOf: Map<string, number>; bestPick: number; rankMax: number; rankMin: number }
const prepared = new WeakMap<Question, Prepared>()

function prepare(question: Question): Prepared {
  let p = prepared.get(question)
  if (p) return p
  const options = question.options ?? []
  const desc = options.map((o) => o.score).sort((a, b) => b - a)
  const k = Math.min(question.maxSelections ?? options.length, options.length)
  const n = desc.length
  p = {
    scoreOf: new Map(options.map((o) => [o.value, o.score])),
    bestPick: desc.slice(0, k).reduce((sum, s) => sum + (s - 1), 0),
    rankMax: desc.reduce((sum, s, i) => sum + (n - i) * s, 0),
    rankMin: [...desc].reverse().reduce((sum, s, i) => sum + (n - i) * s, 0),
  }
  prepared.set(question, p)
  return p
}

/** A question's contribution cᵢ ∈ [1, 5], or undefined when it does not enter the score. */
export function contributionOf(question: Question, answer: string | string[]): number | undefined {
  if (question.type === 'text_area') return undefined
  const { scoreOf, bestPick, rankMax, rankMin } = prepare(question)
  switch (question.type) {
    case 'select': {
      const value = Array.isArray(answer) ? answer[0] : answer
      return value === undefined ? undefined : scoreOf.get(value)
    }
    case 'multi_select': {
      if (bestPick === 0) return 1
      const picked = Array.isArray(answer) ? answer : [answer]
      let got = 0
      for (const v of picked) got += (scoreOf.get(v) ?? 1) - 1
      return 1 + 4 * Math.min(1, got / bestPick)
    }
    case 'rank': {
      // A validated ranking orders every option once, so R⁺ and R⁻ are those of the whole list.
      const order = Array.isArray(answer) ? answer : [answer]
      if (rankMax === rankMin || order.length !== scoreOf.size) return undefined
      let r = 0
      order.forEach((v, p) => (r += (order.length - p) * (scoreOf.get(v) ?? 1)))
      return 1 + (4 * (r - rankMin)) / (rankMax - rankMin)
    }
  }
}

/** Clamp to [1, 5] and round to two decimals (the precision of the score columns). */
export function roundScore(value: number): number {
  const clamped = Math.min(5, Math.max(1, value))
  return Math.round(clamped * 100 + 1e-9) / 100
}
