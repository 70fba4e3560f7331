import { sql } from 'drizzle-orm'
import { rows, type Executor } from '../../data/db.ts'
import { publish } from '../../events/publish.ts'

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

const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString())

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
