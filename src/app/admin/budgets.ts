import type { Governance } from '../../governance/create-governance.ts'

/**
 * The install-wide budgets against their limits (what every user's spend counts toward), as the
 * gateway enforces them. Per-user budgets are each user's own (`GET /api/me/ai-usage`).
 */
export async function globalBudgets(governance: Pick<Governance, 'budgets'>) {
  const standing = await governance.budgets.standing({})
  return standing.map((b) => ({
    budget: b.budget,
    period: b.period,
    limitUsd: b.limitUsd,
    spentUsd: b.spentUsd,
    resetAt: b.resetAt.toISOString(),
  }))
}
