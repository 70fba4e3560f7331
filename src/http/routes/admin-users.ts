import { adminUserList, adminUserPatch, adminUserQuery, user } from '../../contracts/auth.ts'
import { errorResponse, uuidParam } from '../../contracts/common.ts'
import { changeUser, usersFor } from '../../app/admin/users.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

const adminErrors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse }

/** User administration: list accounts, change role and tier (audited). */
export const adminUserRoutes: RouteModule = (app, { db, hooks, auth }) => {
  app.get(
    '/api/admin/users',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'List users',
        security: [{ bearer: [] }],
        querystring: adminUserQuery,
        response: { 200: adminUserList, ...adminErrors },
      },
    },
    async (request) => {
      const { claims, user } = principalOf(request)
      return usersFor(db, { claims, userId: user.id }, request.query)
    },
  )

  app.patch(
    '/api/admin/users/:id',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: "Change a user's role or tier",
        security: [{ bearer: [] }],
        params: uuidParam,
        body: adminUserPatch,
        response: { 200: user, ...adminErrors },
      },
    },
    async (request) => {
      const { claims, user } = principalOf(request)
      return changeUser({ db, auth }, { claims, userId: user.id }, request.params.id, request.body)
    },
  )
}
