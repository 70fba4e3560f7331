import { and, asc, desc, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm'
import { assessmentSubmissions, growthLevers } from '../schema.ts'
import { rows, type Executor } from '../db.ts'

/**
 * Storage for issue 15: assessment attempts (the completion funnel), feedback satisfaction per
 * feature, lever identity across regenerations, and one submission with the one before it.
 */

// ---- the assessment funnel -------------------------------------------------------------------

/** Open an attempt when a user is served an assessment's questions (no-op while one is open). */
export async function recordAttemptStart(db: Executor, userId: string, type: string, now = new Date()): Promise<void> {
  await db.execute(sql`insert into assessment_attempts (user_id, type, started_at) values (${userId}, ${type}, ${now.toISOString()}::timestamptz)
    on conflict (user_id, type) where completed_at is null do nothing`)
}

/**
 * Complete the open attempt with the submission. A submission whose questions were never fetched
 * through the API still counts: it is recorded as an attempt started and completed at once (and
 * left out of the median time, which only counts attempts with a measured duration).
 */
export async function completeAttempt(
  db: Executor,
  userId: string,
  type: string,
  submissionId: string,
  now = new Date(),
): Promise<void> {
  const at = now.toISOString()
  await db.execute(sql`with done as (
      update assessment_attempts set completed_at = greatest(${at}::timestamptz, started_at), submission_id = ${submissionId}::uuid
       where user_id = ${userId} and type = ${type} and completed_at is null
      returning id)
    insert into assessment_attempts (user_id, type, started_at, completed_at, submission_id)
    select ${userId}, ${type}, ${at}::timestamptz, ${at}::timestamptz, ${submissionId}::uuid where not exists (select 1 from done)`)
}

export type FunnelRow = {
  type: string
  started: number
  completed: number
  abandoned: number
  inProgress: number
  medianSecondsToComplete: number | null
}

/**
 * Per assessment, over attempts started since `since`: started, completed, abandoned (open for
 * longer than `abandonAfterMs`), still in progress, and the median time to complete.
 */
export async function funnelByAssessment(
  db: Executor,
  options: { since: Date; now: Date; abandonAfterMs: number },
): Promise<FunnelRow[]> {
  const cutoff = new Date(options.now.getTime() - options.abandonAfterMs).toISOString()
  const list = await rows<{
    type: string
    started: string | number
    completed: string | number
    abandoned: string | number
    in_progress: string | number
    median: string | number | null
  }>(
    db,
    sql`select type, count(*) as started, count(completed_at) as completed,
          count(*) filter (where completed_at is null and started_at < ${cutoff}::timestamptz) as abandoned,
          count(*) filter (where completed_at is null and started_at >= ${cutoff}::timestamptz) as in_progress,
          percentile_cont(0.5) within group (order by extract(epoch from completed_at - started_at)) filter (where completed_at > started_at) as median
        from assessment_attempts where started_at >= ${options.since.toISOString()}::timestamptz
        group by type order by type`,
  )
  return list.map((r) => ({
    type: r.type,
    started: Number(r.started),
    completed: Number(r.completed),
    abandoned: Number(r.abandoned),
    inProgress: Number(r.in_progress),
    medianSecondsToComplete: r.median === null ? null : Math.round(Number(r.median)),
  }))
}

// ---- satisfaction ----------------------------------------------------------------------------

export type SatisfactionRow = {
  feature: string
  provider: string
  model: string
  modelVersion: string | null
  up: number
  down: number
  comments: number
}

/**
 * Thumbs per feature, provider, model and model version since `since`: feedback joined to the
 * answer it rates (one `ai_log` row per request id).
 */
export async function satisfactionByFeature(db: Executor, since: Date): Promise<SatisfactionRow[]> {
  const list = await rows<{
    feature: string | null
    provider: string | null
    model: string | null
    model_version: string | null
    up: string | number
    down: string | number
    comments: string | number
  }>(
    db,
    sql`select l.feature, l.provider, l.model, l.model_version,
          count(*) filter (where f.rating = 'up') as up, count(*) filter (where f.rating = 'down') as down,
          count(*) filter (where f.comment is not null and f.comment <> '') as comments
        from ai_feedback f
        join lateral (select feature, provider, model, model_version from ai_log where request_id = f.request_id order by created_at limit 1) l on true
        where f.created_at >= ${since.toISOString()}::timestamptz
        group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
  )
  return list.map((r) => ({
    feature: r.feature ?? 'gateway',
    provider: r.provider ?? 'unknown',
    model: r.model ?? 'unknown',
    modelVersion: r.model_version,
    up: Number(r.up),
    down: Number(r.down),
    comments: Number(r.comments),
  }))
}

/** Whether an AI answer (by request id) belongs to the user; `ai_log` is not readable to users, so run as the owner. */
export async function ownsAiAnswer(
  db: Executor,
  requestId: string,
  userId: string,
): Promise<{ feature: string | null } | undefined> {
  const [row] = await rows<{ feature: string | null }>(
    db,
    sql`select feature from ai_log where request_id = ${requestId} and user_id = ${userId} order by created_at limit 1`,
  )
  return row
}

// ---- levers ----------------------------------------------------------------------------------

export type LeverRow = typeof growthLevers.$inferSelect

/** The user's levers that are neither archived nor replaced: the set a new one replaces. */
export async function listActiveLevers(db: Executor, userId: string): Promise<LeverRow[]> {
  return db
    .select()
    .from(growthLevers)
    .where(and(eq(growthLevers.userId, userId), isNull(growthLevers.archivedAt)))
    .orderBy(desc(growthLevers.createdAt), asc(growthLevers.position))
}

/** Archive every active lever of the user created before `before` (a newer set replaced them). */
export async function archiveLevers(db: Executor, userId: string, before: Date, now = new Date()): Promise<void> {
  await db
    .update(growthLevers)
    .set({ archivedAt: now })
    .where(and(eq(growthLevers.userId, userId), isNull(growthLevers.archivedAt), lt(growthLevers.createdAt, before)))
}

/** Archived levers with progress whose key is not in the current set, newest first (at most `limit`). */
export async function listArchivedLevers(
  db: Executor,
  userId: string,
  currentKeys: string[],
  limit = 10,
): Promise<LeverRow[]> {
  const list = await db
    .select()
    .from(growthLevers)
    .where(and(eq(growthLevers.userId, userId), isNotNull(growthLevers.archivedAt), sql`${growthLevers.progress} > 0`))
    .orderBy(desc(growthLevers.archivedAt), asc(growthLevers.position))
    .limit(limit * 4)
  const seen = new Set(currentKeys)
  const out: LeverRow[] = []
  for (const row of list) {
    const key = row.leverKey ?? row.id
    if (seen.has(key)) continue
    seen.add(key)
    out.push(row)
    if (out.length >= limit) break
  }
  return out
}

// ---- one submission --------------------------------------------------------------------------

export type SubmissionRow = typeof assessmentSubmissions.$inferSelect

/** A submission of this user and type by id, and their submission of the same type just before it. Run under `asUser`. */
export async function getSubmissionWithPrevious(
  tx: Executor,
  userId: string,
  type: string,
  id: string,
): Promise<{ submission: SubmissionRow; previous: SubmissionRow | null } | undefined> {
  const [submission] = await tx
    .select()
    .from(assessmentSubmissions)
    .where(
      and(
        eq(assessmentSubmissions.id, id),
        eq(assessmentSubmissions.userId, userId),
        eq(assessmentSubmissions.type, type),
      ),
    )
    .limit(1)
  if (!submission) return undefined
  const [previous] = await tx
    .select()
    .from(assessmentSubmissions)
    .where(
      and(
        eq(assessmentSubmissions.userId, userId),
        eq(assessmentSubmissions.type, type),
        sql`(${assessmentSubmissions.createdAt}, ${assessmentSubmissions.id}) < (${submission.createdAt.toISOString()}::timestamptz, ${submission.id}::uuid)`,
      ),
    )
    .orderBy(desc(assessmentSubmissions.createdAt), desc(assessmentSubmissions.id))
    .limit(1)
  return { submission, previous: previous ?? null }
}
