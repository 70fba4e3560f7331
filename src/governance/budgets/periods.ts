/** Budget periods in UTC: a day or a calendar month. Pure date arithmetic. */

/** Wall-clock time, injected so budget and alert tests can pick the day. (The router's `Clock` is monotonic.) */
export type WallClock = () => Date

export type BudgetPeriod = 'daily' | 'monthly'

export function periodStart(period: BudgetPeriod, now: Date): Date {
  return period === 'daily'
    ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
    : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
}

export function periodEnd(period: BudgetPeriod, now: Date): Date {
  return period === 'daily'
    ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1))
    : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))
}

export function periodKey(period: BudgetPeriod, now: Date): string {
  return periodStart(period, now)
    .toISOString()
    .slice(0, period === 'daily' ? 10 : 7)
}
