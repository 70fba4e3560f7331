import type { Database } from '../../data/db.ts'
import { usageByApiKey } from '../../data/repositories/api-keys.ts'

/** How far back the account page's per-key usage looks. */
export const KEY_USAGE_DAYS = 30

/**
 * A user's usage per API key over the last 30 days, from the AI ledger. Read as the owner:
 * users cannot read `ai_log` under RLS, so the query is scoped to their id here.
 */
export async function keyUsage(deps: { db: Database }, userId: string, now = new Date()) {
  const since = new Date(now.getTime() - KEY_USAGE_DAYS * 86_400_000)
  return { days: KEY_USAGE_DAYS, since: since.toISOString(), keys: await usageByApiKey(deps.db.orm, userId, since) }
}
