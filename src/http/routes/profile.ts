import { profile, profilePatch } from '../../contracts/auth.ts'
import { errorResponse } from '../../contracts/common.ts'
import { changeProfile, myProfile } from '../../app/account/profile.ts'
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
    async (request) => myProfile(db, principalOf(request).claims),
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
    async (request) => changeProfile(db, principalOf(request).claims, request.body),
  )
}
