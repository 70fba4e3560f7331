import type { Config } from '../config/env.ts'
import type { Database } from '../data/db.ts'
import type { OverallWeights } from '../domain/assessments/overall.ts'
import type { AiCaller, AiClient } from '../gateway/types.ts'
import type { GraphStore } from '../graph/store.ts'
import type { GraphSync } from '../graph/sync.ts'
import type { Logger } from 'pino'
import type { DashboardCache } from './dashboard/dashboard-cache.ts'

/** What the feature services need: the database, the AI client and the configuration. */
export type FeatureDeps = {
  db: Database
  ai: AiClient
  config: Pick<Config, 'features' | 'assessments'>
  /** The overall score's weights (forecasts rebuild the overall from area scores with them). */
  overallWeights?: OverallWeights | undefined
  /** In-process copy of cached dashboards (see `dashboard-cache.ts`); none: always read the table. */
  dashboardCache?: DashboardCache | undefined
  /** The peer graph: the dashboard's benchmarks come from it (none: no benchmarks are shown). */
  graph?: { store: GraphStore; sync: GraphSync } | undefined
  logger?: Pick<Logger, 'warn'> | undefined
}

/** The caller of a request by a signed-in user. */
export function callerOf(user: { id: string; tier?: AiCaller['tier'] }, requestId?: string): AiCaller {
  return { userId: user.id, tier: user.tier, requestId }
}
