import { BRACKETS, type BracketKey } from './config-schema.ts'

/**
 * The bracket of a score: rounded down to the nearest half point and clamped to [1, 5], so
 * 1.49 → `score_1`, 1.5 → `score_1_5`, 4.99 → `score_4_5` and only 5.00 → `score_5`.
 * No score (a new user) → `score_1`.
 */
export function bracketFor(score: number | null | undefined): BracketKey {
  if (score === null || score === undefined || !Number.isFinite(score)) return 'score_1'
  // A hair of tolerance so 2.4999999 from floating arithmetic still counts as 2.5.
  const halves = Math.floor(score * 2 + 1e-9)
  const index = Math.min(Math.max(halves - 2, 0), BRACKETS.length - 1)
  return BRACKETS[index]!
}

/** The lowest score served by a bracket (`score_2_5` → 2.5). */
export function bracketFloor(bracket: BracketKey): number {
  return 1 + BRACKETS.indexOf(bracket) / 2
}

/**
 * The score that picks the question set for a user: the overall score, else the base score
 * from the growth assessment, else none (→ `score_1`).
 */
export function bracketForProfile(profile: { overallScore: number | null; baseScore: number | null }): BracketKey {
  return bracketFor(profile.overallScore ?? profile.baseScore)
}
