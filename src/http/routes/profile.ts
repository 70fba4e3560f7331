import { profile, profilePatch } from '../../contracts/auth.ts'
import { errorResponse } from '../../contracts/common.ts'
import { getProfile, toProfile, updateBusinessFields } from '../../data/repositories/profiles.ts'
import { NotFoundError } from '../../errors.ts'
import { publish } from '../../events/publish.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

/** The caller's own business profile. Runs under RLS: only the caller's row is reachable. */
export const profileRoutes: RouteModule = (app, { db, hooks }) => {
  app.get(
    '/api/profile',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['profile'],
        summary: 'Your business profile',
        security: [{ bearer: [] }],
        response: { 200: profile, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request) => {
      const { user, claims } = principalOf(request)
      const row = await db.asUser(claims, (tx) => getProfile(tx, user.id))
      if (!row) throw new NotFoundError('Profile')
      return toProfile(row)
    },
  )

  app.patch(
    '/api/profile',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['profile'],
        summary: 'Change your business fields',
        security: [{ bearer: [] }],
        body: profilePatch,
        response: { 200: profile, 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request) => {
      const { user, claims } = principalOf(request)
      const fields = Object.keys(request.body)
      // The event (same transaction) tells the peer graph, dashboards and open tabs that the profile changed.
      const row = await db.asUser(claims, async (tx) => {
        const updated = await updateBusinessFields(tx, user.id, request.body)
        if (updated && fields.length > 0)
          await publish(tx, { type: 'profile.updated', userId: user.id, payload: { fields } })
        return updated
      })
      if (!row) throw new NotFoundError('Profile')
      return toProfile(row)
    },
  )
}
