import { createHash } from 'node:crypto'
import { canonicalScores, type ScoreSet } from '../domain/growth/scores.ts'

/**
 * A stable hash of the scores that drive generated content (dashboard, levers). Any change to a
 * score, the base or the overall changes it, so cached content keyed on it is invalidated.
 */
export function scoresHash(scores: ScoreSet): string {
  return createHash('sha256').update(canonicalScores(scores)).digest('hex').slice(0, 32)
}
