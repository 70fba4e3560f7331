/**
 * The what-if growth simulation: deterministic, no AI. Changes to the strategy, process and
 * technology scores (each −2…+2 points on the 1–5 scale) are turned into a revenue impact, cost
 * savings and an efficiency gain with bounded formulas:
 *
 *   revenueDrive    = 0.5·Δstrategy + 0.2·Δprocess + 0.3·Δtechnology        (−2…+2)
 *   costDrive       = 0.2·Δstrategy + 0.5·Δprocess + 0.3·Δtechnology        (−2…+2)
 *   efficiencyDrive = 0.1·Δstrategy + 0.5·Δprocess + 0.4·Δtechnology        (−2…+2)
 *
 *   revenueImpactPct = MAX_REVENUE_PCT · tanh(revenueDrive)                  (−25 %…+25 %)
 *   costSavingsPct   = MAX_COST_PCT · tanh(costDrive)                        (−15 %…+15 %)
 *   efficiencyGain   = (100 − efficiency)·MAX_EFF·tanh(d)   when d ≥ 0       (stays ≤ 100)
 *                    = −efficiency·MAX_EFF·tanh(−d)          when d < 0       (stays ≥ 0)
 *
 * tanh gives diminishing returns and a hard bound; the weights say which area moves which lever
 * (strategy drives revenue most, process drives cost and efficiency). Where the user's current
 * area score is known, a raise is scaled by the headroom left to 5 and a cut by the distance to 1,
 * so a score already at 5 cannot be raised further.
 */

export const SIMULATION_LIMITS = {
  maxRevenuePct: 0.25,
  maxCostPct: 0.15,
  maxEfficiencyShare: 0.5,
  maxMoney: 1e12,
} as const

export const SIMULATION_MODEL_VERSION = 'sim-1'

export type SimulationInput = {
  strategyChange: number
  processChange: number
  technologyChange: number
  revenue: number
  costs: number
  efficiency: number
}

export type CurrentAreaScores = { strategy?: number | null; process?: number | null; technology?: number | null }

export type SimulationResult = {
  revenueImpact: number
  revenueImpactPct: number
  costSavings: number
  costSavingsPct: number
  efficiencyGain: number
  projected: { revenue: number; costs: number; efficiency: number; profit: number }
  baseline: { profit: number }
  effectiveChanges: { strategy: number; process: number; technology: number }
  modelVersion: string
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Number.isFinite(v) ? v : 0))
const round = (v: number, digits = 2) => {
  const f = 10 ** digits
  const r = Math.round(v * f) / f
  return Object.is(r, -0) ? 0 : r
}

/** A change limited by the room left on the 1–5 scale when the current score is known. */
export function effectiveChange(change: number, current: number | null | undefined): number {
  const delta = clamp(change, -2, 2)
  if (current === null || current === undefined || !Number.isFinite(current)) return delta
  const score = clamp(current, 1, 5)
  return delta >= 0 ? Math.min(delta, 5 - score) : Math.max(delta, 1 - score)
}

/** Run the simulation. Inputs outside their ranges are clamped, never trusted. */
export function simulateGrowth(input: SimulationInput, current: CurrentAreaScores = {}): SimulationResult {
  const s = effectiveChange(input.strategyChange, current.strategy)
  const p = effectiveChange(input.processChange, current.process)
  const t = effectiveChange(input.technologyChange, current.technology)
  const revenue = clamp(input.revenue, 0, SIMULATION_LIMITS.maxMoney)
  const costs = clamp(input.costs, 0, SIMULATION_LIMITS.maxMoney)
  const efficiency = clamp(input.efficiency, 0, 100)

  const revenueDrive = 0.5 * s + 0.2 * p + 0.3 * t
  const costDrive = 0.2 * s + 0.5 * p + 0.3 * t
  const efficiencyDrive = 0.1 * s + 0.5 * p + 0.4 * t

  const revenueImpactPct = SIMULATION_LIMITS.maxRevenuePct * Math.tanh(revenueDrive)
  const costSavingsPct = SIMULATION_LIMITS.maxCostPct * Math.tanh(costDrive)
  const share = SIMULATION_LIMITS.maxEfficiencyShare
  const efficiencyGain =
    efficiencyDrive >= 0
      ? (100 - efficiency) * share * Math.tanh(efficiencyDrive)
      : -efficiency * share * Math.tanh(-efficiencyDrive)

  const revenueImpact = revenue * revenueImpactPct
  const costSavings = costs * costSavingsPct
  const projectedRevenue = revenue + revenueImpact
  const projectedCosts = costs - costSavings
  const projectedEfficiency = clamp(efficiency + efficiencyGain, 0, 100)
  return {
    revenueImpact: round(revenueImpact),
    revenueImpactPct: round(revenueImpactPct * 100, 2),
    costSavings: round(costSavings),
    costSavingsPct: round(costSavingsPct * 100, 2),
    efficiencyGain: round(projectedEfficiency - efficiency),
    projected: {
      revenue: round(projectedRevenue),
      costs: round(projectedCosts),
      efficiency: round(projectedEfficiency),
      profit: round(projectedRevenue - projectedCosts),
    },
    baseline: { profit: round(revenue - costs) },
    effectiveChanges: { strategy: round(s), process: round(p), technology: round(t) },
    modelVersion: SIMULATION_MODEL_VERSION,
  }
}

/** A remark on inputs that are valid but probably not what the user meant; shown with the result. */
export type SimulationWarning = {
  code: 'costs_exceed_revenue' | 'no_revenue' | 'no_change'
  field: string
  message: string
}

/**
 * What the simulation should say about its inputs before anyone trusts the result: costs above
 * revenue (a loss-making baseline), no revenue at all (every revenue figure will be 0), or no
 * change to any area (nothing to simulate).
 */
export function simulationWarnings(input: SimulationInput): SimulationWarning[] {
  const warnings: SimulationWarning[] = []
  if (input.revenue === 0)
    warnings.push({
      code: 'no_revenue',
      field: 'revenue',
      message:
        'Revenue is 0, so the revenue impact and the profit are 0 or negative; enter your annual revenue for a meaningful result.',
    })
  else if (input.costs > input.revenue)
    warnings.push({
      code: 'costs_exceed_revenue',
      field: 'costs',
      message: `Costs (${input.costs.toLocaleString('en-US')}) are above revenue (${input.revenue.toLocaleString('en-US')}): the baseline is a loss. Check that both cover the same period.`,
    })
  if (input.strategyChange === 0 && input.processChange === 0 && input.technologyChange === 0)
    warnings.push({
      code: 'no_change',
      field: 'strategyChange',
      message: 'No area changes, so nothing moves: set a change for strategy, process or technology.',
    })
  return warnings
}
