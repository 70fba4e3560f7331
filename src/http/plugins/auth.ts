import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AuthService, Principal } from '../../auth/service.ts'
import { ForbiddenError, UnauthorizedError } from '../../errors.ts'

export const SESSION_COOKIE = 'optimaliq_token'

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null
  }
}

/** The bearer token of a request: `Authorization: Bearer …`, else the session cookie. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match) throw new UnauthorizedError('Use the header "Authorization: Bearer <token>"', 'invalid_token')
    return match[1]
  }
  return request.cookies?.[SESSION_COOKIE] || undefined
}

/** Route hooks: `requireUser` for any signed-in caller, `requireAdmin` for admins only. */
export function createAuthHooks(auth: AuthService) {
  async function requireUser(request: FastifyRequest, _reply: FastifyReply) {
    const token = bearerToken(request)
    if (!token) throw new UnauthorizedError()
    request.principal = await auth.authenticate(token)
  }
  async function requireAdmin(request: FastifyRequest, reply: FastifyReply) {
    await requireUser(request, reply)
    if (request.principal?.user.role !== 'admin') throw new ForbiddenError('This endpoint is for administrators')
  }
  return { requireUser, requireAdmin }
}

export type AuthHooks = ReturnType<typeof createAuthHooks>

/** The principal of a route that ran `requireUser`. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError()
  return request.principal
}
