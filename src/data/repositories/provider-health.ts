import type { Executor } from '../db.ts'
import { providerStatusHistory } from '../schema.ts'

/** Append one provider status change to `provider_status_history`. */
export async function recordProviderStatus(
  db: Executor,
  change: { provider: string; status: 'healthy' | 'degraded' | 'down'; reason: string },
): Promise<void> {
  await db.insert(providerStatusHistory).values(change)
}
