import type { Database } from '../../data/db.ts'
import { recentProviderStatuses } from '../../data/repositories/provider-health.ts'
import type { AiGateway } from '../../gateway/client.ts'

/** Gateway health for admins: provider status from live traffic, each model's breaker, routes, the semantic cache's search, recent status changes. */
export async function providerHealthReport(deps: { ai: AiGateway; db: Database }) {
  const { ai, db } = deps
  return {
    enabled: ai.enabled,
    providers: ai.providerHealth(),
    routes: ai.enabled ? ai.routes.names() : [],
    // Which nearest-neighbour search the semantic cache runs on this server (null when it is off).
    semanticCache: ai.semanticCacheStatus() ?? null,
    history: await recentProviderStatuses(db.orm, 50),
  }
}
