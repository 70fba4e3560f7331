import { createHash, randomBytes } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { Logger } from 'pino'
import type { Claims, Database } from '../../data/db.ts'
import {
  findActiveKeyByHash,
  findActiveKeyById,
  findApiKey,
  insertApiKey,
  keyUsageByPeriod,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
  touchApiKey,
  userKeyOverrides,
  type ApiKeyRow,
} from '../../data/repositories/api-keys.ts'
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '../../errors.ts'
import type { Tier } from '../../contracts/common.ts'
import {
  DEFAULT_ROTATION_GRACE_SECONDS,
  type ApiKeyView,
  type CreateApiKeyBody,
  type KeySettings,
} from '../../contracts/api-keys.ts'
import { periodEnd, periodStart, type WallClock } from '../budgets/periods.ts'
import { effectiveKeySettings, keyStatus, parseKeySettings } from './policy.ts'

/** Who a valid API key belongs to, and the settings in force for it (scopes, allowlist, limits, budgets). */
export type ApiKeyPrincipal = {
  keyId: string
  userId: string
  role: 'user' | 'admin'
  tier: Tier
  settings: KeySettings
}

export type { ApiKeyView }

export const API_KEY_PREFIX = 'oq_'

/** SHA-256 of a key: the only form stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`
}

export type ApiKeyService = {
  create(claims: Claims, body: CreateApiKeyBody): Promise<ApiKeyView & { key: string }>
  list(claims: Claims): Promise<ApiKeyView[]>
  /** Every key of `userId`, read as `claims` (the owner, or an admin). */
  listOf(claims: Claims, userId: string): Promise<ApiKeyView[]>
  revoke(claims: Claims, id: string): Promise<ApiKeyView>
  /** A new secret; the old one keeps working for `graceSeconds` (default 24 h). */
  rotate(claims: Claims, id: string, graceSeconds?: number): Promise<ApiKeyView & { key: string }>
  /** The principal of a key, or UnauthorizedError (unknown, revoked, expired, or a rotated secret past its grace). */
  authenticate(key: string): Promise<ApiKeyPrincipal>
  /** The settings in force for a live key (the key guard's limits and budgets), undefined when it is gone. */
  settingsOf(keyId: string): Promise<KeySettings | undefined>
  /** Drop cached keys of a user or one key (a revocation or a change, from any process). */
  forget(filter: { userId?: string; keyId?: string }): void
}

/** A cached key: its principal, and the instants (ms) at which this secret stops working. */
type Entry = { principal: ApiKeyPrincipal; expiresAt: number | undefined; graceEnd: number | undefined }

/**
 * API keys for `/v1`: `oq_…` shown once at creation (and at each rotation), stored as a SHA-256
 * hash. Lookups are cached for `cacheMs`, never past the key's expiry or a rotated secret's grace:
 * each use checks both against the clock, and a cached entry lives at most until the earlier.
 * A revocation or change in another process takes effect when its event arrives (or `cacheMs`).
 */
