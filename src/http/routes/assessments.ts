import {
  assessmentCatalogueResponse,
  assessmentHistory,
  assessmentQuestions,
  assessmentTypeParam,
  growthAssessmentBody,
  growthAssessmentResult,
  historyQuery,
  scoresResponse,
  submissionResult,
  submitAssessmentBody,
} from '../../contracts/assessments.ts'
import { submissionBreakdown, submissionParams } from '../../contracts/advice.ts'
import { errorResponse } from '../../contracts/common.ts'
import { noteAssessmentCompleted, noteAssessmentStarted } from '../../app/assessments/attempts.ts'
import { explainSubmission } from '../../app/assessments/submission-breakdown.ts'
import { bracketLabel } from '../../domain/assessments/breakdown.ts'
import type { ProfileRow } from '../../data/repositories/profiles.ts'
import { getProfile } from '../../data/repositories/profiles.ts'
import {
  componentScores,
  listSubmissions,
  lockProfile,
  profileFields,
  readProfileVersion,
  recordGrowthAssessment,
  recordSubmission,
} from '../../data/repositories/assessments.ts'
import type { Executor } from '../../data/db.ts'
import { validateAnswers } from '../../domain/assessments/answers.ts'
import { bracketFor, bracketForProfile } from '../../domain/assessments/brackets.ts'
import type { AssessmentCatalogue } from '../../domain/assessments/assessment-configs.ts'
import type { AssessmentConfig, BracketKey } from '../../domain/assessments/config-schema.ts'
import { scoreGrowthAssessment } from '../../domain/assessments/growth.ts'
import { retakeAvailableAt } from '../../domain/assessments/retake.ts'
import { scoreAnswers } from '../../domain/assessments/scoring.ts'
import { DEEP_ASSESSMENT_TYPES } from '../../domain/assessments/types.ts'
import { ConflictError, NotFoundError, OptimaliqError, ValidationError } from '../../errors.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

const security = [{ bearer: [] }]
/** Optimistic submission attempts before falling back to the row lock. */
const OPTIMISTIC_ATTEMPTS = 2
const errors = { 400: errorResponse, 401: errorResponse, 404: errorResponse }
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null)

function configOf(catalogue: AssessmentCatalogue, type: string): AssessmentConfig {
  const config = catalogue.get(type)
  if (!config) {
    throw new OptimaliqError('unknown_assessment', `There is no assessment "${type.slice(0, 64)}"`, {
      status: 404,
      details: { available: catalogue.configs.map((c) => c.type) },
    })
  }
  return config
}

function summaryOf(config: AssessmentConfig, profile: ProfileRow, retakeDays: number, now: Date) {
  const fields = profileFields(config.type)
  const bracketKey = bracketForProfile(profile)
  const opens = retakeAvailableAt(profile[fields.lastTaken], retakeDays)
  return {
    type: config.type,
    title: config.title,
    description: config.description,
    version: config.version,
    bracketKey,
    questionCount: config.brackets[bracketKey].groups.reduce((n, g) => n + g.questions.length, 0),
    score: profile[fields.score],
    lastTaken: iso(profile[fields.lastTaken]),
    retakeAvailableAt: opens && opens > now ? opens.toISOString() : null,
  }
}

function publicGroups(config: AssessmentConfig, bracket: BracketKey) {
  return config.brackets[bracket].groups.map((g) => ({
    key: g.key,
    title: g.title,
    ...(g.description ? { description: g.description } : {}),
    questions: g.questions.map((q) => ({
      key: q.key,
      type: q.type,
      prompt: q.prompt,
      ...(q.help ? { help: q.help } : {}),
      required: q.required,
      ...(q.maxSelections !== undefined ? { maxSelections: q.maxSelections } : {}),
      ...(q.type === 'text_area' ? { maxLength: 1000 } : {}),
      ...(q.options ? { options: q.options.map((o) => ({ value: o.value, label: o.label })) } : {}),
    })),
  }))
}

/**
 * The assessments: catalogue, the question set of the caller's bracket, submission (scored and
 * recorded in one transaction, retakes enforced), history, current scores and the growth funnel.
 * Reads run under RLS as the caller; score writes run as the owner with the profile row locked.
 */
