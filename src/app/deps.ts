import type { Config } from '../config/env.ts'
import type { Database } from '../data/db.ts'
import type { OverallWeights } from '../domain/assessments/overall.ts'
import type { AiCaller, AiClient } from '../gateway/types.ts'
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
}

/** The caller of a request by a signed-in user. */
export function callerOf(user: { id: string; tier?: AiCaller['tier'] }, requestId?: string): AiCaller {
  return { userId: user.id, tier: user.tier, requestId }
}
