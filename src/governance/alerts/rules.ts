import type { Database } from '../../data/db.ts'
import { insertMissingAlertRules, type AlertRule } from '../../data/repositories/alerts.ts'

/** The alert kinds we evaluate; each seeded as one row of `alert_rules` that admins may edit. */
export const ALERT_KINDS = ['error_rate', 'daily_cost', 'avg_latency', 'provider_down', 'budget'] as const
export type AlertKind = (typeof ALERT_KINDS)[number]

export type { AlertRule }

/** The seed's rules (error rate > 5 %, daily cost > $50, average latency > 5 s) plus provider down and budgets. */
export const DEFAULT_ALERT_RULES: AlertRule[] = [
  { id: 'error_rate', kind: 'error_rate', threshold: 0.05, windowMinutes: 60, enabled: true },
  { id: 'daily_cost', kind: 'daily_cost', threshold: 50, windowMinutes: 1_440, enabled: true },
  { id: 'avg_latency', kind: 'avg_latency', threshold: 5_000, windowMinutes: 60, enabled: true },
  { id: 'provider_down', kind: 'provider_down', threshold: 0, windowMinutes: 0, enabled: true },
  { id: 'budget_80', kind: 'budget', threshold: 0.8, windowMinutes: 0, enabled: true },
  { id: 'budget_100', kind: 'budget', threshold: 1, windowMinutes: 0, enabled: true },
]

/** Insert the default rules that are missing (admins' edits are kept). */
export async function ensureAlertRules(db: Database): Promise<void> {
  await insertMissingAlertRules(db, DEFAULT_ALERT_RULES)
}