export const assessmentRoutes: RouteModule = (app, { db, hooks, config, assessments }) => {
  const { catalogue, overallWeights } = assessments
  const { retakeDays } = config.assessments

  async function profileOf(request: Parameters<typeof principalOf>[0]): Promise<ProfileRow> {
    const { user, claims } = principalOf(request)
    const profile = await db.asUser(claims, (tx) => getProfile(tx, user.id))
    if (!profile) throw new NotFoundError('Profile')
    return profile
  }

  app.get(
    '/api/assessments',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['assessments'],
        summary: 'The assessments, with your score, last take and next retake',
        security,
        response: { 200: assessmentCatalogueResponse, ...errors },
      },
    },
    async (request) => {
      const profile = await profileOf(request)
      const now = new Date()
      return {
        assessments: catalogue.configs.map((c) => summaryOf(c, profile, retakeDays, now)),
        growth: {
          baseScore: profile.baseScore,
          strategyScore: profile.strategyScore,
          processScore: profile.processScore,
          technologyScore: profile.technologyScore,
          lastTaken: iso(profile.growthLastTaken),
        },
        overallScore: profile.overallScore,
      }
    },
  )

  app.get(
    '/api/assessments/:type',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['assessments'],
        summary: 'The questions of your bracket, groups in order',
        security,
        params: assessmentTypeParam,
        response: { 200: assessmentQuestions, ...errors },
      },
    },
    async (request) => {
      const assessment = configOf(catalogue, request.params.type)
      const profile = await profileOf(request)
      const summary = summaryOf(assessment, profile, retakeDays, new Date())
      // The funnel's "started": served the questions (one open attempt per user and assessment).
      await noteAssessmentStarted(db, profile.userId, assessment.type, request.log)
      return { ...summary, groups: publicGroups(assessment, summary.bracketKey) }
    },
  )

  app.post(
    '/api/assessments/:type',
    {
      onRequest: hooks.requireUser,
      // An unknown assessment is a 404 even when the body is malformed too.
      preValidation: async (request) => void configOf(catalogue, (request.params as { type: string }).type),
      schema: {
        tags: ['assessments'],
        summary: 'Submit your answers',
        security,
        params: assessmentTypeParam,
        body: submitAssessmentBody,
        response: { 201: submissionResult, 409: errorResponse, ...errors },
      },
    },
    async (request, reply) => {
      const assessment = configOf(catalogue, request.params.type)
      const { user } = principalOf(request)

      /** Check the retake window, validate, score, and write — or throw, having written nothing. */
      const submit = async (executor: Executor, profile: ProfileRow, ifVersion?: string) => {
        const now = new Date()
        const opens = retakeAvailableAt(profile[profileFields(assessment.type).lastTaken], retakeDays)
        if (opens && opens > now) {
          throw new ConflictError('retake_too_soon', `You can retake this assessment from ${opens.toISOString()}`, {
            retakeAvailableAt: opens.toISOString(),
          })
        }
        const bracketServed = bracketForProfile(profile)
        if (request.body.bracketKey !== undefined && request.body.bracketKey !== bracketServed) {
          throw new ConflictError(
            'bracket_changed',
            `Your questions are now those of ${bracketServed}: fetch them again`,
            { bracketKey: bracketServed },
          )
        }
        const set = assessment.brackets[bracketServed]
        const check = validateAnswers(set, request.body.answers)
        if (!check.ok) throw new ValidationError(check.issues.map((i) => ({ ...i, field: `body.${i.field}` })))
        const score = scoreAnswers(set, check.answers)
        const input = {
          userId: user.id,
          type: assessment.type,
          bracketServed,
          answers: check.answers,
          score,
          bracketKey: bracketFor(score),
        }
        const recorded = await recordSubmission(executor, profile, input, {
          weights: overallWeights,
          now,
          ...(ifVersion === undefined ? {} : { ifVersion }),
        })
        return (
          recorded && {
            id: recorded.id,
            type: assessment.type,
            score,
            bracketKey: input.bracketKey,
            bracketLabel: bracketLabel(input.bracketKey),
            overallScore: recorded.overallScore,
            takenAt: recorded.takenAt.toISOString(),
          }
        )
      }

      // Fast path: read the profile, then one statement that writes only if the profile is
      // unchanged. A concurrent submission makes it write nothing; we re-read and decide again
      // (usually: the retake window is now closed → 409).
      for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
        const current = await readProfileVersion(db.orm, user.id)
        if (!current) throw new NotFoundError('Profile')
        const result = await submit(db.orm, current.profile, current.version)
        if (result) {
          await noteAssessmentCompleted(db, user.id, assessment.type, result.id, request.log)
          return reply.code(201).send(result)
        }
      }
      // Contended: take the row lock, so this one cannot lose again.
      const result = await db.transaction(async (tx) => {
        const profile = await lockProfile(tx, user.id)
        if (!profile) throw new NotFoundError('Profile')
        return submit(tx, profile)
      })
      await noteAssessmentCompleted(db, user.id, assessment.type, result!.id, request.log)
      return reply.code(201).send(result!)
    },
  )

  app.get(
    '/api/assessments/:type/history',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['assessments'],
        summary: 'Your submissions of one assessment, newest first',
        security,
        params: assessmentTypeParam,
        querystring: historyQuery,
        response: { 200: assessmentHistory, ...errors },
      },
    },
    async (request) => {
      const assessment = configOf(catalogue, request.params.type)
      const { user, claims } = principalOf(request)
      const rows = await db.asUser(claims, (tx) =>
        listSubmissions(tx, user.id, assessment.type, { limit: request.query.limit }),
      )
      return {
        type: assessment.type,
        submissions: rows.map((r) => ({
          id: r.id,
          score: r.score,
          bracketKey: r.bracketKey as BracketKey,
          bracketLabel: bracketLabel(r.bracketKey as BracketKey),
          bracketServed: r.bracketServed as BracketKey,
          baseScoreAtTime: r.baseScoreAtTime,
          answers: r.answers,
          takenAt: r.createdAt.toISOString(),
        })),
      }
    },
  )

  app.get(
    '/api/assessments/:type/submissions/:id',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['assessments'],
        summary:
          'One of your submissions explained: group sub-scores, each answer with its contribution, the bracket, the formula in words, the previous submission',
        security,
        params: submissionParams,
        response: { 200: submissionBreakdown, ...errors },
      },
    },
    async (request) => {
      const assessment = configOf(catalogue, request.params.type)
      const { claims } = principalOf(request)
      return explainSubmission(db, catalogue, claims, assessment.type, request.params.id)
    },
  )

  app.get(
    '/api/scores',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['assessments'],
        summary: 'All your current scores, base and overall',
        security,
        response: { 200: scoresResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request) => {
      const profile = await profileOf(request)
      const scores = componentScores(profile)
      return {
        overallScore: profile.overallScore,
        baseScore: profile.baseScore,
        strategyScore: profile.strategyScore,
        processScore: profile.processScore,
        technologyScore: profile.technologyScore,
        growthLastTaken: iso(profile.growthLastTaken),
        assessments: Object.fromEntries(
          DEEP_ASSESSMENT_TYPES.map((t) => [
            t,
            { score: scores[t], lastTaken: iso(profile[profileFields(t).lastTaken]) },
          ]),
        ) as Record<(typeof DEEP_ASSESSMENT_TYPES)[number], { score: number | null; lastTaken: string | null }>,
      }
    },
  )

  app.post(
    '/api/growth-assessment',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['assessments'],
        summary: 'Take the growth assessment: stored, scored (strategy, process, technology, base)',
        security,
        body: growthAssessmentBody,
        response: { 201: growthAssessmentResult, ...errors },
      },
    },
    async (request, reply) => {
      const { user } = principalOf(request)
      const scores = scoreGrowthAssessment(request.body)
      const result = await db.transaction(async (tx) => {
        const profile = await lockProfile(tx, user.id)
        if (!profile) throw new NotFoundError('Profile')
        return recordGrowthAssessment(
          tx,
          profile,
          { userId: user.id, answers: request.body, scores },
          overallWeights,
          new Date(),
        )
      })
      return reply.code(201).send({
        id: result.id,
        strategyScore: scores.strategy,
        processScore: scores.process,
        technologyScore: scores.technology,
        baseScore: scores.base,
        overallScore: result.overallScore,
        takenAt: result.takenAt.toISOString(),
      })
    },
  )
}
