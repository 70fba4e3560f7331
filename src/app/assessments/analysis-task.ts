import type { Logger } from 'pino'
import type { EventHub } from '../../events/hub.ts'
import { analyzeAssessment, assessmentAnalysisInput } from '../../domain/growth/area-summary.ts'
import { SCORE_AREAS, clampScore, type ScoreArea } from '../../domain/growth/scores.ts'
import { assessmentAnalysis } from '../../features/assessment-analysis.ts'
import { runFeature } from '../../features/run.ts'
import type { FeatureDeps } from '../deps.ts'
import type { TaskService } from '../tasks/task-service.ts'
import { analyzeSubmission } from './analyze-submission.ts'

/**
 * The queued `assessment_analysis` task: the AI feature's analysis of a submission (the
 * deterministic summary of weakest and strongest areas stays beside it, and answers alone for
 * area names outside the catalogue).
 */
export function defineAssessmentAnalysisTask(tasks: Pick<TaskService, 'define'>, deps: FeatureDeps) {
  tasks.define({
    type: 'assessment_analysis',
    input: assessmentAnalysisInput,
    async run(input, context) {
      const caller = { userId: context.userId, tier: context.tier }
      if (input.submissionId) {
        const { type, score, areaScores, ...analysis } = await analyzeSubmission(deps, input.submissionId, caller, {
          taskId: context.taskId,
          ownerId: context.userId,
        })
        // The deterministic summary (weakest and strongest areas) stays beside the AI analysis.
        const scores = Object.fromEntries(
          Object.entries({ ...areaScores, [type]: score }).filter(
            (e): e is [string, number] => typeof e[1] === 'number',
          ),
        )
        const { assessmentType, averageScore, weakestAreas, strongestArea } = analyzeAssessment({
          assessmentType: type,
          scores,
        })
        return {
          submissionId: input.submissionId,
          assessmentType,
          averageScore,
          weakestAreas,
          strongestArea,
          ...analysis,
        }
      }
      const type = input.assessmentType!
      const scores = input.scores!
      if (!(SCORE_AREAS as readonly string[]).includes(type)) return analyzeAssessment({ assessmentType: type, scores })
      const values = Object.values(scores)
      const score = clampScore(scores[type] ?? values.reduce((a, b) => a + b, 0) / values.length)
      const { object, meta } = await runFeature(
        deps.ai,
        assessmentAnalysis,
        { type: type as ScoreArea, score, answers: {}, overall: null, context: {} },
        caller,
      )
      return { assessmentType: type, ...object, provider: meta.provider, requestId: meta.requestId }
    },
  })
}

/**
 * After every `assessment.completed`, queue its analysis. Every process sees the event; the
 * idempotency key (one per submission) makes the task exist once.
 */
export function analyzeCompletedAssessments(
  events: Pick<EventHub, 'subscribe'>,
  tasks: Pick<TaskService, 'submit'>,
  logger: Pick<Logger, 'warn'>,
) {
  return events.subscribe('assessment.completed', async (event) => {
    if (!event.userId) return
    const submissionId = String(event.payload.submissionId)
    try {
      await tasks.submit(event.userId, {
        type: 'assessment_analysis',
        input: { submissionId },
        idempotencyKey: `analysis:${submissionId}`,
      })
    } catch (error) {
      logger.warn({ err: error, submissionId }, 'could not queue the assessment analysis')
    }
  })
}
