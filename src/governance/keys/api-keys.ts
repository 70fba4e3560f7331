import { createHash, randomBytes } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { Logger } from 'pino'
import type { Claims, Database } from '../../data/db.ts'
import {
  findActiveKeyByHash,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
  type ApiKeyRow,
} from '../../data/repositories/api-keys.ts'
import { NotFoundError, UnauthorizedError } from '../../errors.ts'
import type { Tier } from '../../contracts/common.ts'

/** Who a valid API key belongs to. */
export type ApiKeyPrincipal = { keyId: string; userId: string; role: 'user' | 'admin'; tier: Tier }

export type ApiKeyView = {
  id: string
  name: string
  prefix: string
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
}

export const API_KEY_PREFIX = 'oq_'

/** SHA-256 of a key: the only form stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`
}

const view = (row: ApiKeyRow): ApiKeyView => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
})

export type ApiKeyService = {
  create(claims: Claims, name: string): Promise<ApiKeyView & { key: string }>
  list(claims: Claims): Promise<ApiKeyView[]>
  revoke(claims: Claims, id: string): Promise<ApiKeyView>
  /** The principal of a key, or UnauthorizedError. Cached briefly; revocation here clears it at once. */
  authenticate(key: string): Promise<ApiKeyPrincipal>
  /** Drop cached keys of a user or one key (a revocation event from any process). */
  forget(filter: { userId?: string; keyId?: string }): void
}

/**
 * API keys for `/v1`: `oq_…` shown once at creation, stored as a SHA-256 hash. Lookups are
 * cached for `cacheMs` (a revocation in another process takes effect within that time).
 */
export function createApiKeyService(options: {
  db: Database
  logger?: Logger | undefined
  cacheMs?: number | undefined
}): ApiKeyService {
  const { db } = options
  const cache = new LRUCache<string, ApiKeyPrincipal>({ max: 10_000, ttl: options.cacheMs ?? 30_000 })
  const touched = new LRUCache<string, true>({ max: 10_000, ttl: 60_000 })

  return {
    async create(claims, name) {
      const key = generateApiKey()
      const row = await db.asUser(claims, (tx) =>
        insertApiKey(tx, { userId: claims.sub, name, prefix: key.slice(0, 10), keyHash: hashApiKey(key) }),
      )
      return { ...view(row), key }
    },
    async list(claims) {
      return (await db.asUser(claims, (tx) => listApiKeys(tx, claims.sub))).map(view)
    },
    async revoke(claims, id) {
      const row = await db.asUser(claims, (tx) => revokeApiKey(tx, claims.sub, id))
      if (!row) throw new NotFoundError('API key')
      cache.delete(row.keyHash)
      return view(row)
    },
    async authenticate(key) {
      if (!key.startsWith(API_KEY_PREFIX) || key.length > 200)
        throw new UnauthorizedError('Invalid API key', 'invalid_api_key')
      const hash = hashApiKey(key)
      let principal = cache.get(hash)
      if (!principal) {
        const row = await findActiveKeyByHash(db.orm, hash)
        if (!row) throw new UnauthorizedError('Invalid API key', 'invalid_api_key')
        principal = { keyId: row.id, userId: row.userId, role: row.role, tier: row.tier }
        cache.set(hash, principal)
      }
      if (!touched.has(principal.keyId)) {
        touched.set(principal.keyId, true)
        touchApiKey(db.orm, principal.keyId).catch((error: unknown) =>
          options.logger?.warn({ err: error }, 'api key last_used_at update failed'),
        )
      }
      return principal
    },
    forget(filter) {
      for (const [hash, principal] of cache.entries()) {
        if (
          (filter.userId !== undefined && principal.userId === filter.userId) ||
          (filter.keyId !== undefined && principal.keyId === filter.keyId)
        )
          cache.delete(hash)
      }
    },
  }
}
