import type { Benchmark } from '../growth/benchmarks.ts'
import { industryGroup } from '../growth/ml-score.ts'
import { GROWTH_AREAS } from '../assessments/types.ts'
import type { ScoreArea, ScoreSet } from '../growth/scores.ts'
import { ADVICE, INDUSTRY_FOCUS, type AdviceAction } from './library.ts'
import { standingOf, type AreaScore, type Standing } from './standing.ts'
import {
  actionKey,
  areaInSentence,
  areaLabel,
  formatScore,
  levelOf,
  levelWords,
  ownerPhrase,
  timeframePhrase,
} from './words.ts'

/**
 * The rules engine: the advice every user sees when no AI provider answers, built from their own
 * scores only. One ordered plan of actions feeds the dashboard roadmap (its first
 * `ROADMAP_SIZE` actions), the recommendations (the next ones, so the two never repeat) and the
 * growth levers (the first five, each with a stable key). See docs/features.md, "Rules engine".
 */

export const ROADMAP_SIZE = 4
export const RECOMMENDATION_COUNT = 4
export const LEVER_COUNT = 5

export type Point = { title: string; impact: string }
export type PlannedAction = { key: string; area: ScoreArea; score: number | null; action: AdviceAction }
export type RoadmapItem = { task: string; expectedImpact: string; owner: string; timeframe: string }
export type DashboardAdvice = { strengths: Point[]; weaknesses: Point[]; roadmap: RoadmapItem[]; insights: string[] }
export type BenchmarkLike = Pick<Benchmark, 'area' | 'userScore' | 'average' | 'percentile' | 'peers' | 'source'>

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
const IMPACT_WORDS = { high: 'High', medium: 'Medium', low: 'Modest' } as const

/** The industry framing sentence for a free-text industry. */
export function industryFocus(industry: string | null | undefined): string {
  return INDUSTRY_FOCUS[industryGroup(industry)] ?? INDUSTRY_FOCUS.general!
}

/** The library's actions for an area at the level of its score (foundational when not assessed). */
export function actionsFor(area: ScoreArea, score: number | null | undefined): AdviceAction[] {
  return ADVICE[area][levelOf(score) ?? 'foundational']
}

/**
 * The user's plan: distinct actions taken round-robin over their areas, lowest score first, then
 * the growth areas they have not assessed (at the foundational level). The weakest area gets the
 * first action, the next weakest the second, and so on; strong areas come last.
 */
export function planActions(scores: ScoreSet, count: number): PlannedAction[] {
  const standing = standingOf(scores)
  const ordered: Array<[ScoreArea, number | null]> = [...standing.assessed].reverse().map((a) => [a.area, a.score])
  for (const area of GROWTH_AREAS) if (!ordered.some(([a]) => a === area)) ordered.push([area, null])
  const pools = ordered.map(([area, score]) => ({ area, score, actions: [...actionsFor(area, score)] }))
  const picked: PlannedAction[] = []
  const seen = new Set<string>()
  while (picked.length < count && pools.some((p) => p.actions.length > 0)) {
    for (const pool of pools) {
      if (picked.length >= count) break
      const action = pool.actions.shift()
      if (!action) continue
      const key = actionKey(pool.area, action.title)
      if (seen.has(key)) continue
      seen.add(key)
      picked.push({ key, area: pool.area, score: pool.score, action })
    }
  }
  return picked
}

/** "That is 0.4 above the average of 12 industry peers (3.1), percentile 64." — or nothing. */
export function benchmarkPhrase(b: BenchmarkLike | undefined): string {
  if (!b || b.userScore === null) return ''
  if (b.source === 'default') return ' There are not enough peers yet to compare this score with.'
  const who = b.source === 'industry' ? `${b.peers} industry peers` : `${b.peers} businesses on OptimaliQ`
  const delta = b.userScore - b.average
  const where = Math.abs(delta) < 0.05 ? 'level with' : `${Math.abs(delta).toFixed(1)} ${delta > 0 ? 'above' : 'below'}`
  return ` That is ${where} the average of ${who} (${b.average.toFixed(1)})${b.percentile !== null ? `, percentile ${Math.round(b.percentile)}` : ''}.`
}

function strengthPoint(a: AreaScore, standing: Standing, bench?: BenchmarkLike): Point {
  const n = standing.assessed.length
  const atMax = standing.assessed.filter((x) => x.score === standing.max).length
  const relation =
    n === 1
      ? ''
      : standing.balanced
        ? ', level with your other areas'
        : a.score === standing.max
          ? atMax === 1
            ? ' and your strongest area'
            : ' and one of your strongest areas'
          : `, above your own average of ${standing.mean!.toFixed(1)}`
  return {
    title: `${areaLabel(a.area)} (${formatScore(a.score)})`,
    impact: `${areaLabel(a.area)} is ${levelWords(a.score)}${relation}; build on it to carry improvements elsewhere.${benchmarkPhrase(bench)}`,
  }
}

/** What a weakness costs, in words that fit its level. */
const WEAKNESS_TAIL = {
  foundational: 'it limits growth until it improves.',
  developing: 'raising it lifts the whole business.',
  advanced: 'the next gains come from refining it.',
} as const

