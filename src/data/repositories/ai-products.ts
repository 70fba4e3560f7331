import { and, desc, eq, gt, sql } from 'drizzle-orm'
import {
  assessmentAnalyses,
  assessmentSubmissions,
  dashboards,
  growthAssessments,
  growthLevers,
  profiles,
  simulations,
} from '../schema.ts'
import { writeWithEvents } from './events.ts'
import type { NewEvent } from '../../contracts/events.ts'
import type { ProfileRow } from './profiles.ts'
import { SCORE_AREAS } from '../../domain/growth/scores.ts'
import { rows, type Executor } from '../db.ts'

// json_build_object('strategy', p.strategy_score, …, 'base', p.base_score, 'overall', p.overall_score)
const SCORE_COLUMNS_JSON = `json_build_object(${[...SCORE_AREAS.map((a) => `'${a}', p.${a}_score`), "'base', p.base_score", "'overall', p.overall_score"].join(', ')})`

/** Storage of the AI features' results: dashboards, growth levers, simulations, analyses, insights. */

export type DashboardRow = typeof dashboards.$inferSelect
export type LeverRow = typeof growthLevers.$inferSelect
export type SimulationRow = typeof simulations.$inferSelect
export type GrowthAssessmentRow = typeof growthAssessments.$inferSelect

export async function getDashboard(db: Executor, userId: string): Promise<DashboardRow | undefined> {
  const [row] = await db.select().from(dashboards).where(eq(dashboards.userId, userId)).limit(1)
  return row
}

/**
 * The stored dashboard as JSON text beside the user's current scores, in one statement: the hot
 * path of `GET /api/dashboard` compares the scores hash and sends the text without parsing it.
 */
export async function getDashboardText(
  db: Executor,
  userId: string,
): Promise<{ scores: Record<string, unknown>; content: string | null; scoresHash: string | null } | undefined> {
  const [row] = await rows<{ scores: Record<string, unknown>; content: string | null; scores_hash: string | null }>(
    db,
    sql`select ${sql.raw(SCORE_COLUMNS_JSON)} as scores, d.content::text as content, d.scores_hash
        from profiles p left join dashboards d on d.user_id = p.user_id where p.user_id = ${userId}`,
  )
  return row ? { scores: row.scores, content: row.content, scoresHash: row.scores_hash } : undefined
}

export async function upsertDashboard(
  db: Executor,
  row: { userId: string; scoresHash: string; content: Record<string, unknown>; provider: string; generatedAt: Date },
): Promise<void> {
  await db
    .insert(dashboards)
    .values(row)
    .onConflictDoUpdate({
      target: dashboards.userId,
      set: { scoresHash: row.scoresHash, content: row.content, provider: row.provider, generatedAt: row.generatedAt },
    })
}

/** The newest batch of levers for these scores that has not expired (empty when none). */
export async function listCurrentLevers(
  db: Executor,
  userId: string,
  scoresHash: string,
  now = new Date(),
): Promise<LeverRow[]> {
  const list = await db
    .select()
    .from(growthLevers)
    .where(
      and(eq(growthLevers.userId, userId), eq(growthLevers.scoresHash, scoresHash), gt(growthLevers.expiresAt, now)),
    )
    .orderBy(desc(growthLevers.createdAt), growthLevers.position)
    .limit(5)
  return list.length === 5 ? list : []
}

export type NewLever = {
  title: string
  description: string
  targetArea: string
  expectedImpact: string
  effort: string
  leverKey?: string
  progress?: number
  carriedFrom?: string | null
}

/** Store a new batch of five levers (earlier batches stay as history). */
export async function insertLevers(
  db: Executor,
  userId: string,
  levers: NewLever[],
  meta: { scoresHash: string; provider: string; expiresAt: Date; requestId: string },
): Promise<LeverRow[]> {
  const now = new Date()
  return db
    .insert(growthLevers)
    .values(
      levers.map((l, i) => ({
        ...l,
        userId,
        position: i + 1,
        scoresHash: meta.scoresHash,
        provider: meta.provider,
        expiresAt: meta.expiresAt,
        requestId: meta.requestId,
        createdAt: now,
      })),
    )
    .returning()
}

