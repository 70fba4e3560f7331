import { getSubmissionWithProfile, upsertAssessmentAnalysis } from '../../data/repositories/ai-products.ts'
import { toSnapshot } from '../../data/repositories/feature-scores.ts'
import { SCORE_AREAS, type ScoreArea } from '../../domain/growth/scores.ts'
import { OptimaliqError } from '../../errors.ts'
import { assessmentAnalysis, type AssessmentAnalysisOutput } from '../../features/assessment-analysis.ts'
import { runFeature } from '../../features/run.ts'
import type { AiCaller } from '../../gateway/types.ts'
import type { FeatureDeps } from '../deps.ts'

/**
 * Analyse one submission with the `assessment_analysis` feature and store the result with its
 * `ai.processed` event in one statement. Idempotent: a retried task replaces the same row.
 * The queue's `assessment_analysis` handler calls this with the submission id.
 */
export async function analyzeSubmission(
  deps: FeatureDeps,
  submissionId: string,
  caller: AiCaller,
  options: { taskId?: string | undefined; ownerId?: string | undefined } = {},
): Promise<
  AssessmentAnalysisOutput & {
    provider: string
    requestId: string
    type: ScoreArea
    score: number
    areaScores: Partial<Record<ScoreArea, number | null>>
  }
> {
  const found = await getSubmissionWithProfile(deps.db.orm, submissionId)
  const submission = found?.submission
  if (
    !submission ||
    !(SCORE_AREAS as readonly string[]).includes(submission.type) ||
    (options.ownerId !== undefined && submission.userId !== options.ownerId)
  )
    throw new OptimaliqError('submission_not_found', 'Submission not found', { status: 404 })
  const snapshot = found.profile ? toSnapshot(found.profile) : undefined
  const { object, meta } = await runFeature(
    deps.ai,
    assessmentAnalysis,
    {
      type: submission.type as ScoreArea,
      score: submission.score,
      bracket: submission.bracketKey,
      answers: submission.answers,
      overall: snapshot?.scores.overall ?? null,
      context: snapshot?.context ?? {},
    },
    { ...caller, userId: submission.userId },
  )
  await upsertAssessmentAnalysis(
    deps.db.orm,
    {
      submissionId,
      userId: submission.userId,
      content: { ...object, requestId: meta.requestId },
      provider: meta.provider,
    },
    [
      {
        type: 'ai.processed',
        userId: submission.userId,
        payload: {
          feature: assessmentAnalysis.name,
          requestId: meta.requestId,
          provider: meta.provider,
          ...(options.taskId ? { taskId: options.taskId } : {}),
        },
      },
    ],
  )
  return {
    ...object,
    provider: meta.provider,
    requestId: meta.requestId,
    type: submission.type as ScoreArea,
    score: submission.score,
    areaScores: snapshot?.scores.areas ?? {},
  }
}
