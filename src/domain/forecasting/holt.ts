import { linearRegression, mean, probit } from 'simple-statistics'

/**
 * A score forecast that says when it cannot forecast. Computed in code; the AI only narrates it.
 *
 * **Enough history.** At least `MIN_SUBMISSIONS` points on different days, spanning at least
 * `MIN_SPAN_DAYS`; otherwise the answer is `status: 'insufficient_data'` with what is missing.
 * Points taken on the same day are merged into their mean first, so four submissions minutes
 * apart are one point, not a steep trend.
 *
 * **Model.** Holt's linear method with a damped trend, on irregularly spaced points: time is in
 * months (30 days) and a gap of Δ months between two points counts as Δ steps —
 *
 *   forecast over Δ:  ŷ = ℓ + b·Φ(Δ),   Φ(Δ) = φ(1 − φ^Δ)/(1 − φ)   (the damped trend's reach)
 *   weights for Δ:    α_Δ = 1 − (1 − α)^Δ,   β_Δ = 1 − (1 − β)^Δ     (a long gap trusts the new point more)
 *   level:            ℓ' = α_Δ·y + (1 − α_Δ)·ŷ
 *   trend:            b' = β_Δ·(ℓ' − ℓ)/Δ + (1 − β_Δ)·φ^Δ·b
 *
 * started from the least-squares line through the first three points. The damped trend
 * flattens with the horizon (a business's score does not climb forever), and every value and
 * bound is clamped to the 1–5 scale.
 *
 * **Intervals.** σ is the one-step-ahead error per month of gap, shrunk towards a prior
 * (`PRIOR_SIGMA`, weight `PRIOR_WEIGHT` points) because a short history says little about its
 * own noise. The variance at h months is that of the damped-trend state-space model,
 * σ²·(1 + Σ_{j<h} (α(1 + βΦ(j)))²), the `level` (default 95 %) interval ŷ ± z·√Var.
 *
 * **Backtest.** Rolling origin: every point after the first four is forecast from the points
 * before it; the mean absolute error is reported beside that of the naive forecast (the last
 * score), so a user can see whether the model beats "nothing changes".
 */

export type HistoryPoint = { at: Date; score: number }
export type ForecastPoint = { horizonDays: number; at: string; value: number; lower: number; upper: number }

export const MIN_SUBMISSIONS = 3
export const MIN_SPAN_DAYS = 30
export const HOLT_PARAMS = { alpha: 0.5, beta: 0.2, phi: 0.9 } as const
export const PRIOR_SIGMA = 0.35
/** Share of the state-space model's variance growth kept (see the module comment). */
export const GROWTH_SHARE = 0.35
export const PRIOR_WEIGHT = 2
export const DEFAULT_LEVEL = 0.95
export const FORECAST_HORIZONS = [30, 90, 180] as const
/** Trend per month below which a series counts as stable. */
export const STABLE_TREND = 0.05

const DAY_MS = 86_400_000
const MONTH_DAYS = 30

export type InsufficientForecast = {
  status: 'insufficient_data'
  submissions: number
  spanDays: number
  needed: { submissions: number; spanDays: number }
  message: string
  last: { at: string; score: number } | null
}

export type ScoreForecast = {
  status: 'ok'
  method: 'damped_holt'
  submissions: number
  spanDays: number
  last: { at: string; score: number }
  level: number
  trendPerMonth: number
  trend: 'improving' | 'stable' | 'declining'
  params: { alpha: number; beta: number; phi: number }
  sigma: number
  intervalLevel: number
  forecast: ForecastPoint[]
  backtest: { points: number; mae: number; naiveMae: number } | null
}

export type ForecastAnswer = ScoreForecast | InsufficientForecast

type Point = { t: number; y: number }
type State = { level: number; trend: number; t: number }

const clamp = (v: number) => Math.min(5, Math.max(1, v))
const r = (v: number, d = 2) => {
  const x = Math.round(v * 10 ** d) / 10 ** d
  return Object.is(x, -0) ? 0 : x
}

/** Φ(Δ) = φ + φ² + … over Δ (possibly fractional) months. */
export function dampedReach(phi: number, months: number): number {
  return phi === 1 ? months : (phi * (1 - phi ** months)) / (1 - phi)
}

/** Same-day points merged into their mean, sorted, time in months since the first. */
export function dailyPoints(history: HistoryPoint[]): {
  points: Point[]
  first: Date | null
  last: HistoryPoint | null
} {
  const valid = history
    .filter((p) => Number.isFinite(p.score) && !Number.isNaN(p.at.getTime()))
    .sort((a, b) => a.at.getTime() - b.at.getTime())
  if (valid.length === 0) return { points: [], first: null, last: null }
  const byDay = new Map<number, number[]>()
  for (const p of valid) {
    const dayIndex = Math.floor(p.at.getTime() / DAY_MS)
    const list = byDay.get(dayIndex) ?? []
    list.push(p.score)
    byDay.set(dayIndex, list)
  }
  const firstDay = Math.floor(valid[0]!.at.getTime() / DAY_MS)
  const points = [...byDay.entries()].map(([d, ys]) => ({ t: (d - firstDay) / MONTH_DAYS, y: mean(ys) }))
  return { points, first: valid[0]!.at, last: valid[valid.length - 1]! }
}