function weaknessPoint(a: AreaScore, standing: Standing, bench?: BenchmarkLike): Point {
  const n = standing.assessed.length
  const atMin = standing.assessed.filter((x) => x.score === standing.min).length
  const relation =
    n === 1
      ? ''
      : standing.balanced
        ? ', like your other areas'
        : a.score === standing.min
          ? `${levelOf(a.score) === 'advanced' ? ' but' : ' and'} ${atMin === 1 ? 'your weakest area' : 'one of your weakest areas'}`
          : a.score <= standing.mean! - 0.25
            ? `, below your own average of ${standing.mean!.toFixed(1)}`
            : ''
  return {
    title: `${areaLabel(a.area)} (${formatScore(a.score)})`,
    impact: `${areaLabel(a.area)} is ${levelWords(a.score)}${relation}; ${WEAKNESS_TAIL[levelOf(a.score)!]}${benchmarkPhrase(bench)}`,
  }
}

/** A planned action as a dashboard roadmap item. */
export function roadmapItem(p: PlannedAction): RoadmapItem {
  const where =
    p.score === null
      ? `A first step for ${areaInSentence(p.area)}, which is not assessed yet.`
      : `${IMPACT_WORDS[p.action.impact]} impact on ${areaInSentence(p.area)}, now ${formatScore(p.score)} (${levelWords(p.score)}).`
  return {
    task: `${p.action.title} (${areaLabel(p.area)})`,
    expectedImpact: `${p.action.description} ${where}`,
    owner: p.action.owner,
    timeframe: p.action.timeframe,
  }
}

/** Strengths, weaknesses, the roadmap and insights for the dashboard. */
export function dashboardAdvice(
  scores: ScoreSet,
  benchmarks: BenchmarkLike[],
  industry: string | null | undefined,
): DashboardAdvice {
  const standing = standingOf(scores)
  const bench = new Map(benchmarks.map((b) => [b.area, b]))
  const strengths = standing.strengths.map((a) => strengthPoint(a, standing, bench.get(a.area)))
  const weaknesses = standing.weaknesses.map((a) => weaknessPoint(a, standing, bench.get(a.area)))
  const plan = planActions(scores, ROADMAP_SIZE)
  const roadmap = plan.map(roadmapItem)
  const insights: string[] = []
  const n = standing.assessed.length
  if (n === 0) {
    insights.push(
      'No area is assessed yet. Take the growth assessment (eight questions) to score strategy, process and technology; strengths and weaknesses appear once your areas are scored.',
    )
  } else {
    if (typeof scores.overall === 'number')
      insights.push(
        `Your overall score is ${formatScore(scores.overall)} (${levelWords(scores.overall)}).${benchmarkPhrase(bench.get('overall'))}`,
      )
    const first = plan[0]!
    if (first.score !== null)
      insights.push(
        `${areaLabel(first.area)} (${formatScore(first.score)}) has the most room to grow among your assessed areas; the roadmap starts there.`,
      )
    if (standing.balanced)
      insights.push(
        `Your assessed areas are within ${(standing.max! - standing.min!).toFixed(1)} points of each other: lift them together rather than fixing one.`,
      )
    else if (n >= 2 && standing.strengths.length === 0 && standing.weaknesses.length === 0)
      insights.push(
        'No area stands out yet: none is clearly above your own average at 3.0 or more, and none lags clearly behind.',
      )
    if (n < 3)
      insights.push(
        `${n === 1 ? 'One area is' : `${n} areas are`} assessed so far; strengths and weaknesses are relative to what is measured, so take more assessments for a fuller picture.`,
      )
  }
  insights.push(industryFocus(industry))
  return { strengths, weaknesses, roadmap, insights: insights.slice(0, 5) }
}

export type LeverAdvice = {
  key: string
  title: string
  description: string
  targetArea: ScoreArea
  expectedImpact: string
  effort: AdviceAction['effort']
}

/** The five growth levers: the first five actions of the plan, each with a stable key. */
export function leverAdvice(scores: ScoreSet, industry: string | null | undefined): LeverAdvice[] {
  const focus = industryFocus(industry)
  return planActions(scores, LEVER_COUNT).map(({ key, area, score, action }, i) => ({
    key,
    title: action.title,
    description: `${action.description}${i === 0 ? ` ${focus}` : ''}`,
    targetArea: area,
    expectedImpact: `${IMPACT_WORDS[action.impact]} impact on ${areaInSentence(area)} (${score === null ? 'not yet assessed' : `now ${formatScore(score)}`}) ${timeframePhrase(action.timeframe)}; ${ownerPhrase(action.owner)}.`,
    effort: action.effort,
  }))
}

export type RecommendedAction = {
  key: string
  title: string
  description: string
  area: ScoreArea
  priority: 'high' | 'medium' | 'low'
  timeframe: string
}

/**
 * The recommended actions: the plan's actions after the roadmap's, so the dashboard's two lists
 * complement each other instead of repeating.
 */
export function recommendedActions(scores: ScoreSet, count = RECOMMENDATION_COUNT): RecommendedAction[] {
  return planActions(scores, ROADMAP_SIZE + count)
    .slice(ROADMAP_SIZE)
    .map(({ key, area, score, action }, i) => ({
      key,
      title: action.title,
      description: `${action.description} ${capitalize(ownerPhrase(action.owner))}${score === null ? `; ${areaInSentence(area)} is not assessed yet.` : `; ${areaInSentence(area)} is ${formatScore(score)} (${levelWords(score)}).`}`,
      area,
      priority: i === 0 || action.impact === 'high' ? 'high' : action.impact === 'medium' ? 'medium' : 'low',
      timeframe: action.timeframe,
    }))
}
