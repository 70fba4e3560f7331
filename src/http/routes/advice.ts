import {
  answerFeedback,
  answerFeedbackBody,
  answerFeedbackParams,
  funnelResponse,
  satisfactionResponse,
  windowQuery,
} from '../../contracts/advice.ts'
import { errorResponse } from '../../contracts/common.ts'
import { assessmentFunnel, satisfactionReport } from '../../app/admin/satisfaction-and-funnel.ts'
import { rateAnswer } from '../../app/insights/answer-feedback.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

const security = [{ bearer: [] }]
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse }

/**
 * Measured satisfaction and completion: feedback on any AI answer (by its request id), and for
 * admins satisfaction per feature, provider, model and model version, and the assessment funnel.
 */
export const adviceRoutes: RouteModule = (app, { db, hooks }) => {
  app.post(
    '/api/ai/answers/:requestId/feedback',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['ai'],
        security,
        summary: 'Thumbs up or down (and an optional comment) on any AI answer of mine, by its requestId',
        params: answerFeedbackParams,
        body: answerFeedbackBody,
        response: { 200: answerFeedback, ...errors },
      },
    },
    async (request) => {
      const { claims } = principalOf(request)
      return rateAnswer(db, claims, request.params.requestId, request.body)
    },
  )

  app.get(
    '/api/admin/satisfaction',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        tags: ['admin'],
        security,
        summary: 'Satisfaction with AI answers per feature, and per provider, model and model version',
        querystring: windowQuery,
        response: { 200: satisfactionResponse, ...errors },
      },
    },
    async (request) => satisfactionReport(db, { days: request.query.days }),
  )

  app.get(
    '/api/admin/funnel',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        tags: ['admin'],
        security,
        summary: 'The assessment funnel per assessment: started, completed, abandoned, median time to complete',
        querystring: windowQuery,
        response: { 200: funnelResponse, ...errors },
      },
    },
    async (request) => assessmentFunnel(db, { days: request.query.days }),
  )
}
