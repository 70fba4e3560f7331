import { LRUCache } from 'lru-cache'
import type { EventHub } from '../../events/hub.ts'

/**
 * In-process copy of users' cached dashboard responses (JSON text), so the hottest read does not
 * reach the database. The table stays the truth: an entry lives at most `ttlMs`, and is dropped as
 * soon as the events log shows the user's scores or dashboard changed (`profile.updated`,
 * `assessment.completed`, `dashboard.updated` — from any process, through the events hub).
 */
export type DashboardCache = {
  get(userId: string): string | undefined
  /** A token to pass to `set`: a read that started before an invalidation is not stored. */
  begin(userId: string): number
  set(userId: string, json: string, token: number): void
  /** Drop a user's entry now (and refuse stores of reads that started before). */
  delete(userId: string): void
  /** Stop listening to events. */
  close(): void
}

export function createDashboardCache(options: {
  ttlMs: number
  max?: number
  events?: Pick<EventHub, 'subscribe'> | undefined
}): DashboardCache | undefined {
  if (options.ttlMs <= 0) return undefined
  const lru = new LRUCache<string, string>({ max: options.max ?? 10_000, ttl: options.ttlMs })
  // Invalidations per user, so a read that raced an invalidation cannot store what it read.
  const epochs = new LRUCache<string, number>({ max: (options.max ?? 10_000) * 4 })
  const evicted = 0
  const drop = (event: { userId: string | null }) => {
    if (!event.userId) return
    lru.delete(event.userId)
    epochs.set(event.userId, (epochs.get(event.userId) ?? evicted) + 1)
  }
  const unsubscribe = (['profile.updated', 'assessment.completed', 'dashboard.updated'] as const).map((type) =>
    options.events?.subscribe(type, drop),
  )
  return {
    get: (userId) => lru.get(userId),
    begin: (userId) => epochs.get(userId) ?? evicted,
    set(userId, json, token) {
      if ((epochs.get(userId) ?? evicted) === token) lru.set(userId, json)
    },
    delete: (userId) => drop({ userId }),
    close() {
      for (const off of unsubscribe) off?.()
      lru.clear()
    },
  }
}
