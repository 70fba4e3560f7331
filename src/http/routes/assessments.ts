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
import { createAssessmentService } from '../../app/assessments/assessments.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

const security = [{ bearer: [] }]
const errors = { 400: errorResponse, 401: errorResponse, 404: errorResponse }

/** The assessments' HTTP surface; the use cases are in app/assessments/assessments.ts. */
export const assessmentRoutes: RouteModule = (app, { db, hooks, config, assessments }) => {
  const service = createAssessmentService({
    db,
    catalogue: assessments.catalogue,
    overallWeights: assessments.overallWeights,
    retakeDays: config.assessments.retakeDays,
  })

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
    async (request) => service.overview(principalOf(request).claims),
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
    async (request) => service.questions(principalOf(request).claims, request.params.type, request.log),
  )

  app.post(
    '/api/assessments/:type',
    {
      onRequest: hooks.requireUser,
      // An unknown assessment is a 404 even when the body is malformed too.
      preValidation: async (request) => void service.configOf((request.params as { type: string }).type),
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
      const { user } = principalOf(request)
      return reply.code(201).send(await service.submit(user.id, request.params.type, request.body, request.log))
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
    async (request) => service.history(principalOf(request).claims, request.params.type, request.query.limit),
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
    async (request) => service.breakdown(principalOf(request).claims, request.params.type, request.params.id),
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
    async (request) => service.scores(principalOf(request).claims),
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
      return reply.code(201).send(await service.takeGrowthAssessment(user.id, request.body))
    },
  )
}
