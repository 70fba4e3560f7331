import { and, eq, gt, sql } from 'drizzle-orm'
import type { Executor } from '../db.ts'
import { aiCache } from '../schema.ts'

/** One cached answer as the gateway's cache writes it. */
export type AiCacheEntry = {
  key: string
  feature: string | null
  userId: string | null
  value: unknown
  expiresAt: Date
}

/** The unexpired value under `key`, with its expiry; undefined when absent or expired at `now`. */
export async function findCacheEntry(
  db: Executor,
  key: string,
  now: Date,
): Promise<{ value: unknown; expiresAt: Date } | undefined> {
  const [row] = await db
    .select({ value: aiCache.value, expiresAt: aiCache.expiresAt })
    .from(aiCache)
    .where(and(eq(aiCache.key, key), gt(aiCache.expiresAt, now)))
    .limit(1)
  return row
}

/** Insert or replace the value and expiry under the entry's key (the first owner stays). */
export async function upsertCacheEntry(db: Executor, entry: AiCacheEntry): Promise<void> {
  await db
    .insert(aiCache)
    .values({ ...entry, value: entry.value as object })
    .onConflictDoUpdate({
      target: aiCache.key,
      set: { value: sql`excluded.value`, expiresAt: sql`excluded.expires_at` },
    })
}
