import { ADVICE, INDUSTRY_FOCUS, type AdviceAction } from '../../domain/advice/library.ts'
import { industryGroup } from '../../domain/growth/ml-score.ts'
import {
  AREA_LABELS,
  maturityLevel,
  rankedAreas,
  type MaturityLevel,
  type ScoreArea,
  type ScoreSet,
} from '../../domain/growth/scores.ts'

/** Helpers the rules fallbacks share: pick advice from the library using the user's own data. */

export function levelOf(score: number | null | undefined): MaturityLevel {
  return typeof score === 'number' ? maturityLevel(score) : 'foundational'
}

/** The actions for an area at the user's level for it. */
export function actionsFor(area: ScoreArea, score: number | null | undefined): AdviceAction[] {
  return ADVICE[area][levelOf(score)]
}

/** The industry framing sentence for a free-text industry. */
export function industryFocus(industry: string | null | undefined): string {
  return INDUSTRY_FOCUS[industryGroup(industry)] ?? INDUSTRY_FOCUS.general!
}

/** Areas to work on, lowest first; the three growth areas when nothing is assessed. */
export function focusAreas(scores: ScoreSet): Array<[ScoreArea, number | null]> {
  const ranked = rankedAreas(scores)
  if (ranked.length > 0) return ranked
  return [
    ['strategy', null],
    ['process', null],
    ['technology', null],
  ]
}

export function label(area: ScoreArea): string {
  return AREA_LABELS[area]
}

export function fmt(score: number | null | undefined): string {
  return typeof score === 'number' ? score.toFixed(1) : 'not yet assessed'
}

const LEVEL_WORDS: Record<MaturityLevel, string> = {
  foundational: 'at a foundational level',
  developing: 'developing',
  advanced: 'advanced',
}

export function levelWords(score: number | null | undefined): string {
  return LEVEL_WORDS[levelOf(score)]
}

/**
 * Pick `count` distinct actions round-robin across the given areas (lowest first), so the
 * weakest area gets the first action and the next weakest the second.
 */
export function pickActions(
  areas: Array<[ScoreArea, number | null]>,
  count: number,
): Array<{ area: ScoreArea; score: number | null; action: AdviceAction }> {
  const picked: Array<{ area: ScoreArea; score: number | null; action: AdviceAction }> = []
  const pools = areas.map(([area, score]) => ({ area, score, actions: [...actionsFor(area, score)] }))
  // Fall back to the growth areas so there are always enough actions.
  for (const area of ['strategy', 'process', 'technology'] as const)
    if (!pools.some((p) => p.area === area)) pools.push({ area, score: null, actions: [...actionsFor(area, null)] })
  let round = 0
  while (picked.length < count && pools.some((p) => p.actions.length > 0)) {
    for (const pool of pools) {
      if (picked.length >= count) break
      const action = pool.actions.shift()
      if (action) picked.push({ area: pool.area, score: pool.score, action })
    }
    round++
    if (round > 20) break
  }
  return picked
}
