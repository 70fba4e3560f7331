import type { Database, Executor } from '../../data/db.ts'
import { rows } from '../../data/db.ts'
import { sql } from 'drizzle-orm'

/** The alert kinds we evaluate; each seeded as one row of `alert_rules` that admins may edit. */
export const ALERT_KINDS = ['error_rate', 'daily_cost', 'avg_latency', 'provider_down', 'budget'] as const
export type AlertKind = (typeof ALERT_KINDS)[number]

export type AlertRule = { id: string; kind: string; threshold: number; windowMinutes: number; enabled: boolean }

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
  await db.transaction(async (tx) => {
    for (const r of DEFAULT_ALERT_RULES) {
      await tx.execute(
        sql`insert into alert_rules (id, kind, threshold, window_minutes, enabled) values (${r.id}, ${r.kind}, ${r.threshold}, ${r.windowMinutes}, ${r.enabled}) on conflict (id) do nothing`,
      )
    }
  })
}

export async function listAlertRules(tx: Executor): Promise<AlertRule[]> {
  const list = await rows<{
    id: string
    kind: string
    threshold: string | number
    window_minutes: number
    enabled: boolean
  }>(tx, sql`select id, kind, threshold, window_minutes, enabled from alert_rules order by id`)
  return list.map((r) => ({
    id: r.id,
    kind: r.kind,
    threshold: Number(r.threshold),
    windowMinutes: r.window_minutes,
    enabled: r.enabled,
  }))
}

export async function updateAlertRule(
  tx: Executor,
  id: string,
  patch: { threshold?: number | undefined; windowMinutes?: number | undefined; enabled?: boolean | undefined },
): Promise<AlertRule | undefined> {
  const [r] = await rows<{
    id: string
    kind: string
    threshold: string | number
    window_minutes: number
    enabled: boolean
  }>(
    tx,
    sql`update alert_rules set threshold = coalesce(${patch.threshold ?? null}::numeric, threshold), window_minutes = coalesce(${patch.windowMinutes ?? null}::int, window_minutes),
        enabled = coalesce(${patch.enabled ?? null}::boolean, enabled), updated_at = now() where id = ${id} returning id, kind, threshold, window_minutes, enabled`,
  )
  return r
    ? { id: r.id, kind: r.kind, threshold: Number(r.threshold), windowMinutes: r.window_minutes, enabled: r.enabled }
    : undefined
}
