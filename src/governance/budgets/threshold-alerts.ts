import type { Database } from '../../data/db.ts'
import { alertRuleEnabled, fireAlert } from '../../data/repositories/alerts.ts'
import { publish } from '../../events/publish.ts'
import type { BudgetStanding } from './budgets.ts'

/**
 * A budget crossed its warning level (80 %) or is spent (100 %): one alert per budget, scope and
 * period (the alerts table keeps it from repeating across processes) and a `budget.threshold`
 * event to the user it concerns (admins for the global budget).
 */
export async function fireBudgetAlert(
  db: Database,
  a: { level: 80 | 100; standing: BudgetStanding; userId: string | undefined; warnAt: number },
): Promise<boolean> {
  const ruleId = a.level === 100 ? 'budget_100' : 'budget_80'
  const s = a.standing
  return db.transaction(async (tx) => {
    if ((await alertRuleEnabled(tx, ruleId)) === false) return false
    // A budget of $0 is spent from the start.
    const percent = s.limitUsd > 0 ? Math.round((s.spentUsd / s.limitUsd) * 1000) / 10 : 100
    const alert = await fireAlert(tx, {
      ruleId,
      scope: `${s.scope}:${s.budget}:${s.periodKey}`,
      value: percent,
      message: `Budget ${s.budget} for ${s.scope} at ${percent} % ($${s.spentUsd.toFixed(4)} of $${s.limitUsd}); resets ${s.resetAt.toISOString()}`,
      details: {
        budget: s.budget,
        scope: s.scope,
        limitUsd: s.limitUsd,
        spentUsd: s.spentUsd,
        resetAt: s.resetAt.toISOString(),
        level: a.level,
      },
    })
    if (!alert) return false
    const forUser = s.scope.startsWith('user:') && a.userId
    await publish(tx, {
      type: 'budget.threshold',
      userId: forUser ? a.userId! : null,
      audience: forUser ? 'user' : 'admin',
      payload: { budget: s.budget, percent, spentUsd: s.spentUsd, limitUsd: s.limitUsd },
    })
    return true
  })
}
