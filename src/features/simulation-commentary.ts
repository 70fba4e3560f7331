import { z } from 'zod'
import type { AiFeature } from '../gateway/types.ts'
import { industryFocus } from './rules/advice.ts'
import { businessContext, dataBlock, DATA_SAFETY } from './shared.ts'
import { simulationResult } from '../contracts/features.ts'

export const simulationCommentaryInput = z.object({
  input: z.object({
    strategyChange: z.number(),
    processChange: z.number(),
    technologyChange: z.number(),
    revenue: z.number(),
    costs: z.number(),
    efficiency: z.number(),
  }),
  result: simulationResult.pick({
    revenueImpact: true,
    revenueImpactPct: true,
    costSavings: true,
    costSavingsPct: true,
    efficiencyGain: true,
    projected: true,
    baseline: true,
  }),
  context: businessContext,
})
export type SimulationCommentaryInput = z.infer<typeof simulationCommentaryInput>

export const simulationCommentaryOutput = z.object({ commentary: z.string().min(40).max(900) })
export type SimulationCommentaryOutput = z.infer<typeof simulationCommentaryOutput>

const money = (v: number) => `${v < 0 ? '−' : ''}$${Math.abs(v).toLocaleString('en-US', { maximumFractionDigits: 0 })}`
const signed = (v: number, unit = '') => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(1)}${unit}`

/** A 2–3 sentence executive summary of a what-if simulation (temperature 0.7, per the seed). */
export const simulationCommentary: AiFeature<SimulationCommentaryInput, SimulationCommentaryOutput> = {
  name: 'simulation_commentary',
  description: 'A 2–3 sentence executive summary of a growth simulation.',
  input: simulationCommentaryInput,
  output: simulationCommentaryOutput,
  prompt: {
    version: 'simulation_commentary@1',
    system: `You are a CFO-level advisor. In two or three sentences, summarise for an executive what this what-if simulation means: the size of the revenue, cost and efficiency effects, which change drives them, and the main caveat. Use the numbers given; do not invent others. ${DATA_SAFETY}`,
    render: (input) =>
      [
        `Simulation: ${dataBlock('simulation', { input: input.input, result: input.result })}`,
        `Business context: ${dataBlock('context', input.context)}`,
      ].join('\n'),
  },
  route: 'default',
  temperature: 0.7,
  maxTokens: 300,
  cacheTtlSeconds: 7 * 24 * 3600,
  rules({ input, result, context }) {
    const changes = [
      ['strategy', input.strategyChange],
      ['process', input.processChange],
      ['technology', input.technologyChange],
    ] as const
    const driver = [...changes].sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))[0]!
    const profitDelta = result.projected.profit - result.baseline.profit
    if (driver[1] === 0) {
      return {
        commentary: `With no change to strategy, process or technology, revenue stays at ${money(result.projected.revenue)} and profit at ${money(result.projected.profit)}. Try raising your lowest area by one point to see what it is worth. ${industryFocus(context.industry)}`,
      }
    }
    return {
      commentary: `${driver[1] > 0 ? 'Raising' : 'Lowering'} ${driver[0]} by ${Math.abs(driver[1])} point${Math.abs(driver[1]) === 1 ? '' : 's'} (with the other changes) moves revenue by ${money(result.revenueImpact)} (${signed(result.revenueImpactPct, ' %')}) and costs by ${money(-result.costSavings)}, changing profit by ${money(profitDelta)} to ${money(result.projected.profit)}. Efficiency moves ${signed(result.efficiencyGain, ' points')} to ${result.projected.efficiency.toFixed(1)}. These are modelled effects with diminishing returns; treat them as the ceiling of a well-executed plan, not a forecast.`,
    }
  },
}
