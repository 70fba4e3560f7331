import { randomUUID } from 'node:crypto'
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose'
import { UnauthorizedError } from '../errors.ts'

/** Our session tokens: HS256 only (pinned), with expiry, issuer and a jti for logout. */
export type TokenClaims = { sub: string; email: string; role: 'user' | 'admin'; tier: string; jti: string; exp: number }

/** Who a verified token names; `source` tells our own tokens from Supabase-issued ones. */
export type TokenSubject = {
  userId: string
  email: string | undefined
  jti: string | undefined
  expiresAt: Date
  /** When it was issued (milliseconds for ours, seconds for Supabase's); undefined without `iat`. */
  issuedAt: Date | undefined
  source: 'optimaliq' | 'supabase'
}

export type TokenService = {
  issue(user: {
    id: string
    email: string
    role: 'user' | 'admin'
    tier: string
  }): Promise<{ token: string; expiresAt: Date; issuedAt: Date }>
  verify(token: string): Promise<TokenSubject>
}

const ISSUER = 'optimaliq'
const ALGORITHMS = ['HS256']
/** Subjects are user ids; anything else (even correctly signed) is not a token of ours. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function createTokenService(options: {
  secret: string
  expiresInSeconds: number
  supabaseSecret?: string | undefined
  now?: () => number
}): TokenService {
  const key = new TextEncoder().encode(options.secret)
  const supabaseKey = options.supabaseSecret ? new TextEncoder().encode(options.supabaseSecret) : undefined
  const now = options.now ?? Date.now

  return {
    async issue(user) {
      const issuedMs = now()
      const issuedAt = Math.floor(issuedMs / 1000)
      const exp = issuedAt + options.expiresInSeconds
      // iat_ms: iat to the millisecond, so a password change ends the sessions issued before it
      // even within the same second (and not the one issued with it).
      const token = await new SignJWT({ email: user.email, role: user.role, tier: user.tier, iat_ms: issuedMs })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(ISSUER)
        .setIssuedAt(issuedAt)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(key)
      return { token, expiresAt: new Date(exp * 1000), issuedAt: new Date(issuedMs) }
    },

    async verify(token) {
      const currentDate = new Date(now())
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ALGORITHMS,
          issuer: ISSUER,
          currentDate,
          requiredClaims: ['sub', 'exp', 'jti'],
        })
        if (!UUID.test(payload.sub!)) throw new UnauthorizedError('The token is invalid', 'invalid_token')
        return {
          userId: payload.sub!,
          email: stringClaim(payload.email),
          jti: payload.jti,
          expiresAt: new Date(payload.exp! * 1000),
          issuedAt:
            typeof payload.iat_ms === 'number'
              ? new Date(payload.iat_ms)
              : payload.iat !== undefined
                ? new Date(payload.iat * 1000)
                : undefined,
          source: 'optimaliq',
        }
      } catch (error) {
        if (
          !supabaseKey ||
          !(
            error instanceof joseErrors.JWSSignatureVerificationFailed ||
            error instanceof joseErrors.JWTClaimValidationFailed
          )
        ) {
          throw toUnauthorized(error)
        }
      }
      try {
        // Supabase signs user tokens with the project's JWT secret, audience "authenticated".
        const { payload } = await jwtVerify(token, supabaseKey, {
          algorithms: ALGORITHMS,
          audience: 'authenticated',
          currentDate,
          requiredClaims: ['sub', 'exp'],
        })
        if (!UUID.test(payload.sub!)) throw new UnauthorizedError('The token is invalid', 'invalid_token')
        return {
          userId: payload.sub!,
          email: stringClaim(payload.email),
          jti: payload.jti ?? stringClaim(payload.session_id),
          expiresAt: new Date(payload.exp! * 1000),
          issuedAt: payload.iat !== undefined ? new Date(payload.iat * 1000) : undefined,
          source: 'supabase',
        }
      } catch (error) {
        throw toUnauthorized(error)
      }
    },
  }
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function toUnauthorized(error: unknown): UnauthorizedError {
  if (error instanceof joseErrors.JWTExpired) return new UnauthorizedError('The token has expired', 'token_expired')
  return new UnauthorizedError('The token is invalid', 'invalid_token')
}
