import { and, desc, eq, gte, inArray, isNotNull, isNull, max, or, sql } from 'drizzle-orm'
import type { Executor } from '../db.ts'
import { aiLog, aiLogKeyDaily, apiKeys, apiKeyUserOverrides, users } from '../schema.ts'

export type ApiKeyRow = typeof apiKeys.$inferSelect

export async function insertApiKey(
  db: Executor,
  values: {
    userId: string
    name: string
    prefix: string
    keyHash: string
    settings?: Record<string, unknown>
    expiresAt?: Date | null
  },
): Promise<ApiKeyRow> {
  const [row] = await db.insert(apiKeys).values(values).returning()
  return row as ApiKeyRow
}

export async function listApiKeys(db: Executor, userId: string): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(desc(apiKeys.createdAt))
}

/** Revoke one of the user's keys; undefined when it is not theirs or does not exist. */
export async function revokeApiKey(db: Executor, userId: string, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId)))
    .returning()
  if (row) return row
  const [existing] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId)))
  return existing
}

/** What authentication needs of a key: the key, its owner's role and tier, and the admin's overrides on the owner. */
const authFields = {
  id: apiKeys.id,
  userId: apiKeys.userId,
  name: apiKeys.name,
  role: users.role,
  tier: users.tier,
  keyHash: apiKeys.keyHash,
  previousKeyHash: apiKeys.previousKeyHash,
  previousKeyExpiresAt: apiKeys.previousKeyExpiresAt,
  expiresAt: apiKeys.expiresAt,
  settings: apiKeys.settings,
  adminSettings: apiKeys.adminSettings,
  userSettings: apiKeyUserOverrides.settings,
}

/** A live (not revoked) key by the hash of its secret or of the secret its last rotation replaced. */
export async function findActiveKeyByHash(db: Executor, keyHash: string) {
  const [row] = await db
    .select(authFields)
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .leftJoin(apiKeyUserOverrides, eq(apiKeyUserOverrides.userId, apiKeys.userId))
    .where(and(or(eq(apiKeys.keyHash, keyHash), eq(apiKeys.previousKeyHash, keyHash)), isNull(apiKeys.revokedAt)))
  return row
}

/** A live key by id, with the same fields as `findActiveKeyByHash`. */
export async function findActiveKeyById(db: Executor, id: string) {
  const [row] = await db
    .select(authFields)
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .leftJoin(apiKeyUserOverrides, eq(apiKeyUserOverrides.userId, apiKeys.userId))
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
  return row
}

/** One key of a user (RLS: their own, or any for an admin). */
export async function findApiKey(db: Executor, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id))
  return row
}

/**
 * A new secret for a live key: the current hash becomes the previous one, accepted until
 * `previousExpiresAt` (a secret replaced earlier stops at once). Undefined when the key is not
 * the user's, or revoked.
 */
export async function rotateApiKey(
  db: Executor,
  q: { userId: string; id: string; keyHash: string; prefix: string; now: Date; previousExpiresAt: Date },
): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .update(apiKeys)
    .set({
      previousKeyHash: sql`${apiKeys.keyHash}`,
      previousKeyExpiresAt: q.previousExpiresAt,
      keyHash: q.keyHash,
      prefix: q.prefix,
      rotatedAt: q.now,
    })
    .where(and(eq(apiKeys.id, q.id), eq(apiKeys.userId, q.userId), isNull(apiKeys.revokedAt)))
    .returning()
  return row
}

/** Replace an admin's overrides on one key (an admin under RLS, or the server). */
export async function setKeyAdminSettings(
  db: Executor,
  id: string,
  settings: Record<string, unknown>,
): Promise<ApiKeyRow | undefined> {
  const [row] = await db.update(apiKeys).set({ adminSettings: settings }).where(eq(apiKeys.id, id)).returning()
  return row
}

/** An admin's overrides for every key of a user ({} when there are none). */
export async function userKeyOverrides(db: Executor, userId: string): Promise<Record<string, unknown>> {
  const [row] = await db
    .select({ settings: apiKeyUserOverrides.settings })
    .from(apiKeyUserOverrides)
    .where(eq(apiKeyUserOverrides.userId, userId))
  return row?.settings ?? {}
}

