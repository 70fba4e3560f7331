import { desc } from 'drizzle-orm'
import type { Executor } from '../db.ts'
import { providerStatusHistory } from '../schema.ts'
import { appendEvents } from './events.ts'

/** Append one provider status change to `provider_status_history`. */
export async function recordProviderStatus(
  db: Executor,
  change: { provider: string; status: 'healthy' | 'degraded' | 'down'; reason: string },
): Promise<void> {
  await db.insert(providerStatusHistory).values(change)
}

/** Tell admins' consoles that these providers' health or breakers changed (`provider.health`, audience admin). */
export async function announceProviderHealth(
  db: Executor,
  changes: ReadonlyArray<{
    provider: string
    status: 'healthy' | 'degraded' | 'down'
    breaker: 'closed' | 'half-open' | 'open'
  }>,
): Promise<void> {
  await appendEvents(
    db,
    changes.map((payload) => ({ type: 'provider.health' as const, userId: null, audience: 'admin' as const, payload })),
  )
}

/** The latest provider status changes, newest first. */
export async function recentProviderStatuses(
  db: Executor,
  limit = 50,
): Promise<{ provider: string; status: string; reason: string | null; at: string }[]> {
  const list = await db.select().from(providerStatusHistory).orderBy(desc(providerStatusHistory.id)).limit(limit)
  return list.map((h) => ({ provider: h.provider, status: h.status, reason: h.reason, at: h.createdAt.toISOString() }))
}
