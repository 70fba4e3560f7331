import type { Tier } from '../../contracts/common.ts'
import type { Database } from '../../data/db.ts'
import { fireBudgetAlert } from '../alerts/budget-alerts.ts'
import type { AiCaller, AiGuard } from '../types.ts'
import type { BudgetLimit, Budgets } from './config.ts'
import { BudgetExceededError } from './errors.ts'

/**
 * USD budgets per user (by tier) and global, per day and per month (UTC). Spend is the sum of
 * `ai_log.cost_usd`: the ledger is the truth, so a crash loses nothing a budget depends on.
 * A short in-process cache, plus what this process spent since reading it, keeps the hot path
 * off the database; `cacheMs: 0` reads the ledger every time.
 */

export type Clock = () => Date

export type BudgetPeriod = 'daily' | 'monthly'
export type BudgetStanding = { budget: string; scope: string; period: BudgetPeriod; limitUsd: number; spentUsd: number; resetAt: Date; periodKey: string }

export type BudgetGuard = AiGuard & {
  /** Every budget that applies to this caller, with its spend. */
  standing(caller: AiCaller): Promise<BudgetStanding[]>
}

export function periodStart(period: BudgetPeriod, now: Date): Date {
  return period === 'daily' ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
}

export function periodEnd(period: BudgetPeriod, now: Date): Date {
  return period === 'daily' ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))
}

export function periodKey(period: BudgetPeriod, now: Date): string {
  return periodStart(period, now).toISOString().slice(0, period === 'daily' ? 10 : 7)
}

export function createBudgetGuard(deps: { db: Database; budgets: Budgets; clock?: Clock; cacheMs?: number }): BudgetGuard {
  const { db, budgets } = deps
  const clock = deps.clock ?? (() => new Date())
  const cacheMs = deps.cacheMs ?? 2_000
  // key → spend read from the ledger at `readAt`, plus what this process spent since.
  const cache = new Map<string, { spent: number; readAt: number; periodKey: string }>()
  const warned = new Set<string>()

  async function spentFor(scope: string, userId: string | undefined, period: BudgetPeriod, now: Date): Promise<number> {
    const key = `${scope}:${period}`
    const pk = periodKey(period, now)
    const hit = cache.get(key)
    // The global sum scans every row of the period: read it less often than a user's.
    const ttl = userId ? cacheMs : cacheMs * 5
    if (hit && hit.periodKey === pk && now.getTime() - hit.readAt < ttl) return hit.spent
    const start = periodStart(period, now).toISOString()
    const rows = userId
      ? await db.query<{ spent: string | number | null }>('select coalesce(sum(cost_usd), 0) as spent from ai_log where user_id = $1 and created_at >= $2', [userId, start])
      : await db.query<{ spent: string | number | null }>('select coalesce(sum(cost_usd), 0) as spent from ai_log where created_at >= $1', [start])
    const spent = Number(rows[0]?.spent ?? 0)
    cache.set(key, { spent, readAt: now.getTime(), periodKey: pk })
    return spent
  }

  function applicable(caller: AiCaller): Array<{ budget: string; scope: string; userId?: string; limit: BudgetLimit }> {
    const out: Array<{ budget: string; scope: string; userId?: string; limit: BudgetLimit }> = []
    if (caller.userId) {
      const tier: Tier = caller.tier ?? 'free'
      out.push({ budget: `user.${tier}`, scope: `user:${caller.userId}`, userId: caller.userId, limit: budgets.user[tier] })
    }
    out.push({ budget: 'global', scope: 'global', limit: budgets.global })
    return out
  }

  async function standing(caller: AiCaller): Promise<BudgetStanding[]> {
    const now = clock()
    const out: BudgetStanding[] = []
    for (const b of applicable(caller)) {
      for (const period of ['daily', 'monthly'] as const) {
        const limitUsd = period === 'daily' ? b.limit.dailyUsd : b.limit.monthlyUsd
        if (limitUsd === undefined) continue
        const spentUsd = await spentFor(b.scope, b.userId, period, now)
        out.push({ budget: `${b.budget}.${period}`, scope: b.scope, period, limitUsd, spentUsd, resetAt: periodEnd(period, now), periodKey: periodKey(period, now) })
      }
    }
    return out
  }

  async function warn(s: BudgetStanding, level: 80 | 100, userId: string | undefined) {
    const key = `${level}:${s.scope}:${s.budget}:${s.periodKey}`
    if (warned.has(key)) return
    await fireBudgetAlert(db, { level, standing: s, userId, warnAt: budgets.warnAt })
    warned.add(key)
    if (warned.size > 50_000) warned.clear()
  }

  return {
    standing,
    async before(caller) {
      for (const s of await standing(caller)) {
        if (s.spentUsd >= s.limitUsd) {
          await warn(s, 100, caller.userId)
          throw new BudgetExceededError({ budget: s.budget, limitUsd: s.limitUsd, spentUsd: s.spentUsd, resetAt: s.resetAt, rulesFallback: budgets.rulesFallback })
        }
      }
    },
    async after(caller, call) {
      const cost = call.meta.costUsd ?? 0
      if (cost > 0) {
        for (const b of applicable(caller)) {
          for (const period of ['daily', 'monthly'] as const) {
            const hit = cache.get(`${b.scope}:${period}`)
            if (hit) hit.spent += cost
          }
        }
      }
      for (const s of await standing(caller)) {
        if (s.spentUsd >= s.limitUsd) await warn(s, 100, caller.userId)
        else if (s.spentUsd >= s.limitUsd * budgets.warnAt) await warn(s, 80, caller.userId)
      }
    },
  }
}
