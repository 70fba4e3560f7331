import { sql } from 'drizzle-orm'
import { rows, type Database, type Executor } from '../../data/db.ts'
import type { Budgets } from '../limits/config.ts'
import { periodEnd, periodKey, periodStart, type BudgetPeriod } from '../budgets/budgets.ts'
import { listAlertRules, type AlertRule } from './rules.ts'
import { fireAlert, firingAlerts, markNotified, resolveAlert, type AlertRow } from './store.ts'
import { postWebhook, type WebhookOptions } from './webhook.ts'

/**
 * One evaluation of every enabled alert rule, in SQL over `ai_log` and `provider_status_history`.
 * A condition that holds fires (once: a firing alert is not repeated); a firing alert whose
 * condition cleared resolves. Both are events for admins' streams and go to the webhook.
 * Run periodically by the queue (`alerts.evaluate`); safe to run from several processes at once.
 */
export type EvaluateAlertsDeps = {
  db: Database
  clock?: () => Date
  webhook?: WebhookOptions | undefined
  budgets?: Budgets | undefined
}

export type EvaluateAlertsResult = { fired: AlertRow[]; resolved: AlertRow[]; delivered: number; undelivered: number }

type Condition = { scope: string; value: number; message: string; details: Record<string, unknown> }

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v))

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
      const list = await rows<{ provider: string; n: string; e: string }>(
        tx,
        sql`select provider, count(*) as n, count(*) filter (where status = 'error') as e from ai_log
            where created_at >= ${since} and created_at <= ${until} and provider is not null group by provider`,
      )
      return list
        .map((r) => ({ r, rate: num(r.e) / Math.max(1, num(r.n)) }))
        .filter((x) => x.rate > rule.threshold)
        .map(({ r, rate }) => ({
          scope: `provider:${r.provider}`,
          value: rate,
          message: `Error rate of ${r.provider} is ${(rate * 100).toFixed(1)} % over ${rule.windowMinutes} min (threshold ${(rule.threshold * 100).toFixed(1)} %)`,
          details: { provider: r.provider, requests: num(r.n), errors: num(r.e) },
        }))
    }
    case 'avg_latency': {
      const list = await rows<{ provider: string; avg: string; n: string }>(
        tx,
        sql`select provider, avg(latency_ms) as avg, count(*) as n from ai_log
            where created_at >= ${since} and created_at <= ${until} and provider is not null and latency_ms is not null and cache_hit = false group by provider`,
      )
      return list
        .filter((r) => num(r.avg) > rule.threshold)
        .map((r) => ({
          scope: `provider:${r.provider}`,
          value: num(r.avg),
          message: `Average latency of ${r.provider} is ${Math.round(num(r.avg))} ms over ${rule.windowMinutes} min (threshold ${rule.threshold} ms)`,
          details: { provider: r.provider, requests: num(r.n) },
        }))
    }
    case 'daily_cost': {
      const [r] = await rows<{ cost: string | null }>(
        tx,
        sql`select coalesce(sum(cost_usd), 0) as cost from ai_log where created_at >= ${since} and created_at <= ${until}`,
      )
      const cost = num(r?.cost)
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
      const list = await rows<{ provider: string; status: string; reason: string | null; created_at: string | Date }>(
        tx,
        sql`select distinct on (provider) provider, status, reason, created_at from provider_status_history where created_at <= ${until} order by provider, created_at desc`,
      )
      return list
        .filter((r) => r.status === 'down')
        .map((r) => ({
          scope: `provider:${r.provider}`,
          value: 1,
          message: `Provider ${r.provider} is down${r.reason ? `: ${r.reason}` : ''}`,
          details: { provider: r.provider, since: new Date(r.created_at).toISOString() },
        }))
    }
    case 'budget': {
      if (!budgets) return undefined
      const out: Condition[] = []
      for (const period of ['daily', 'monthly'] as BudgetPeriod[]) {
        const limit = period === 'daily' ? budgets.global.dailyUsd : budgets.global.monthlyUsd
        if (!limit) continue
        const [r] = await rows<{ cost: string | null }>(
          tx,
          sql`select coalesce(sum(cost_usd), 0) as cost from ai_log where created_at >= ${periodStart(period, now).toISOString()} and created_at <= ${until}`,
        )
        const spent = num(r?.cost)
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
    const pending = await deps.db.transaction((tx) =>
      rows<{ id: string }>(
        tx,
        sql`select id from alerts where notified_at is null and status = 'firing' order by fired_at limit 100`,
      ),
    )
    const firingNow = await deps.db.transaction((tx) => firingAlerts(tx))
    const toSend = firingNow.filter((a) => pending.some((p) => p.id === a.id))
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
