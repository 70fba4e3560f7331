import { randomUUID } from 'node:crypto'
import { and, desc, eq, sql } from 'drizzle-orm'
import type { BracketKey } from '../../domain/assessments/config-schema.ts'
import type { GrowthResult } from '../../domain/assessments/growth.ts'
import { computeOverallScore, type OverallComponent, type OverallWeights } from '../../domain/assessments/overall.ts'
import { DEEP_ASSESSMENT_TYPES, type DeepAssessmentType } from '../../domain/assessments/types.ts'
import type { NewEvent } from '../../contracts/events.ts'
import type { Executor } from '../db.ts'
import { assessmentSubmissions, growthAssessments, profiles } from '../schema.ts'
import { publish, writeWithEvents } from './events.ts'
import type { ProfileRow } from './profiles.ts'

export type SubmissionRow = typeof assessmentSubmissions.$inferSelect

type CamelCase<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S
type ScoreField = `${CamelCase<DeepAssessmentType>}Score`
type TakenField = `${CamelCase<DeepAssessmentType>}LastTaken`

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** The profile fields that hold a deep assessment's current score and when it was last taken. */
export function profileFields(type: DeepAssessmentType): {
  score: ScoreField
  lastTaken: TakenField
  columns: readonly [string, string]
} {
  return {
    score: `${camel(type)}Score` as ScoreField,
    lastTaken: `${camel(type)}LastTaken` as TakenField,
    columns: [`${type}_score`, `${type}_last_taken`],
  }
}

/** Every score that enters the overall score, from a profile row. */
export function componentScores(profile: ProfileRow): Record<OverallComponent, number | null> {
  const scores = {
    strategy: profile.strategyScore,
    process: profile.processScore,
    technology: profile.technologyScore,
  } as Record<OverallComponent, number | null>
  for (const type of DEEP_ASSESSMENT_TYPES) scores[type] = profile[profileFields(type).score]
  return scores
}

/**
 * The caller's profile, locked for the rest of the transaction: the other writers of scores take
 * the same lock first, so they run one after the other and each sees the previous one's result.
 */
export async function lockProfile(tx: Executor, userId: string): Promise<ProfileRow | undefined> {
  const [row] = await tx.select().from(profiles).where(eq(profiles.userId, userId)).for('update')
  return row
}

/**
 * The profile with its row version (`xmin`, which changes with every update of the row), for a
 * write that must only apply if nothing changed the profile meanwhile (`recordSubmission`'s `ifVersion`).
 */
export async function readProfileVersion(
  db: Executor,
  userId: string,
): Promise<{ profile: ProfileRow; version: string } | undefined> {
  const [row] = await db
    .select({ profile: profiles, version: sql<string>`${profiles}.xmin::text` })
    .from(profiles)
    .where(eq(profiles.userId, userId))
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
 * Record a scored submission in ONE statement (so in one transaction even outside an explicit
 * one): the profile's `<type>_score` / `<type>_last_taken` and recomputed overall score, the
 * submission row, and the events `assessment.completed` and `profile.updated` (with their NOTIFY).
 *
 * With `ifVersion`, every part applies only if the profile row is still at that version (an
 * optimistic check: a concurrent writer waits for the row, then sees the new version and writes
 * nothing) and the result is null when it was not. Without it, the caller holds `lockProfile`.
 */
export async function recordSubmission(
  executor: Executor,
  profile: ProfileRow,
  input: NewSubmission,
  options: { weights: OverallWeights; now: Date; ifVersion?: string },
): Promise<{ id: string; takenAt: Date; overallScore: number | null } | null> {
  const overallScore = computeOverallScore({ ...componentScores(profile), [input.type]: input.score }, options.weights)
  const id = randomUUID()
  const at = options.now.toISOString()
  const [scoreColumn, takenColumn] = profileFields(input.type).columns
  const events = [
    {
      type: 'assessment.completed',
      userId: input.userId,
      payload: { submissionId: id, type: input.type, score: input.score, overallScore },
    },
    {
      type: 'profile.updated',
      userId: input.userId,
      payload: { fields: [scoreColumn, takenColumn, 'overall_score'], overallScore },
    },
  ] satisfies NewEvent[]
  const written = await writeWithEvents(
    executor,
    {
      profile: sql`update profiles
         set ${sql.identifier(scoreColumn)} = ${input.score}, ${sql.identifier(takenColumn)} = ${at}::timestamptz, overall_score = ${overallScore}, updated_at = ${at}::timestamptz
       where user_id = ${input.userId}${options.ifVersion === undefined ? sql`` : sql` and xmin = ${options.ifVersion}::xid`}
      returning user_id`,
      submission: sql`insert into assessment_submissions (id, user_id, type, bracket_served, answers, score, bracket_key, base_score_at_time, created_at)
      select ${id}::uuid, user_id, ${input.type}, ${input.bracketServed}, ${JSON.stringify(input.answers)}::jsonb, ${input.score}, ${input.bracketKey}, ${profile.baseScore}::numeric, ${at}::timestamptz
        from profile`,
    },
    events,
    { onlyIf: 'profile' },
  )
  if (written.length === 0) {
    if (options.ifVersion !== undefined) return null
    throw new Error(`profile of ${input.userId} vanished during a locked submission`)
  }
  return { id, takenAt: options.now, overallScore }
}

/** A user's submissions of one type, newest first. Run under `asUser`: RLS keeps it to their own. */
export async function listSubmissions(
  tx: Executor,
  userId: string,
  type: DeepAssessmentType,
  options: { limit: number },
): Promise<SubmissionRow[]> {
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
export async function recordGrowthAssessment(
  tx: Executor,
  profile: ProfileRow,
  input: NewGrowthAssessment,
  weights: OverallWeights,
  now: Date,
) {
  const { scores } = input
  const overallScore = computeOverallScore(
    { ...componentScores(profile), strategy: scores.strategy, process: scores.process, technology: scores.technology },
    weights,
  )
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
  const fields = [
    'strategy_score',
    'process_score',
    'technology_score',
    'base_score',
    'growth_last_taken',
    'overall_score',
  ]
  await publish(tx, { type: 'profile.updated', userId: input.userId, payload: { fields, overallScore } })
  return { id: row!.id, takenAt: row!.createdAt, overallScore }
}
