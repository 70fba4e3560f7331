import { exportMyData } from '../../app/account/export.ts'
import { deleteAccount } from '../../app/account/revocation.ts'
import { rateAnswer } from '../../app/insights/answer-feedback.ts'
import { z } from 'zod'
import { errorResponse } from '../../contracts/common.ts'
import { feedback, feedbackBody, feedbackParams, usageStanding } from '../../contracts/governance.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

const errors = { 400: errorResponse, 401: errorResponse, 404: errorResponse }
const me = { tags: ['me'], security: [{ bearer: [] }] }

/** A user's own data (export, deletion), their AI usage standing, and feedback on AI answers. */
export const meDataRoutes: RouteModule = (app, deps) => {
  const { db, hooks, governance } = deps
  app.get(
    '/api/me/export',
    {
      onRequest: hooks.requireUser,
      schema: {
        ...me,
        summary: 'All of my data, table by table, as JSON',
        response: {
          200: z.object({
            exportedAt: z.string(),
            userId: z.string(),
            tables: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { user } = principalOf(request)
      reply.header('content-disposition', `attachment; filename="optimaliq-export-${user.id}.json"`)
      return exportMyData(db, user.id)
    },
  )

  app.delete(
    '/api/me',
    {
      onRequest: hooks.requireUser,
      schema: {
        ...me,
        summary: 'Delete my account and everything of mine',
        response: { 200: z.object({ deleted: z.record(z.string(), z.number()) }), ...errors },
      },
    },
    async (request) => {
      const { user } = principalOf(request)
      return { deleted: await deleteAccount(deps, user.id) }
    },
  )

  app.get(
    '/api/me/ai-usage',
    {
      onRequest: hooks.requireUser,
      schema: {
        ...me,
        summary: 'My AI rate limits and budgets, with what is left',
        response: { 200: usageStanding, ...errors },
      },
    },
    async (request) => {
      const { user } = principalOf(request)
      const caller = { userId: user.id, tier: user.tier }
      const limits = await governance.rateLimits.peek(caller)
      const budgets = (await governance.budgets.standing(caller)).filter((b) => b.scope !== 'global')
      return {
        limits: limits.map((l) => ({ ...l, resetAt: l.resetAt.toISOString() })),
        budgets: budgets.map((b) => ({
          budget: b.budget,
          limitUsd: b.limitUsd,
          spentUsd: b.spentUsd,
          resetAt: b.resetAt.toISOString(),
        })),
      }
    },
  )

  app.post(
    '/api/insights/:requestId/feedback',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['ai'],
        security: [{ bearer: [] }],
        summary: 'Thumbs up or down on an AI answer of mine',
        params: feedbackParams,
        body: feedbackBody,
        response: { 200: feedback, ...errors },
      },
    },
    async (request) => {
      // The older path of POST /api/ai/answers/:requestId/feedback (routes/advice.ts).
      const { claims } = principalOf(request)
      return rateAnswer(db, claims, request.params.requestId, request.body)
    },
  )
}
