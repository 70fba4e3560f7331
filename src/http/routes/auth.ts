import { z } from 'zod'
import {
  authResponse,
  changePasswordBody,
  changePasswordResponse,
  loginBody,
  signupBody,
  user,
} from '../../contracts/auth.ts'
import { changePassword } from '../../app/account/password.ts'
import { logout } from '../../app/account/revocation.ts'
import { errorResponse } from '../../contracts/common.ts'
import { principalOf, SESSION_COOKIE } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

const errors = { 400: errorResponse, 401: errorResponse, 409: errorResponse, 429: errorResponse }

/** Sign-up, login, logout and the current user. The token is returned and also set as an httpOnly cookie. */
export const authRoutes: RouteModule = (app, deps) => {
  const { auth, hooks, config } = deps
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: config.auth.cookieSecure, path: '/' }

  app.post(
    '/api/auth/signup',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an account',
        body: signupBody,
        response: { 201: authResponse, ...errors },
      },
    },
    async (request, reply) => {
      const session = await auth.signup(request.body, request.ip)
      reply.setCookie(SESSION_COOKIE, session.token, { ...cookieOptions, expires: new Date(session.expiresAt) })
      return reply.code(201).send(session)
    },
  )

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        body: loginBody,
        response: { 200: authResponse, ...errors },
      },
    },
    async (request, reply) => {
      const session = await auth.login(request.body.email, request.body.password, request.ip)
      reply.setCookie(SESSION_COOKIE, session.token, { ...cookieOptions, expires: new Date(session.expiresAt) })
      return session
    },
  )

  app.post(
    '/api/auth/logout',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['auth'],
        summary: 'End this session (the token stops working)',
        security: [{ bearer: [] }],
        response: { 204: z.null(), 401: errorResponse },
      },
    },
    async (request, reply) => {
      await logout(deps, principalOf(request))
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/api/auth/password',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['auth'],
        summary:
          'Change my password (the current one is required); my other sessions end, this one continues with the new token returned',
        security: [{ bearer: [] }],
        body: changePasswordBody,
        response: { 200: changePasswordResponse, ...errors, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const result = await changePassword(deps, principalOf(request), request.body, request.ip)
      reply.setCookie(SESSION_COOKIE, result.token, { ...cookieOptions, expires: new Date(result.expiresAt) })
      return result
    },
  )

  app.get(
    '/api/auth/me',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user',
        security: [{ bearer: [] }],
        response: { 200: z.object({ user }), 401: errorResponse },
      },
    },
    async (request) => ({ user: principalOf(request).user }),
  )
}
