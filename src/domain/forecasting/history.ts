import type { ScoreArea } from '../growth/scores.ts'
import type { HistoryPoint } from './holt.ts'

/** One recorded score change: an assessment submission or a growth assessment's area score. */
export type ScoreEvent = { at: Date; area: ScoreArea; score: number }

/** How the overall score is made from the latest area scores (the assessments' weighting). */
export type OverallOf = (latest: Partial<Record<ScoreArea, number>>) => number | null

/** Default overall: the plain mean of the latest scores present (null when none). */
export const meanOverall: OverallOf = (latest) => {
  const values = Object.values(latest).filter((v): v is number => typeof v === 'number')
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length
}

/**
 * Per-area series and the overall series from a user's score events. The overall is
 * reconstructed after every event from the latest score of each area at that time, so it moves
 * exactly as the profile's overall did.
 */
export function buildHistory(
  events: ScoreEvent[],
  overallOf: OverallOf = meanOverall,
): { areas: Partial<Record<ScoreArea, HistoryPoint[]>>; overall: HistoryPoint[] } {
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime())
  const areas: Partial<Record<ScoreArea, HistoryPoint[]>> = {}
  const latest: Partial<Record<ScoreArea, number>> = {}
  const overall: HistoryPoint[] = []
  for (const event of sorted) {
    ;(areas[event.area] ??= []).push({ at: event.at, score: event.score })
    latest[event.area] = event.score
    const value = overallOf(latest)
    if (value === null) continue
    const previous = overall[overall.length - 1]
    // Events of one submission share a timestamp: keep one overall point per instant.
    if (previous && previous.at.getTime() === event.at.getTime()) previous.score = value
    else overall.push({ at: event.at, score: value })
  }
  return { areas, overall }
}
