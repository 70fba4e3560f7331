import type { Database, Executor } from '../../data/db.ts'
import type { Budgets } from '../limits/config.ts'
import type { WallClock } from '../budgets/periods.ts'
import { periodEnd, periodKey, periodStart, type BudgetPeriod } from '../budgets/periods.ts'
import {
  averageLatencyByProvider,
  costBetween,
  errorCountsByProvider,
  fireAlert,
  firingAlerts,
  latestProviderStatuses,
  listAlertRules,
  markNotified,
  resolveAlert,
  undeliveredAlertIds,
  type AlertRow,
  type AlertRule,
} from '../../data/repositories/alerts.ts'
import { postWebhook, type WebhookOptions } from './webhook.ts'

/**
 * One evaluation of every enabled alert rule, in SQL over `ai_log` and `provider_status_history`.
 * A condition that holds fires (once: a firing alert is not repeated); a firing alert whose
 * condition cleared resolves. Both are events for admins' streams and go to the webhook.
 * Run periodically by the queue (`alerts.evaluate`); safe to run from several processes at once.
 */
export type EvaluateAlertsDeps = {
  db: Database
  clock?: WallClock
  webhook?: WebhookOptions | undefined
  budgets?: Budgets | undefined
}

export type EvaluateAlertsResult = { fired: AlertRow[]; resolved: AlertRow[]; delivered: number; undelivered: number }

type Condition = { scope: string; value: number; message: string; details: Record<string, unknown> }

async function conditions(
  tx: Executor,
  rule: AlertRule,
  now: Date,
  budgets: Budgets | undefined,
): Promise<Condition[] | undefined> {
  const since = new Date(now.getTime() - rule.windowMinutes * 60_000).toISOString()
  // The JS clock has millisecond precision, the database microseconds: a row written in this
  // very millisecond must count as "now".
  const until = new Date(now.getTime() + 1).toISOString()
  switch (rule.kind) {
    case 'error_rate': {
      const list = await errorCountsByProvider(tx, since, until)
      return list
        .map((r) => ({ r, rate: r.errors / Math.max(1, r.requests) }))
        .filter((x) => x.rate > rule.threshold)
        .map(({ r, rate }) => ({
          scope: `provider:${r.provider}`,
          value: rate,
          message: `Error rate of ${r.provider} is ${(rate * 100).toFixed(1)} % over ${rule.windowMinutes} min (threshold ${(rule.threshold * 100).toFixed(1)} %)`,
          details: { provider: r.provider, requests: r.requests, errors: r.errors },
        }))
    }
    case 'avg_latency': {
      const list = await averageLatencyByProvider(tx, since, until)
      return list
        .filter((r) => r.avgMs > rule.threshold)
        .map((r) => ({
          scope: `provider:${r.provider}`,
          value: r.avgMs,
          message: `Average latency of ${r.provider} is ${Math.round(r.avgMs)} ms over ${rule.windowMinutes} min (threshold ${rule.threshold} ms)`,
          details: { provider: r.provider, requests: r.requests },
        }))
    }
    case 'daily_cost': {
      const cost = await costBetween(tx, since, until)
      return cost > rule.threshold
        ? [
            {
              scope: 'global',
              value: cost,
              message: `AI cost over the last ${rule.windowMinutes / 60} h is $${cost.toFixed(2)} (threshold $${rule.threshold})`,
              details: { costUsd: cost },
            },
          ]
        : []
    }
    case 'provider_down': {
      const list = await latestProviderStatuses(tx, until)
      return list
        .filter((r) => r.status === 'down')
        .map((r) => ({
          scope: `provider:${r.provider}`,
          value: 1,
          message: `Provider ${r.provider} is down${r.reason ? `: ${r.reason}` : ''}`,
          details: { provider: r.provider, since: r.createdAt.toISOString() },
        }))
    }
    case 'budget': {
      if (!budgets) return undefined
      const out: Condition[] = []
      for (const period of ['daily', 'monthly'] as BudgetPeriod[]) {
        const limit = period === 'daily' ? budgets.global.dailyUsd : budgets.global.monthlyUsd
        if (!limit) continue
        const spent = await costBetween(tx, periodStart(period, now).toISOString(), until)
        const level = rule.threshold >= 1 ? 1 : rule.threshold
        if (spent < limit * level) continue
        const budget = `global.${period}`
        const percent = Math.round((spent / limit) * 1000) / 10
        out.push({
          scope: `global:${budget}:${periodKey(period, now)}`,
          value: percent,
          message: `Budget ${budget} at ${percent} % ($${spent.toFixed(4)} of $${limit}); resets ${periodEnd(period, now).toISOString()}`,
          details: {
            budget,
            scope: 'global',
            limitUsd: limit,
            spentUsd: spent,
            resetAt: periodEnd(period, now).toISOString(),
          },
        })
      }
      return out
    }
    default:
      return []
  }
}

/** Whether a firing alert's condition still holds. Budget alerts hold until their period ends. */
function stillHolds(
  alert: AlertRow,
  rule: AlertRule | undefined,
  current: Condition[] | undefined,
  now: Date,
): boolean {
  if (!rule || !rule.enabled) return false
  if (rule.kind === 'budget') {
    const resetAt = alert.details?.resetAt
    if (typeof resetAt === 'string' && new Date(resetAt) <= now) return false
    // User budgets are fired by the guard; they stand until their period resets.
    if (!alert.scope.startsWith('global:') || current === undefined) return true
  }
  return (current ?? []).some((c) => c.scope === alert.scope)
}

export async function evaluateAlerts(deps: EvaluateAlertsDeps): Promise<EvaluateAlertsResult> {
  const now = (deps.clock ?? (() => new Date()))()
  const { fired, resolved } = await deps.db.transaction(async (tx) => {
    const rules = await listAlertRules(tx)
    const byId = new Map(rules.map((r) => [r.id, r]))
    const current = new Map<string, Condition[] | undefined>()
    for (const rule of rules) if (rule.enabled) current.set(rule.id, await conditions(tx, rule, now, deps.budgets))
    const fired: AlertRow[] = []
    const resolved: AlertRow[] = []
    for (const alert of await firingAlerts(tx)) {
      if (stillHolds(alert, byId.get(alert.ruleId), current.get(alert.ruleId), now)) continue
      const r = await resolveAlert(tx, alert.id, `Resolved: ${alert.message}`, now)
      if (r) resolved.push(r)
    }
    for (const [ruleId, list] of current) {
      for (const c of list ?? []) {
        const a = await fireAlert(tx, {
          ruleId,
          scope: c.scope,
          value: c.value,
          message: c.message,
          details: c.details,
          at: now,
        })
        if (a) fired.push(a)
      }
    }
    return { fired, resolved }
  })

  let delivered = 0
  let undelivered = 0
  if (deps.webhook) {
    // Everything fired and not yet delivered (including earlier runs' failures), then resolutions.
    const pending = new Set(await deps.db.transaction((tx) => undeliveredAlertIds(tx)))
    const firingNow = await deps.db.transaction((tx) => firingAlerts(tx))
    const toSend = firingNow.filter((a) => pending.has(a.id))
    for (const alert of toSend) {
      const result = await postWebhook(deps.webhook, { event: 'alert.fired', alert })
      if (result.delivered) {
        delivered++
        await deps.db.transaction((tx) => markNotified(tx, alert.id, now))
      } else undelivered++
    }
    for (const alert of resolved) {
      const result = await postWebhook(deps.webhook, { event: 'alert.resolved', alert })
      if (result.delivered) delivered++
      else undelivered++
    }
  }
  return { fired, resolved, delivered, undelivered }
}
