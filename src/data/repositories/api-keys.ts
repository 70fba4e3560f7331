import { and, desc, eq, gte, isNotNull, isNull, max, sql } from 'drizzle-orm'
import type { Executor } from '../db.ts'
import { aiLog, apiKeys, users } from '../schema.ts'

export type ApiKeyRow = typeof apiKeys.$inferSelect

export async function insertApiKey(
  db: Executor,
  values: { userId: string; name: string; prefix: string; keyHash: string },
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

/** A live key by its hash, with its owner's role and tier (server-side authentication). */
export async function findActiveKeyByHash(db: Executor, keyHash: string) {
  const [row] = await db
    .select({ id: apiKeys.id, userId: apiKeys.userId, name: apiKeys.name, role: users.role, tier: users.tier })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
  return row
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