export function createApiKeyService(options: {
  db: Database
  logger?: Logger | undefined
  cacheMs?: number | undefined
  clock?: WallClock | undefined
}): ApiKeyService {
  const { db } = options
  const clock = options.clock ?? (() => new Date())
  const cacheMs = options.cacheMs ?? 30_000
  const cache = new LRUCache<string, Entry>({ max: 10_000, ttl: cacheMs })
  const byId = new LRUCache<string, ApiKeyPrincipal>({ max: 10_000, ttl: cacheMs })
  const touched = new LRUCache<string, true>({ max: 10_000, ttl: 60_000 })

  /**
   * Views of rows of one user (already read under RLS), with usage (today, this month) and budget
   * standing. Read as the server outside the caller's transaction (PGlite has one connection; the
   * rollup is server-side), scoped to those rows' keys and owner.
   */
  async function views(userId: string, rows: ApiKeyRow[]): Promise<ApiKeyView[]> {
    const now = clock()
    const dayStart = periodStart('daily', now)
    const monthStart = periodStart('monthly', now)
    const userOverride = parseKeySettings(await userKeyOverrides(db.orm, userId))
    const usage = await keyUsageByPeriod(db.orm, { keyIds: rows.map((r) => r.id), dayStart, monthStart })
    return rows.map((row) => {
      const settings = parseKeySettings(row.settings)
      const keyOverride = parseKeySettings(row.adminSettings)
      const effective = effectiveKeySettings({ owner: settings, user: userOverride, key: keyOverride })
      const used = usage.get(row.id) ?? {
        today: { requests: 0, tokens: 0, costUsd: 0 },
        month: { requests: 0, tokens: 0, costUsd: 0 },
      }
      const standing = (limitUsd: number | undefined, spentUsd: number, period: 'daily' | 'monthly') =>
        limitUsd === undefined
          ? null
          : {
              limitUsd,
              spentUsd: round(spentUsd),
              remainingUsd: round(Math.max(0, limitUsd - spentUsd)),
              resetAt: periodEnd(period, now).toISOString(),
            }
      return {
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        createdAt: row.createdAt.toISOString(),
        lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
        revokedAt: row.revokedAt?.toISOString() ?? null,
        expiresAt: row.expiresAt?.toISOString() ?? null,
        rotatedAt: row.rotatedAt?.toISOString() ?? null,
        previousKeyExpiresAt:
          row.previousKeyExpiresAt && row.previousKeyExpiresAt.getTime() > now.getTime()
            ? row.previousKeyExpiresAt.toISOString()
            : null,
        status: keyStatus(row, now),
        settings,
        overrides: { key: keyOverride, user: userOverride },
        effective,
        usage: { today: used.today, month: used.month },
        budgets: {
          daily: standing(effective.budgets?.dailyUsd, used.today.costUsd, 'daily'),
          monthly: standing(effective.budgets?.monthlyUsd, used.month.costUsd, 'monthly'),
        },
      }
    })
  }

  const viewOne = async (row: ApiKeyRow) => (await views(row.userId, [row]))[0]!

  function forgetKey(keyId: string) {
    byId.delete(keyId)
    for (const [hash, entry] of cache.entries()) if (entry.principal.keyId === keyId) cache.delete(hash)
  }

  return {
    async create(claims, body) {
      const { name, expiresAt, ...settings } = body
      const expires = expiresAt === undefined ? null : new Date(expiresAt)
      if (expires && expires.getTime() <= clock().getTime())
        throw new ValidationError([{ field: 'expiresAt', message: 'must be in the future', code: 'too_small' }])
      const key = generateApiKey()
      const row = await db.asUser(claims, (tx) =>
        insertApiKey(tx, {
          userId: claims.sub,
          name,
          prefix: key.slice(0, 10),
          keyHash: hashApiKey(key),
          settings,
          expiresAt: expires,
        }),
      )
      return { ...(await viewOne(row)), key }
    },
    async list(claims) {
      return views(claims.sub, await db.asUser(claims, (tx) => listApiKeys(tx, claims.sub)))
    },
    async listOf(claims, userId) {
      return views(userId, await db.asUser(claims, (tx) => listApiKeys(tx, userId)))
    },
    async revoke(claims, id) {
      const row = await db.asUser(claims, (tx) => revokeApiKey(tx, claims.sub, id))
      if (!row) throw new NotFoundError('API key')
      forgetKey(row.id)
      return viewOne(row)
    },
    async rotate(claims, id, graceSeconds = DEFAULT_ROTATION_GRACE_SECONDS) {
      const now = clock()
      const key = generateApiKey()
      const row = await db.asUser(claims, async (tx) => {
        const existing = await findApiKey(tx, id)
        if (!existing || existing.userId !== claims.sub) throw new NotFoundError('API key')
        if (existing.revokedAt) throw new ConflictError('api_key_revoked', 'A revoked API key cannot be rotated')
        if (existing.expiresAt && existing.expiresAt.getTime() <= now.getTime())
          throw new ConflictError('api_key_expired', 'An expired API key cannot be rotated: create a new one')
        const row = await rotateApiKey(tx, {
          userId: claims.sub,
          id,
          keyHash: hashApiKey(key),
          prefix: key.slice(0, 10),
          now,
          previousExpiresAt: new Date(now.getTime() + graceSeconds * 1000),
        })
        if (!row) throw new NotFoundError('API key')
        return row
      })
      // The old secret's cached entry knew no grace end: it is read again on its next use.
      forgetKey(id)
      return { ...(await viewOne(row)), key }
    },
    async authenticate(key) {
      if (!key.startsWith(API_KEY_PREFIX) || key.length > 200)
        throw new UnauthorizedError('Invalid API key', 'invalid_api_key')
      const hash = hashApiKey(key)
      const now = clock().getTime()
      let entry = cache.get(hash)
      if (!entry) {
        const row = await findActiveKeyByHash(db.orm, hash)
        if (!row) throw new UnauthorizedError('Invalid API key', 'invalid_api_key')
        const principal: ApiKeyPrincipal = {
          keyId: row.id,
          userId: row.userId,
          role: row.role,
          tier: row.tier,
          settings: effectiveKeySettings({
            owner: parseKeySettings(row.settings),
            user: parseKeySettings(row.userSettings),
            key: parseKeySettings(row.adminSettings),
          }),
        }
        entry = {
          principal,
          expiresAt: row.expiresAt?.getTime(),
          // The secret the last rotation replaced works until the end of its grace period.
          graceEnd: row.keyHash === hash ? undefined : (row.previousKeyExpiresAt?.getTime() ?? 0),
        }
        // Cached no longer than the secret works (checked on every use besides).
        const deadline = Math.min(entry.expiresAt ?? Infinity, entry.graceEnd ?? Infinity)
        const ttl = Math.min(cacheMs, deadline - now)
        if (ttl > 0) {
          cache.set(hash, entry, { ttl: Math.ceil(ttl) })
          byId.set(principal.keyId, principal)
        }
      }
      if (entry.expiresAt !== undefined && entry.expiresAt <= now)
        throw new UnauthorizedError(
          `This API key expired at ${new Date(entry.expiresAt).toISOString()}: create a new one`,
          'api_key_expired',
        )
      if (entry.graceEnd !== undefined && entry.graceEnd <= now)
        throw new UnauthorizedError(
          `This API key was rotated; its old secret stopped working at ${new Date(entry.graceEnd).toISOString()}: use the new one`,
          'api_key_rotated',
        )
      const { principal } = entry
      if (!touched.has(principal.keyId)) {
        touched.set(principal.keyId, true)
        touchApiKey(db.orm, principal.keyId).catch((error: unknown) =>
          options.logger?.warn({ err: error }, 'api key last_used_at update failed'),
        )
      }
      return principal
    },
    async settingsOf(keyId) {
      const cached = byId.get(keyId)
      if (cached) return cached.settings
      const row = await findActiveKeyById(db.orm, keyId)
      if (!row) return undefined
      return effectiveKeySettings({
        owner: parseKeySettings(row.settings),
        user: parseKeySettings(row.userSettings),
        key: parseKeySettings(row.adminSettings),
      })
    },
    forget(filter) {
      if (filter.keyId !== undefined) forgetKey(filter.keyId)
      if (filter.userId === undefined) return
      for (const [hash, entry] of cache.entries()) if (entry.principal.userId === filter.userId) cache.delete(hash)
      for (const [id, principal] of byId.entries()) if (principal.userId === filter.userId) byId.delete(id)
    },
  }
}

const round = (n: number) => Math.round(n * 1e6) / 1e6