/** Set a lever's progress; under RLS only the owner's lever is reachable. */
export async function updateLeverProgress(db: Executor, id: string, progress: number): Promise<LeverRow | undefined> {
  const [row] = await db.update(growthLevers).set({ progress }).where(eq(growthLevers.id, id)).returning()
  return row
}

export async function insertSimulation(
  db: Executor,
  row: { userId: string; input: Record<string, unknown>; result: Record<string, unknown> },
): Promise<SimulationRow> {
  const [inserted] = await db.insert(simulations).values(row).returning()
  return inserted!
}

export async function getSimulation(db: Executor, id: string): Promise<SimulationRow | undefined> {
  const [row] = await db.select().from(simulations).where(eq(simulations.id, id)).limit(1)
  return row
}

export async function listSimulations(db: Executor, userId: string, limit = 20): Promise<SimulationRow[]> {
  return db
    .select()
    .from(simulations)
    .where(eq(simulations.userId, userId))
    .orderBy(desc(simulations.createdAt))
    .limit(limit)
}

export async function setSimulationCommentary(
  db: Executor,
  id: string,
  userId: string,
  commentary: string,
): Promise<void> {
  await db
    .update(simulations)
    .set({ commentary })
    .where(and(eq(simulations.id, id), eq(simulations.userId, userId)))
}

export async function getGrowthAssessment(
  db: Executor,
  userId: string,
  id?: string,
): Promise<GrowthAssessmentRow | undefined> {
  const [row] = await db
    .select()
    .from(growthAssessments)
    .where(
      id
        ? and(eq(growthAssessments.userId, userId), eq(growthAssessments.id, id))
        : eq(growthAssessments.userId, userId),
    )
    .orderBy(desc(growthAssessments.createdAt))
    .limit(1)
  return row
}

export async function setGrowthInsights(
  db: Executor,
  id: string,
  insights: Record<string, unknown>,
  provider: string,
): Promise<void> {
  await db.update(growthAssessments).set({ insights, provider }).where(eq(growthAssessments.id, id))
}

export type SubmissionRow = typeof assessmentSubmissions.$inferSelect

export async function getSubmission(db: Executor, id: string): Promise<SubmissionRow | undefined> {
  const [row] = await db.select().from(assessmentSubmissions).where(eq(assessmentSubmissions.id, id)).limit(1)
  return row
}

/** A submission with its owner's profile (null without one), in one read. */
export async function getSubmissionWithProfile(
  db: Executor,
  id: string,
): Promise<{ submission: SubmissionRow; profile: ProfileRow | null } | undefined> {
  const [row] = await db
    .select({ submission: assessmentSubmissions, profile: profiles })
    .from(assessmentSubmissions)
    .leftJoin(profiles, eq(profiles.userId, assessmentSubmissions.userId))
    .where(eq(assessmentSubmissions.id, id))
    .limit(1)
  return row
}

/**
 * Store (or replace, on a retried task) the analysis of a submission, with these events appended
 * in the same statement (one round trip, atomic).
 */
export async function upsertAssessmentAnalysis(
  db: Executor,
  row: { submissionId: string; userId: string; content: Record<string, unknown>; provider: string },
  events: ReadonlyArray<NewEvent> = [],
): Promise<void> {
  const write = db
    .insert(assessmentAnalyses)
    .values(row)
    .onConflictDoUpdate({
      target: assessmentAnalyses.submissionId,
      set: { content: row.content, provider: row.provider, createdAt: sql`now()` },
    })
  if (events.length === 0) await write
  else await writeWithEvents(db, write, events)
}

export async function getAssessmentAnalysis(db: Executor, submissionId: string) {
  const [row] = await db
    .select()
    .from(assessmentAnalyses)
    .where(eq(assessmentAnalyses.submissionId, submissionId))
    .limit(1)
  return row
}
