import { desc } from 'drizzle-orm'
import type { Executor } from '../db.ts'
import { providerStatusHistory } from '../schema.ts'

/** Append one provider status change to `provider_status_history`. */
export async function recordProviderStatus(
  db: Executor,
  change: { provider: string; status: 'healthy' | 'degraded' | 'down'; reason: string },
): Promise<void> {
  await db.insert(providerStatusHistory).values(change)
}

/** The latest provider status changes, newest first. */
export async function recentProviderStatuses(
  db: Executor,
  limit = 50,
): Promise<{ provider: string; status: string; reason: string | null; at: string }[]> {
  const list = await db.select().from(providerStatusHistory).orderBy(desc(providerStatusHistory.id)).limit(limit)
  return list.map((h) => ({ provider: h.provider, status: h.status, reason: h.reason, at: h.createdAt.toISOString() }))
}
