import { LRUCache } from 'lru-cache'
import type { User } from '../contracts/auth.ts'
import type { Claims, Database } from '../data/db.ts'
import { createUser, findPrincipal, findUserByEmail, toUser } from '../data/repositories/users.ts'
import { UnauthorizedError } from '../errors.ts'
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.ts'
import type { AuthThrottle } from './throttle.ts'
import type { TokenService } from './tokens.ts'

/** The signed-in caller of a request. */
export type Principal = { user: User; claims: Claims; token: { jti: string | undefined; expiresAt: Date } }

export type SignupInput = {
  email: string
  password: string
  name?: string | undefined
  industry?: string | undefined
  companySize?: string | undefined
  revenueRange?: string | undefined
}

export type AuthService = ReturnType<typeof createAuthService>

export function claimsOf(user: Pick<User, 'id' | 'role' | 'email' | 'tier'>): Claims {
  return { sub: user.id, role: user.role, email: user.email, tier: user.tier }
}

/**
 * `principalCacheMs`: how long a verified token's principal is reused in this process before the
 * user row and the token's revocation are read again. Logout and admin changes clear this
 * process's entries at once; other processes see them within this time. 0 turns the cache off.
 */
export function createAuthService(deps: {
  db: Database
  tokens: TokenService
  adminEmails: readonly string[]
  principalCacheMs?: number
  throttle?: AuthThrottle
}) {
  const { db, tokens } = deps
  const admins = new Set(deps.adminEmails.map((e) => e.toLowerCase()))
  const ttl = deps.principalCacheMs ?? 0
  const cache = ttl > 0 ? new LRUCache<string, Principal>({ max: 50_000, ttl }) : undefined

  async function issueSession(user: User) {
    const { token, expiresAt, issuedAt } = await tokens.issue(user)
    return { session: { token, expiresAt: expiresAt.toISOString(), user }, issuedAt }
  }
  const session = async (user: User) => (await issueSession(user)).session

  return {
    /** A new session token for a signed-in user, and when it was issued (a password change ends the older ones). */
    issueSession,

    /** Create an account (admin when its email is listed in OPTIMALIQ_ADMIN_EMAILS) and sign it in. */
    async signup(input: SignupInput, address = 'unknown') {
      await deps.throttle?.signup(input.email, address)
      const passwordHash = await hashPassword(input.password)
      const row = await createUser(db.orm, {
        email: input.email,
        passwordHash,
        name: input.name,
        role: admins.has(input.email.trim().toLowerCase()) ? 'admin' : 'user',
        profile: {
          industry: input.industry ?? null,
          companySize: input.companySize ?? null,
          revenueRange: input.revenueRange ?? null,
        },
      })
      return session(toUser(row))
    },

    /** Same error and similar timing whether the email is unknown or the password wrong. */
    async login(email: string, password: string, address = 'unknown') {
      // Counted before the password is checked (throttle.ts): a lock refuses the right one too.
      const ticket = await deps.throttle?.login(email, address)
      const row = await findUserByEmail(db.orm, email)
      const ok = await verifyPassword(password, row?.passwordHash ?? DUMMY_HASH)
      if (!row || !ok) throw new UnauthorizedError('Email or password is incorrect', 'invalid_credentials')
      ticket?.succeeded()
      return session(toUser(row))
    },

    /**
     * Check a signed-in user's current password (before changing it): counted by the same
     * throttle as logins, so a stolen session cannot guess the password any faster than a login can.
     */
    async checkPassword(email: string, password: string, passwordHash: string, address = 'unknown') {
      const ticket = await deps.throttle?.login(email, address)
      const ok = await verifyPassword(password, passwordHash)
      if (ok) ticket?.succeeded()
      return ok
    },

    /** Drop this process's cached principals of a user (revocation events, role/tier changes). Logout: app/account/revocation.ts. */
    forget(userId: string) {
      if (!cache) return
      for (const [key, value] of cache.entries()) if (value.user.id === userId) cache.delete(key)
    },

    /** Verify a bearer token and load its user; Supabase users are provisioned on first sight. */
    async authenticate(token: string): Promise<Principal> {
      const hit = cache?.get(token)
      if (hit && hit.token.expiresAt.getTime() > Date.now()) return hit
      const subject = await tokens.verify(token)
      let found = await findPrincipal(db.orm, subject.userId, subject.jti)
      if (!found && subject.source === 'supabase' && subject.email) {
        const email = subject.email
        await createUser(db.orm, {
          id: subject.userId,
          email,
          passwordHash: null,
          role: admins.has(email.toLowerCase()) ? 'admin' : 'user',
        }).catch(() => undefined)
        found = await findPrincipal(db.orm, subject.userId, subject.jti)
      }
      if (!found) throw new UnauthorizedError('The account behind this token no longer exists', 'invalid_token')
      if (found.revoked) throw new UnauthorizedError('This session has been signed out', 'token_revoked')
      // A password change ends the sessions issued before it.
      if (found.tokensValidAfter && subject.issuedAt && subject.issuedAt < found.tokensValidAfter)
        throw new UnauthorizedError('This session ended when the password was changed', 'token_revoked')
      const principal: Principal = {
        user: found.user,
        claims: claimsOf(found.user),
        token: { jti: subject.jti, expiresAt: subject.expiresAt },
      }
      cache?.set(token, principal)
      return principal
    },
  }
}