/** Set (upsert) or, with `settings` undefined, delete the overrides for every key of a user. */
export async function setUserKeyOverrides(
  db: Executor,
  q: { userId: string; settings: Record<string, unknown> | undefined; updatedBy: string },
): Promise<void> {
  if (q.settings === undefined) {
    await db.delete(apiKeyUserOverrides).where(eq(apiKeyUserOverrides.userId, q.userId))
    return
  }
  await db
    .insert(apiKeyUserOverrides)
    .values({ userId: q.userId, settings: q.settings, updatedBy: q.updatedBy, updatedAt: new Date() })
    .onConflictDoUpdate({
      target: apiKeyUserOverrides.userId,
      set: { settings: q.settings, updatedBy: q.updatedBy, updatedAt: new Date() },
    })
}

export type KeyPeriodUsage = { requests: number; tokens: number; costUsd: number }

/**
 * Requests, tokens and cost of each key since `monthStart` and since `dayStart`, from the per-key
 * day rollup (migration 0015). Keys without traffic are absent.
 */
export async function keyUsageByPeriod(
  db: Executor,
  q: { keyIds: string[]; dayStart: Date; monthStart: Date },
): Promise<Map<string, { today: KeyPeriodUsage; month: KeyPeriodUsage }>> {
  const out = new Map<string, { today: KeyPeriodUsage; month: KeyPeriodUsage }>()
  if (q.keyIds.length === 0) return out
  const today = sql`${aiLogKeyDaily.day} >= ${q.dayStart.toISOString()}`
  const tokens = sql`${aiLogKeyDaily.inputTokens} + ${aiLogKeyDaily.outputTokens}`
  const rows = await db
    .select({
      keyId: aiLogKeyDaily.apiKeyId,
      monthRequests: sql<number>`coalesce(sum(${aiLogKeyDaily.requests}), 0)::int`,
      monthTokens: sql<number>`coalesce(sum(${tokens}), 0)::bigint`,
      monthCost: sql<number>`coalesce(sum(${aiLogKeyDaily.costUsd}), 0)::float8`,
      dayRequests: sql<number>`coalesce(sum(${aiLogKeyDaily.requests}) filter (where ${today}), 0)::int`,
      dayTokens: sql<number>`coalesce(sum(${tokens}) filter (where ${today}), 0)::bigint`,
      dayCost: sql<number>`coalesce(sum(${aiLogKeyDaily.costUsd}) filter (where ${today}), 0)::float8`,
    })
    .from(aiLogKeyDaily)
    .where(and(inArray(aiLogKeyDaily.apiKeyId, q.keyIds), gte(aiLogKeyDaily.day, q.monthStart)))
    .groupBy(aiLogKeyDaily.apiKeyId)
  for (const r of rows)
    out.set(r.keyId, {
      today: { requests: Number(r.dayRequests), tokens: Number(r.dayTokens), costUsd: Number(r.dayCost) },
      month: { requests: Number(r.monthRequests), tokens: Number(r.monthTokens), costUsd: Number(r.monthCost) },
    })
  return out
}

/** USD one key spent since `start` (per-key budgets), from the per-key day rollup. */
export async function keySpentSince(db: Executor, keyId: string, start: Date): Promise<number> {
  const [row] = await db
    .select({ spent: sql<number>`coalesce(sum(${aiLogKeyDaily.costUsd}), 0)::float8` })
    .from(aiLogKeyDaily)
    .where(and(eq(aiLogKeyDaily.apiKeyId, keyId), gte(aiLogKeyDaily.day, start)))
  return Number(row?.spent ?? 0)
}

export async function touchApiKey(db: Executor, id: string): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, id))
}

/** Requests, tokens and cost per API key of a user since `since`, from the AI ledger. */
export async function usageByApiKey(db: Executor, userId: string, since: Date) {
  const rows = await db
    .select({
      keyId: aiLog.apiKeyId,
      requests: sql<number>`count(*)::int`,
      errors: sql<number>`(count(*) filter (where ${aiLog.status} = 'error'))::int`,
      tokens: sql<number>`coalesce(sum(coalesce(${aiLog.inputTokens}, 0) + coalesce(${aiLog.outputTokens}, 0)), 0)::bigint`,
      costUsd: sql<number>`coalesce(sum(${aiLog.costUsd}), 0)::float8`,
      lastRequestAt: max(aiLog.createdAt),
    })
    .from(aiLog)
    .where(and(eq(aiLog.userId, userId), isNotNull(aiLog.apiKeyId), gte(aiLog.createdAt, since)))
    .groupBy(aiLog.apiKeyId)
  return rows.map((r) => ({
    keyId: r.keyId!,
    requests: Number(r.requests),
    errors: Number(r.errors),
    tokens: Number(r.tokens),
    costUsd: Number(r.costUsd),
    lastRequestAt: r.lastRequestAt ? new Date(r.lastRequestAt).toISOString() : null,
  }))
}
