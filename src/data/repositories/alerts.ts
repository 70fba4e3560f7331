import { sql } from 'drizzle-orm'
import { rows, type Database, type Executor } from '../db.ts'
import { publish } from './events.ts'
import { isoOrNull as iso, num } from '../row-values.ts'

export type AlertRow = {
  id: string
  ruleId: string
  scope: string
  status: 'firing' | 'resolved'
  value: number | null
  message: string
  details: Record<string, unknown> | null
  firedAt: string
  resolvedAt: string | null
  notifiedAt: string | null
  acknowledgedAt: string | null
  acknowledgedBy: string | null
}

type RawAlert = {
  id: string
  rule_id: string
  scope: string
  status: 'firing' | 'resolved'
  value: string | number | null
  message: string
  details: Record<string, unknown> | null
  fired_at: string | Date
  resolved_at: string | Date | null
  notified_at: string | Date | null
}

export function toAlert(r: RawAlert): AlertRow {
  return {
    id: r.id,
    ruleId: r.rule_id,
    scope: r.scope,
    status: r.status,
    value: r.value === null ? null : Number(r.value),
    message: r.message,
    details: r.details,
    firedAt: iso(r.fired_at)!,
    resolvedAt: iso(r.resolved_at),
    notifiedAt: iso(r.notified_at),
    // Kept in `details` (no column of its own): who acknowledged it and when.
    acknowledgedAt: typeof r.details?.acknowledgedAt === 'string' ? r.details.acknowledgedAt : null,
    acknowledgedBy: typeof r.details?.acknowledgedBy === 'string' ? r.details.acknowledgedBy : null,
  }
}

/**
 * Fire an alert unless one is already firing for this rule and scope (the partial unique index
 * decides, so two processes evaluating at once fire it once). Publishes `alert.fired` to admins.
 */
export async function fireAlert(
  tx: Executor,
  a: {
    ruleId: string
    scope: string
    value: number | null
    message: string
    details?: Record<string, unknown>
    at?: Date
  },
): Promise<AlertRow | undefined> {
  const [r] = await rows<RawAlert>(
    tx,
    sql`insert into alerts (rule_id, scope, status, value, message, details, fired_at)
        values (${a.ruleId}, ${a.scope}, 'firing', ${a.value}, ${a.message}, ${JSON.stringify(a.details ?? {})}::jsonb, ${(a.at ?? new Date()).toISOString()})
        on conflict (rule_id, scope) where status = 'firing' do nothing
        returning *`,
  )
  if (!r) return undefined
  const alert = toAlert(r)
  await publish(tx, {
    type: 'alert.fired',
    userId: null,
    audience: 'admin',
    payload: {
      alertId: alert.id,
      ruleId: alert.ruleId,
      scope: alert.scope,
      value: alert.value,
      message: alert.message,
    },
  })
  return alert
}

export async function resolveAlert(
  tx: Executor,
  id: string,
  message: string,
  at = new Date(),
): Promise<AlertRow | undefined> {
  const [r] = await rows<RawAlert>(
    tx,
    sql`update alerts set status = 'resolved', resolved_at = ${at.toISOString()} where id = ${id} and status = 'firing' returning *`,
  )
  if (!r) return undefined
  const alert = toAlert(r)
  await publish(tx, {
    type: 'alert.resolved',
    userId: null,
    audience: 'admin',
    payload: { alertId: alert.id, ruleId: alert.ruleId, scope: alert.scope, message },
  })
  return alert
}

/**
 * Acknowledge an alert once (a second acknowledgement keeps the first), publishing
 * `alert.acknowledged` to admins in the same transaction. `undefined` when there is no such alert.
 */
export async function acknowledgeAlert(
  tx: Executor,
  id: string,
  by: string,
  at = new Date(),
): Promise<{ alert: AlertRow; changed: boolean } | undefined> {
  const [r] = await rows<RawAlert>(
    tx,
    sql`update alerts
        set details = coalesce(details, '{}'::jsonb) || jsonb_build_object('acknowledgedAt', ${at.toISOString()}::text, 'acknowledgedBy', ${by}::text)
        where id = ${id} and not (coalesce(details, '{}'::jsonb) ? 'acknowledgedAt')
        returning *`,
  )
  if (r) {
    const alert = toAlert(r)
    await publish(tx, {
      type: 'alert.acknowledged',
      userId: null,
      audience: 'admin',
      payload: { alertId: alert.id, ruleId: alert.ruleId, scope: alert.scope, by },
    })
    return { alert, changed: true }
  }
  const [existing] = await rows<RawAlert>(tx, sql`select * from alerts where id = ${id}`)
  return existing ? { alert: toAlert(existing), changed: false } : undefined
}

