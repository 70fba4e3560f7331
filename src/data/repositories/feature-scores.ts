import { sql } from 'drizzle-orm'
import type { BusinessContext } from '../../contracts/auth.ts'
import type { ScoreEvent } from '../../domain/forecasting/history.ts'
import { SCORE_AREAS, type ScoreArea, type ScoreSet } from '../../domain/growth/scores.ts'
import { rows, type Executor } from '../db.ts'
import { getProfile, toProfile, type ProfileRow } from './profiles.ts'

/** Profile columns of each score area: `[score, last taken]`. */
const AREA_COLUMNS: Record<ScoreArea, [keyof ProfileRow, keyof ProfileRow | null]> = {
  strategy: ['strategyScore', 'growthLastTaken'],
  process: ['processScore', 'growthLastTaken'],
  technology: ['technologyScore', 'growthLastTaken'],
  ai_readiness: ['aiReadinessScore', 'aiReadinessLastTaken'],
  bpm: ['bpmScore', 'bpmLastTaken'],
  sales: ['salesScore', 'salesLastTaken'],
  tech_stack: ['techStackScore', 'techStackLastTaken'],
  strategic_maturity: ['strategicMaturityScore', 'strategicMaturityLastTaken'],
  marketing_effectiveness: ['marketingEffectivenessScore', 'marketingEffectivenessLastTaken'],
  customer_experience: ['customerExperienceScore', 'customerExperienceLastTaken'],
  digital_transformation: ['digitalTransformationScore', 'digitalTransformationLastTaken'],
  leadership: ['leadershipScore', 'leadershipLastTaken'],
  competitive_benchmarking: ['competitiveBenchmarkingScore', 'competitiveBenchmarkingLastTaken'],
  reassessment: ['reassessmentScore', 'reassessmentLastTaken'],
}

/** SQL column of each area's score in `profiles` (constants, never user input). */
export const AREA_SQL_COLUMNS: Record<ScoreArea | 'overall' | 'base', string> = {
  overall: 'overall_score',
  base: 'base_score',
  ...(Object.fromEntries(SCORE_AREAS.map((a) => [a, `${a}_score`])) as Record<ScoreArea, string>),
}

export type ScoreSnapshot = {
  scores: ScoreSet
  lastTaken: Partial<Record<ScoreArea, Date | null>>
  context: BusinessContext
  updatedAt: Date
}

const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v)
    ? v
    : typeof v === 'string' && v !== '' && Number.isFinite(Number(v))
      ? Number(v)
      : null

/** The business fields of a profile: its public view without the owner, scores and timestamp. */
function businessFieldsOf(row: ProfileRow): BusinessContext {
  const { userId: _userId, baseScore: _base, overallScore: _overall, updatedAt: _updated, ...context } = toProfile(row)
  return context
}

/** A profile row as scores, last-taken dates and business context. */
export function toSnapshot(row: ProfileRow): ScoreSnapshot {
  const areas: ScoreSet['areas'] = {}
  const lastTaken: ScoreSnapshot['lastTaken'] = {}
  for (const area of SCORE_AREAS) {
    const [scoreKey, takenKey] = AREA_COLUMNS[area]
    const value = num(row[scoreKey])
    if (value !== null) areas[area] = value
    const taken = takenKey ? row[takenKey] : null
    if (taken instanceof Date) lastTaken[area] = taken
  }
  return {
    scores: { areas, base: num(row.baseScore), overall: num(row.overallScore) },
    lastTaken,
    context: businessFieldsOf(row),
    updatedAt: row.updatedAt,
  }
}

/** The user's current scores and business context, or undefined without a profile. */
export async function getScoreSnapshot(db: Executor, userId: string): Promise<ScoreSnapshot | undefined> {
  const row = await getProfile(db, userId)
  return row ? toSnapshot(row) : undefined
}

/** Every recorded score of a user, oldest first: deep submissions and growth-assessment areas. */
export async function listScoreEvents(db: Executor, userId: string): Promise<ScoreEvent[]> {
  const submissions = await rows<{ type: string; score: string | number; created_at: Date | string }>(
    db,
    sql`select type, score, created_at from assessment_submissions where user_id = ${userId} order by created_at`,
  )
  const growth = await rows<{
    strategy_score: string | number
    process_score: string | number
    technology_score: string | number
    created_at: Date | string
  }>(
    db,
    sql`select strategy_score, process_score, technology_score, created_at from growth_assessments where user_id = ${userId} order by created_at`,
  )
  const events: ScoreEvent[] = []
  const date = (v: Date | string) => (v instanceof Date ? v : new Date(v))
  for (const s of submissions) {
    if ((SCORE_AREAS as readonly string[]).includes(s.type))
      events.push({ at: date(s.created_at), area: s.type as ScoreArea, score: Number(s.score) })
  }
  for (const g of growth) {
    const at = date(g.created_at)
    events.push(
      { at, area: 'strategy', score: Number(g.strategy_score) },
      { at, area: 'process', score: Number(g.process_score) },
      { at, area: 'technology', score: Number(g.technology_score) },
    )
  }
  return events.sort((a, b) => a.at.getTime() - b.at.getTime())
}
