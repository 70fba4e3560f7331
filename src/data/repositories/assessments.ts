import { and, desc, eq, sql } from 'drizzle-orm'
import type { BracketKey } from '../../domain/assessments/config-schema.ts'
import type { GrowthResult } from '../../domain/assessments/growth.ts'
import { computeOverallScore, type OverallComponent, type OverallWeights } from '../../domain/assessments/overall.ts'
import { DEEP_ASSESSMENT_TYPES, type DeepAssessmentType } from '../../domain/assessments/types.ts'
import { publish } from '../../events/publish.ts'
import type { Executor } from '../db.ts'
import { assessmentSubmissions, growthAssessments, profiles } from '../schema.ts'
import type { ProfileRow } from './profiles.ts'

export type SubmissionRow = typeof assessmentSubmissions.$inferSelect

type CamelCase<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S
type ScoreField = `${CamelCase<DeepAssessmentType>}Score`
type TakenField = `${CamelCase<DeepAssessmentType>}LastTaken`

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** The profile fields that hold a deep assessment's current score and when it was last taken. */
export function profileFields(type: DeepAssessmentType): { score: ScoreField; lastTaken: TakenField; columns: [string, string] } {
  return { score: `${camel(type)}Score` as ScoreField, lastTaken: `${camel(type)}LastTaken` as TakenField, columns: [`${type}_score`, `${type}_last_taken`] }
}

/** Every score that enters the overall score, from a profile row. */
export function componentScores(profile: ProfileRow): Record<OverallComponent, number | null> {
  const scores = { strategy: profile.strategyScore, process: profile.processScore, technology: profile.technologyScore } as Record<OverallComponent, number | null>
  for (const type of DEEP_ASSESSMENT_TYPES) scores[type] = profile[profileFields(type).score]
  return scores
}

/**
 * The caller's profile, locked for the rest of the transaction. Every score write takes this
 * lock first, so two submissions by one user run one after the other and the second sees the
 * first's `last_taken` (works the same on PostgreSQL and PGlite).
 */
export async function lockProfile(tx: Executor, userId: string): Promise<ProfileRow | undefined> {
  const [row] = await tx.select().from(profiles).where(eq(profiles.userId, userId)).for('update')
  return row
}

export type NewSubmission = {
  userId: string
  type: DeepAssessmentType
  bracketServed: BracketKey
  answers: Record<string, unknown>
  score: number
  bracketKey: BracketKey
}

/**
 * Record a scored submission on a locked profile, in the caller's transaction: the submission row,
 * the profile's `<type>_score` / `<type>_last_taken`, the recomputed overall score, and the events
 * `assessment.completed` and `profile.updated`.
 */
export async function recordSubmission(tx: Executor, profile: ProfileRow, input: NewSubmission, weights: OverallWeights, now: Date) {
  const overallScore = computeOverallScore({ ...componentScores(profile), [input.type]: input.score }, weights)
  const [row] = await tx
    .insert(assessmentSubmissions)
    .values({ ...input, baseScoreAtTime: profile.baseScore, createdAt: now })
    .returning({ id: assessmentSubmissions.id, createdAt: assessmentSubmissions.createdAt })
  const fields = profileFields(input.type)
  await tx
    .update(profiles)
    .set({ [fields.score]: input.score, [fields.lastTaken]: now, overallScore, updatedAt: now })
    .where(eq(profiles.userId, input.userId))
  await publish(tx, { type: 'assessment.completed', userId: input.userId, payload: { submissionId: row!.id, type: input.type, score: input.score, overallScore } })
  await publish(tx, { type: 'profile.updated', userId: input.userId, payload: { fields: [...fields.columns, 'overall_score'], overallScore } })
  return { id: row!.id, takenAt: row!.createdAt, overallScore }
}

/** A user's submissions of one type, newest first. Run under `asUser`: RLS keeps it to their own. */
export async function listSubmissions(tx: Executor, userId: string, type: DeepAssessmentType, options: { limit: number }): Promise<SubmissionRow[]> {
  return tx
    .select()
    .from(assessmentSubmissions)
    .where(and(eq(assessmentSubmissions.userId, userId), eq(assessmentSubmissions.type, type)))
    .orderBy(desc(assessmentSubmissions.createdAt), desc(assessmentSubmissions.id))
    .limit(options.limit)
}

export type NewGrowthAssessment = {
  userId: string
  answers: Record<string, unknown> & { industry?: string; companySize?: string; revenueRange?: string }
  scores: GrowthResult
  insights?: Record<string, unknown> | null
  provider?: string | null
}

/**
 * Record a growth assessment on a locked profile, in the caller's transaction: the row, the
 * profile's strategy/process/technology/base scores and `growth_last_taken`, the recomputed overall
 * score, the business fields it names when the profile has none yet, and `profile.updated`.
 * The AI growth insights store their result through this too.
 */
export async function recordGrowthAssessment(tx: Executor, profile: ProfileRow, input: NewGrowthAssessment, weights: OverallWeights, now: Date) {
  const { scores } = input
  const overallScore = computeOverallScore({ ...componentScores(profile), strategy: scores.strategy, process: scores.process, technology: scores.technology }, weights)
  const [row] = await tx
    .insert(growthAssessments)
    .values({
      userId: input.userId,
      answers: input.answers,
      strategyScore: scores.strategy,
      processScore: scores.process,
      technologyScore: scores.technology,
      baseScore: scores.base,
      insights: input.insights ?? null,
      provider: input.provider ?? null,
      createdAt: now,
    })
    .returning({ id: growthAssessments.id, createdAt: growthAssessments.createdAt })
  await tx
    .update(profiles)
    .set({
      strategyScore: scores.strategy,
      processScore: scores.process,
      technologyScore: scores.technology,
      baseScore: scores.base,
      growthLastTaken: now,
      overallScore,
      industry: profile.industry ?? input.answers.industry ?? null,
      companySize: profile.companySize ?? input.answers.companySize ?? null,
      revenueRange: profile.revenueRange ?? input.answers.revenueRange ?? null,
      updatedAt: now,
    })
    .where(eq(profiles.userId, input.userId))
  const fields = ['strategy_score', 'process_score', 'technology_score', 'base_score', 'growth_last_taken', 'overall_score']
  await publish(tx, { type: 'profile.updated', userId: input.userId, payload: { fields, overallScore } })
  return { id: row!.id, takenAt: row!.createdAt, overallScore }
}

/** Count of a user's submissions of one type (tests and admin views; runs as the caller's executor). */
export async function countSubmissions(tx: Executor, userId: string, type?: DeepAssessmentType): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(assessmentSubmissions)
    .where(type ? and(eq(assessmentSubmissions.userId, userId), eq(assessmentSubmissions.type, type)) : eq(assessmentSubmissions.userId, userId))
  return Number(row?.n ?? 0)
}