/** Run the damped Holt recursion; returns the final state and the one-step errors per √month of gap. */
function fit(
  points: Point[],
  params: { alpha: number; beta: number; phi: number },
): { state: State; errors: number[] } {
  const { alpha, beta, phi } = params
  const start = points.slice(0, 3)
  const line = linearRegression(start.map((p) => [p.t, p.y]))
  const slope = Number.isFinite(line.m) ? line.m : 0
  let state: State = { level: line.b + slope * start[0]!.t, trend: slope, t: start[0]!.t }
  const errors: number[] = []
  for (const [i, p] of points.entries()) {
    if (i === 0) continue
    const gap = p.t - state.t
    const predicted = state.level + state.trend * dampedReach(phi, gap)
    // The first steps are fitted by the initial line itself: their errors would understate σ.
    if (i >= 3) errors.push((p.y - predicted) / Math.sqrt(Math.max(gap, 1)))
    const a = 1 - (1 - alpha) ** gap
    const b = 1 - (1 - beta) ** gap
    const level = a * p.y + (1 - a) * predicted
    const trend = b * ((level - state.level) / gap) + (1 - b) * phi ** gap * state.trend
    state = { level, trend, t: p.t }
  }
  return { state, errors }
}

function sigmaOf(errors: number[]): number {
  const sse = errors.reduce((s, e) => s + e * e, 0)
  return Math.sqrt((sse + PRIOR_WEIGHT * PRIOR_SIGMA ** 2) / (errors.length + PRIOR_WEIGHT))
}

/** Variance multiplier at h months for the damped-trend model: 1 + Σ_{j=1}^{h−1} (α(1 + βΦ(j)))². */
export function varianceFactor(h: number, params: { alpha: number; beta: number; phi: number }): number {
  let sum = 1
  const steps = Math.max(1, Math.ceil(h))
  for (let j = 1; j < steps; j++)
    sum += GROWTH_SHARE * (params.alpha * (1 + params.beta * dampedReach(params.phi, j))) ** 2
  return sum
}

function missingMessage(count: number, spanDays: number): string {
  const parts: string[] = []
  if (count < MIN_SUBMISSIONS) {
    const more = MIN_SUBMISSIONS - count
    parts.push(`${more} more assessment${more === 1 ? '' : 's'} on ${more === 1 ? 'another day' : 'different days'}`)
  }
  if (spanDays < MIN_SPAN_DAYS)
    parts.push(
      `a history spanning at least ${MIN_SPAN_DAYS} days (yours spans ${spanDays} day${spanDays === 1 ? '' : 's'})`,
    )
  return `A forecast needs ${MIN_SUBMISSIONS} assessments on different days spanning at least ${MIN_SPAN_DAYS} days; you need ${parts.join(' and ')}.`
}

/** Forecast a score series, or say what is missing. */
export function forecastScores(
  history: HistoryPoint[],
  options: { horizons?: readonly number[]; level?: number; params?: { alpha: number; beta: number; phi: number } } = {},
): ForecastAnswer {
  const params = options.params ?? HOLT_PARAMS
  const intervalLevel = options.level ?? DEFAULT_LEVEL
  const horizons = options.horizons ?? FORECAST_HORIZONS
  const { points, first, last } = dailyPoints(history)
  const spanDays = points.length === 0 ? 0 : Math.round(points[points.length - 1]!.t * MONTH_DAYS)
  const lastOut = last ? { at: last.at.toISOString(), score: last.score } : null
  if (points.length < MIN_SUBMISSIONS || spanDays < MIN_SPAN_DAYS) {
    return {
      status: 'insufficient_data',
      submissions: points.length,
      spanDays,
      needed: { submissions: MIN_SUBMISSIONS, spanDays: MIN_SPAN_DAYS },
      message: missingMessage(points.length, spanDays),
      last: lastOut,
    }
  }
  const { state, errors } = fit(points, params)
  const sigma = sigmaOf(errors)
  const z = probit(0.5 + intervalLevel / 2)
  const lastAt = first!.getTime() + state.t * MONTH_DAYS * DAY_MS
  const forecast = horizons.map((days) => {
    const h = days / MONTH_DAYS
    const value = state.level + state.trend * dampedReach(params.phi, h)
    const half = z * sigma * Math.sqrt(varianceFactor(h, params))
    return {
      horizonDays: days,
      at: new Date(lastAt + days * DAY_MS).toISOString(),
      value: r(clamp(value)),
      lower: r(clamp(value - half)),
      upper: r(clamp(value + half)),
    }
  })
  const trendPerMonth = r(state.trend, 3)
  return {
    status: 'ok',
    method: 'damped_holt',
    submissions: points.length,
    spanDays,
    last: lastOut!,
    level: r(clamp(state.level)),
    trendPerMonth,
    trend: Math.abs(trendPerMonth) < STABLE_TREND ? 'stable' : trendPerMonth > 0 ? 'improving' : 'declining',
    params: { ...params },
    sigma: r(sigma, 3),
    intervalLevel,
    forecast,
    backtest: backtest(points, params),
  }
}

/** Rolling-origin one-step backtest from the fifth point on: MAE of the model and of the naive forecast. */
export function backtest(
  points: Point[],
  params: { alpha: number; beta: number; phi: number },
): { points: number; mae: number; naiveMae: number } | null {
  const model: number[] = []
  const naive: number[] = []
  for (let k = 4; k < points.length; k++) {
    const { state } = fit(points.slice(0, k), params)
    const target = points[k]!
    model.push(Math.abs(target.y - clamp(state.level + state.trend * dampedReach(params.phi, target.t - state.t))))
    naive.push(Math.abs(target.y - points[k - 1]!.y))
  }
  if (model.length === 0) return null
  return { points: model.length, mae: r(mean(model), 3), naiveMae: r(mean(naive), 3) }
}
