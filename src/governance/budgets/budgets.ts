import type { Tier } from '../../contracts/common.ts'
import type { Database } from '../../data/db.ts'
import { spentSince } from '../../data/repositories/budgets.ts'
import { periodEnd, periodKey, periodStart, type BudgetPeriod, type WallClock } from './periods.ts'
import { fireBudgetAlert } from './threshold-alerts.ts'
import type { AiCaller, AiGuard } from '../../gateway/types.ts'
import type { BudgetLimit, Budgets } from '../limits/config.ts'
import { BudgetExceededError } from '../limits/errors.ts'

/**
 * USD budgets per user (by tier) and global, per day and per month (UTC). Spend is the sum of
 * `ai_log.cost_usd`, read from its day rollups (migration 0004): the ledger is the truth, so a
 * crash loses nothing a budget depends on.
 * A short in-process cache, plus what this process spent since reading it, keeps the hot path
 * off the database; `cacheMs: 0` reads the ledger every time.
 */

export type BudgetStanding = {
  budget: string
  scope: string
  period: BudgetPeriod
  limitUsd: number
  spentUsd: number
  resetAt: Date
  periodKey: string
}

export type BudgetGuard = AiGuard & {
  /** Every budget that applies to this caller, with its spend. */
  standing(caller: AiCaller): Promise<BudgetStanding[]>
}

export function createBudgetGuard(deps: {
  db: Database
  budgets: Budgets
  clock?: WallClock
  cacheMs?: number
}): BudgetGuard {
  const { db, budgets } = deps
  const clock = deps.clock ?? (() => new Date())
  const cacheMs = deps.cacheMs ?? 2_000
  // key → spend read from the ledger at `readAt`, plus what this process spent since.
  const cache = new Map<string, { spent: number; readAt: number; periodKey: string }>()
  const warned = new Set<string>()
  // Period bounds change once a day: computed then, not on every request.
  let periods: { day: number } & Record<BudgetPeriod, { start: string; end: Date; key: string }> = {
    day: Number.NaN,
  } as never
  const periodsAt = (now: Date) => {
    const day = Math.floor(now.getTime() / 86_400_000)
    if (periods.day !== day) {
      const of = (p: BudgetPeriod) => ({
        start: periodStart(p, now).toISOString(),
        end: periodEnd(p, now),
        key: periodKey(p, now),
      })
      periods = { day, daily: of('daily'), monthly: of('monthly') }
    }
    return periods
  }

  /** One budget line that applies to a caller: a scope, a period and its limit. */
  type Line = {
    budget: string
    scope: string
    userId: string | undefined
    period: BudgetPeriod
    limitUsd: number
    cacheKey: string
  }
  // A caller's lines are the same on every request: built once per user and tier.
  const linesByCaller = new Map<string, Line[]>()
  function linesFor(caller: AiCaller): Line[] {
    const tier: Tier = caller.tier ?? 'free'
    const id = caller.userId ? `${tier}|${caller.userId}` : ''
    let lines = linesByCaller.get(id)
    if (lines) return lines
    lines = []
    const add = (budget: string, scope: string, userId: string | undefined, limit: BudgetLimit) => {
      if (limit.dailyUsd !== undefined)
        lines!.push({
          budget: `${budget}.daily`,
          scope,
          userId,
          period: 'daily',
          limitUsd: limit.dailyUsd,
          cacheKey: `${scope}:daily`,
        })
      if (limit.monthlyUsd !== undefined)
        lines!.push({
          budget: `${budget}.monthly`,
          scope,
          userId,
          period: 'monthly',
          limitUsd: limit.monthlyUsd,
          cacheKey: `${scope}:monthly`,
        })
    }
    if (caller.userId) add(`user.${tier}`, `user:${caller.userId}`, caller.userId, budgets.user[tier])
    add('global', 'global', undefined, budgets.global)
    if (linesByCaller.size > 50_000) linesByCaller.clear()
    linesByCaller.set(id, lines)
    return lines
  }

  /** The spend on a line: from the cache while fresh (no await), else read from the ledger. */
  function spentOn(line: Line, now: Date): number | Promise<number> {
    const pk = periodsAt(now)[line.period].key
    const hit = cache.get(line.cacheKey)
    if (hit && hit.periodKey === pk && now.getTime() - hit.readAt < cacheMs) return hit.spent
    return readSpent(line, now, pk)
  }

  async function readSpent(line: Line, now: Date, pk: string): Promise<number> {
    // The day rollups hold `ai_log` summed per UTC day (kept by its triggers, so as fresh as the
    // ledger): a month is at most 31 rows per user, and the global figure a few per model.
    const start = periodsAt(now)[line.period].start
    const spent = await spentSince(db, { userId: line.userId, start })
    cache.set(line.cacheKey, { spent, readAt: now.getTime(), periodKey: pk })
    return spent
  }

  const standingOf = (line: Line, spentUsd: number, now: Date): BudgetStanding => {
    const p = periodsAt(now)[line.period]
    return {
      budget: line.budget,
      scope: line.scope,
      period: line.period,
      limitUsd: line.limitUsd,
      spentUsd,
      resetAt: p.end,
      periodKey: p.key,
    }
  }

  async function standing(caller: AiCaller): Promise<BudgetStanding[]> {
    const now = clock()
    const out: BudgetStanding[] = []
    for (const line of linesFor(caller)) out.push(standingOf(line, await spentOn(line, now), now))
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
      const now = clock()
      for (const line of linesFor(caller)) {
        const cached = spentOn(line, now)
        const spent = typeof cached === 'number' ? cached : await cached
        if (spent >= line.limitUsd) {
          const s = standingOf(line, spent, now)
          await warn(s, 100, caller.userId)
          throw new BudgetExceededError({
            budget: s.budget,
            limitUsd: s.limitUsd,
            spentUsd: s.spentUsd,
            resetAt: s.resetAt,
            rulesFallback: budgets.rulesFallback,
          })
        }
        // Spend from other processes shows here first.
        if (spent >= line.limitUsd * budgets.warnAt) await warn(standingOf(line, spent, now), 80, caller.userId)
      }
    },
    async after(caller, call) {
      // Only a call that cost something moves a budget towards a threshold.
      const cost = call.meta.costUsd ?? 0
      if (cost <= 0) return
      for (const line of linesFor(caller)) {
        const hit = cache.get(line.cacheKey)
        if (hit) hit.spent += cost
      }
      for (const s of await standing(caller)) {
        if (s.spentUsd >= s.limitUsd) await warn(s, 100, caller.userId)
        else if (s.spentUsd >= s.limitUsd * budgets.warnAt) await warn(s, 80, caller.userId)
      }
    },
  }
}
