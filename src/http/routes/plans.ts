import { z } from 'zod'
import { errorResponse, uuidParam } from '../../contracts/common.ts'
import { plan, planBody, planList } from '../../contracts/plans.ts'
import {
  createStrategyPlan,
  deleteStrategyPlan,
  listStrategyPlans,
  saveStrategyPlan,
} from '../../app/growth-studio/plans.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

const errors = { 400: errorResponse, 401: errorResponse, 404: errorResponse }
const common = { tags: ['growth studio'], security: [{ bearer: [] }] }

/** Saved strategy plans (the web app's planner): list, create, replace, delete — your own only. */
export const planRoutes: RouteModule = (app, { db, hooks }) => {
  app.get(
    '/api/plans',
    {
      onRequest: hooks.requireUser,
      schema: {
        ...common,
        summary: 'Your strategy plans, most recently changed first',
        response: { 200: planList, ...errors },
      },
    },
    async (request) => ({
      plans: await listStrategyPlans({ db }, principalOf(request).claims),
    }),
  )
  app.post(
    '/api/plans',
    {
      onRequest: hooks.requireUser,
      schema: { ...common, summary: 'Save a new strategy plan', body: planBody, response: { 201: plan, ...errors } },
    },
    async (request, reply) =>
      reply.code(201).send(await createStrategyPlan({ db }, principalOf(request).claims, request.body)),
  )
  app.patch(
    '/api/plans/:id',
    {
      onRequest: hooks.requireUser,
      schema: {
        ...common,
        summary: 'Replace a strategy plan (title and items)',
        params: uuidParam,
        body: planBody,
        response: { 200: plan, ...errors },
      },
    },
    async (request) => saveStrategyPlan({ db }, principalOf(request).claims, request.params.id, request.body),
  )
  app.delete(
    '/api/plans/:id',
    {
      onRequest: hooks.requireUser,
      schema: {
        ...common,
        summary: 'Delete a strategy plan',
        params: uuidParam,
        response: { 200: z.object({ deleted: z.literal(true) }), ...errors },
      },
    },
    async (request) => {
      await deleteStrategyPlan({ db }, principalOf(request).claims, request.params.id)
      return { deleted: true as const }
    },
  )
}
