import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { errorResponse } from '../../contracts/common.ts'
import { routeDefinition, routeNameParam, routeView } from '../../contracts/routing.ts'
import { deleteRoute, getRoute, listRoutes, putRoute, type Actor } from '../../app/admin/routes.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse }
const admin = { tags: ['admin'], security: [{ bearer: [] }] }

const actorOf = (request: FastifyRequest): Actor => {
  const { claims, user } = principalOf(request)
  return { claims, userId: user.id }
}

/** Gateway routes and their strategies (ordered, weighted, cost, latency, rules): admins only, audited. */
export const adminRoutingRoutes: RouteModule = (app, { db, ai, hooks }) => {
  const deps = { db, ai }
  app.get(
    '/api/admin/routes',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'List gateway routes (admin-stored, config file, default)',
        response: { 200: z.object({ routes: z.array(routeView) }), ...errors },
      },
    },
    async (request) => ({ routes: await listRoutes(deps, actorOf(request)) }),
  )

  app.get(
    '/api/admin/routes/:name',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'One gateway route',
        params: routeNameParam,
        response: { 200: routeView, ...errors },
      },
    },
    async (request) => getRoute(deps, actorOf(request), request.params.name),
  )

  app.put(
    '/api/admin/routes/:name',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'Create or replace a gateway route (every process picks it up within AI_ROUTES_POLL_MS)',
        params: routeNameParam,
        body: routeDefinition,
        response: { 200: routeView, ...errors },
      },
    },
    async (request) => putRoute(deps, actorOf(request), request.params.name, request.body),
  )

  app.delete(
    '/api/admin/routes/:name',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'Delete a stored route (the config file’s route of that name serves again)',
        params: routeNameParam,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await deleteRoute(deps, actorOf(request), request.params.name)
      return reply.code(204).send(null)
    },
  )
}