export async function firingAlerts(tx: Executor): Promise<AlertRow[]> {
  return (await rows<RawAlert>(tx, sql`select * from alerts where status = 'firing' order by fired_at`)).map(toAlert)
}

export async function listAlerts(
  tx: Executor,
  q: { status?: 'firing' | 'resolved' | undefined; limit: number },
): Promise<AlertRow[]> {
  const list = q.status
    ? await rows<RawAlert>(
        tx,
        sql`select * from alerts where status = ${q.status} order by fired_at desc limit ${q.limit}`,
      )
    : await rows<RawAlert>(tx, sql`select * from alerts order by fired_at desc limit ${q.limit}`)
  return list.map(toAlert)
}

export async function markNotified(tx: Executor, id: string, at = new Date()): Promise<void> {
  await tx.execute(sql`update alerts set notified_at = ${at.toISOString()} where id = ${id}`)
}

export type AlertRule = { id: string; kind: string; threshold: number; windowMinutes: number; enabled: boolean }

/** Insert the rules that are missing (admins' edits are kept). */
export async function insertMissingAlertRules(db: Database, rules: readonly AlertRule[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const r of rules) {
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

/** Whether a rule is enabled; undefined when there is no such rule. */
export async function alertRuleEnabled(tx: Executor, id: string): Promise<boolean | undefined> {
  const [rule] = await rows<{ enabled: boolean }>(tx, sql`select enabled from alert_rules where id = ${id}`)
  return rule?.enabled
}

/** Firing alerts not yet delivered to the webhook, oldest first. */
export async function undeliveredAlertIds(tx: Executor, limit = 100): Promise<string[]> {
  const list = await rows<{ id: string }>(
    tx,
    sql`select id from alerts where notified_at is null and status = 'firing' order by fired_at limit ${limit}`,
  )
  return list.map((r) => r.id)
}

/** Requests and errors per provider in a window of `ai_log`. */
export async function errorCountsByProvider(
  tx: Executor,
  since: string,
  until: string,
): Promise<{ provider: string; requests: number; errors: number }[]> {
  const list = await rows<{ provider: string; n: string; e: string }>(
    tx,
    sql`select provider, count(*) as n, count(*) filter (where status = 'error') as e from ai_log
        where created_at >= ${since} and created_at <= ${until} and provider is not null group by provider`,
  )
  return list.map((r) => ({ provider: r.provider, requests: num(r.n), errors: num(r.e) }))
}

/** Average latency per provider in a window of `ai_log` (cache hits left out). */
export async function averageLatencyByProvider(
  tx: Executor,
  since: string,
  until: string,
): Promise<{ provider: string; avgMs: number; requests: number }[]> {
  const list = await rows<{ provider: string; avg: string | number | null; n: string }>(
    tx,
    sql`select provider, avg(latency_ms) as avg, count(*) as n from ai_log
        where created_at >= ${since} and created_at <= ${until} and provider is not null and latency_ms is not null and cache_hit = false group by provider`,
  )
  return list.map((r) => ({ provider: r.provider, avgMs: num(r.avg), requests: num(r.n) }))
}

/** Total cost in `ai_log` between two instants. */
export async function costBetween(tx: Executor, since: string, until: string): Promise<number> {
  const [r] = await rows<{ cost: string | null }>(
    tx,
    sql`select coalesce(sum(cost_usd), 0) as cost from ai_log where created_at >= ${since} and created_at <= ${until}`,
  )
  return num(r?.cost)
}

/** Each provider's latest status change at or before `until`. */
export async function latestProviderStatuses(
  tx: Executor,
  until: string,
): Promise<{ provider: string; status: string; reason: string | null; createdAt: Date }[]> {
  const list = await rows<{ provider: string; status: string; reason: string | null; created_at: string | Date }>(
    tx,
    sql`select distinct on (provider) provider, status, reason, created_at from provider_status_history where created_at <= ${until} order by provider, created_at desc`,
  )
  return list.map((r) => ({
    provider: r.provider,
    status: r.status,
    reason: r.reason,
    createdAt: new Date(r.created_at),
  }))
}
