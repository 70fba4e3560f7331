import { AREA_LABELS, maturityLevel, type MaturityLevel, type ScoreArea } from '../growth/scores.ts'

/**
 * The few phrases every rules answer is built from, so a score, a level, an owner or a timeframe
 * reads the same way everywhere.
 */

/** "3.5", or "not yet assessed" when there is no score. */
export function formatScore(score: number | null | undefined): string {
  return typeof score === 'number' ? score.toFixed(1) : 'not yet assessed'
}

/** The maturity level of a score (none for a missing score: no level is claimed). */
export function levelOf(score: number | null | undefined): MaturityLevel | null {
  return typeof score === 'number' && Number.isFinite(score) ? maturityLevel(score) : null
}

/** The words that name each level; each appears only where the score is at that level. */
export const LEVEL_WORDS: Record<MaturityLevel, string> = {
  foundational: 'at a foundational level',
  developing: 'developing',
  advanced: 'advanced',
}

/** "developing", "advanced", … or "not yet assessed". */
export function levelWords(score: number | null | undefined): string {
  const level = levelOf(score)
  return level === null ? 'not yet assessed' : LEVEL_WORDS[level]
}

export function areaLabel(area: ScoreArea): string {
  return AREA_LABELS[area]
}

/** The area's label inside a sentence ("Tech stack" → "tech stack", "AI readiness" stays). */
export function areaInSentence(area: ScoreArea): string {
  const text = AREA_LABELS[area]
  return /^[A-Z]{2}/.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1)
}

const CADENCES: Record<string, string> = {
  monthly: 'as a monthly routine',
  quarterly: 'every quarter',
  annually: 'once a year',
  'per pilot': 'for each pilot',
  'per initiative': 'before each major initiative',
  'starting this week': 'starting this week',
}

/**
 * A library timeframe inside a sentence: a duration ("6 weeks", "1–2 quarters") reads "within 6
 * weeks"; a cadence ("monthly") reads "as a monthly routine" — never "within monthly".
 */
export function timeframePhrase(timeframe: string): string {
  if (/^\d/.test(timeframe)) return `within ${timeframe}`
  return CADENCES[timeframe] ?? timeframe
}

/**
 * Who leads an action, inside a sentence: "led by the IT lead", "led by the CEO / founder",
 * "led by every manager". Acronyms keep their capitals; other roles are lower-cased.
 */
export function ownerPhrase(owner: string): string {
  const words = owner.split(' ').map((w) => (/^[A-Z]{2,}/.test(w) ? w : w.toLowerCase()))
  const role = words.join(' ')
  return /^every /.test(role) ? `led by ${role}` : `led by the ${role}`
}

/** A stable key for an action: its area and a slug of its title (`process.document-your-five-core-processes`). */
export function actionKey(area: string, title: string): string {
  const slug = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
  return `${area}.${slug || 'action'}`
}
