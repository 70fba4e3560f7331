import { adminUserList, adminUserPatch, adminUserQuery, user } from '../../contracts/auth.ts'
import { errorResponse, uuidParam } from '../../contracts/common.ts'
import { listUsers, toUser, updateUserPrivileges } from '../../data/repositories/users.ts'
import { recordAdminAction } from '../../data/repositories/audit.ts'
import { NotFoundError } from '../../errors.ts'
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
    async (request) => db.asUser(principalOf(request).claims, (tx) => listUsers(tx, request.query)),
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
      const { claims, user: actor } = principalOf(request)
      const updated = await db.asUser(claims, async (tx) => {
        const row = await updateUserPrivileges(tx, request.params.id, request.body)
        if (!row) throw new NotFoundError('User')
        await recordAdminAction(tx, { actorId: actor.id, action: 'user.update', target: row.id, details: request.body })
        return toUser(row)
      })
      auth.forget(updated.id)
      return updated
    },
  )
}
