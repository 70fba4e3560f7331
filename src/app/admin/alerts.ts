import type { Database } from '../../data/db.ts'
import {
  acknowledgeAlert as markAcknowledged,
  listAlertRules,
  listAlerts,
  updateAlertRule,
  type AlertRow,
  type AlertRule,
} from '../../data/repositories/alerts.ts'
import { recordAdminAction } from '../../data/repositories/audit.ts'
import { NotFoundError } from '../../errors.ts'
import type { Actor } from './model-versions.ts'

/** Alerts and their rules for admins; a rule change is audited in the same transaction. */

export async function alertsFor(db: Database, actor: Actor, q: Parameters<typeof listAlerts>[1]) {
  return db.asUser(actor.claims, (tx) => listAlerts(tx, q))
}

export async function alertRulesFor(db: Database, actor: Actor): Promise<AlertRule[]> {
  return db.asUser(actor.claims, (tx) => listAlertRules(tx))
}

export async function changeAlertRule(
  db: Database,
  actor: Actor,
  id: string,
  patch: Parameters<typeof updateAlertRule>[2],
): Promise<AlertRule> {
  return db.asUser(actor.claims, async (tx) => {
    const rule = await updateAlertRule(tx, id, patch)
    if (!rule) throw new NotFoundError('Alert rule')
    await recordAdminAction(tx, { actorId: actor.userId, action: 'alert_rule.update', target: rule.id, details: patch })
    return rule
  })
}

/** An admin acknowledges an alert: recorded once, audited, announced live to the other admins. */
export async function acknowledgeAlert(db: Database, actor: Actor, id: string): Promise<AlertRow> {
  return db.asUser(actor.claims, async (tx) => {
    const result = await markAcknowledged(tx, id, actor.userId)
    if (!result) throw new NotFoundError('Alert')
    if (result.changed)
      await recordAdminAction(tx, { actorId: actor.userId, action: 'alert.acknowledge', target: id, details: {} })
    return result.alert
  })
}
