import { SCORE_AREAS, type ScoreArea, type ScoreSet } from '../growth/scores.ts'

/**
 * Where each assessed area stands among the user's own areas: the strengths and weaknesses the
 * rules engine reports. The rules, in full:
 *
 * - Only assessed areas (a finite score) are ever a strength or a weakness.
 * - With two or more areas, the profile is *balanced* when its scores are within
 *   `BALANCED_SPREAD` of each other.
 * - A **strength** scores at least `STRENGTH_FLOOR` (3.0, the scale's midpoint) and, with two or
 *   more areas, at least `RELATIVE_MARGIN` above the user's own mean, or advanced (≥ 3.75) and
 *   not below that mean, or the profile is balanced; a single assessed area is a strength only
 *   when advanced.
 * - A **weakness** is foundational (< 2.5), or, in an unbalanced profile, at least
 *   `RELATIVE_MARGIN` below the user's own mean.
 *
 * A strength is ≥ 3.0 and a weakness is < 2.5 or below the mean, so no area is both. Strengths are
 * listed highest first, weaknesses lowest first, at most `MAX_POINTS` of each.
 */

export const STRENGTH_FLOOR = 3
export const FOUNDATIONAL_BELOW = 2.5
export const SINGLE_AREA_STRENGTH = 3.75
export const RELATIVE_MARGIN = 0.25
export const BALANCED_SPREAD = 0.25
export const MAX_POINTS = 4

export type AreaScore = { area: ScoreArea; score: number }

export type Standing = {
  /** Assessed areas, highest first (ties by name). */
  assessed: AreaScore[]
  /** The mean of the assessed scores (null when none). */
  mean: number | null
  min: number | null
  max: number | null
  balanced: boolean
  strengths: AreaScore[]
  weaknesses: AreaScore[]
  /** Assessed areas that are neither, lowest first. */
  middle: AreaScore[]
  unassessed: ScoreArea[]
}

/** The assessed areas of a score set: finite scores only. */
export function assessedAreas(scores: ScoreSet): AreaScore[] {
  const out: AreaScore[] = []
  for (const area of SCORE_AREAS) {
    const score = scores.areas[area]
    if (typeof score === 'number' && Number.isFinite(score)) out.push({ area, score })
  }
  return out.sort((a, b) => b.score - a.score || a.area.localeCompare(b.area))
}

export function standingOf(scores: ScoreSet): Standing {
  const assessed = assessedAreas(scores)
  const unassessed = SCORE_AREAS.filter((area) => !assessed.some((a) => a.area === area))
  const n = assessed.length
  if (n === 0)
    return {
      assessed,
      mean: null,
      min: null,
      max: null,
      balanced: false,
      strengths: [],
      weaknesses: [],
      middle: [],
      unassessed,
    }
  const mean = assessed.reduce((s, a) => s + a.score, 0) / n
  const max = assessed[0]!.score
  const min = assessed[n - 1]!.score
  const balanced = n >= 2 && max - min < BALANCED_SPREAD
  const isStrength = (s: number) =>
    s >= STRENGTH_FLOOR &&
    (n === 1
      ? s >= SINGLE_AREA_STRENGTH
      : balanced || s >= mean + RELATIVE_MARGIN || (s >= SINGLE_AREA_STRENGTH && s >= mean))
  const isWeakness = (s: number) => s < FOUNDATIONAL_BELOW || (n >= 2 && !balanced && s <= mean - RELATIVE_MARGIN)
  const strengths = assessed.filter((a) => isStrength(a.score)).slice(0, MAX_POINTS)
  const lowestFirst = [...assessed].sort((a, b) => a.score - b.score || a.area.localeCompare(b.area))
  const weaknesses = lowestFirst.filter((a) => !isStrength(a.score) && isWeakness(a.score)).slice(0, MAX_POINTS)
  const listed = new Set([...strengths, ...weaknesses].map((a) => a.area))
  const middle = lowestFirst.filter((a) => !listed.has(a.area))
  return { assessed, mean, min, max, balanced, strengths, weaknesses, middle, unassessed }
}
