/**
 * Statistical forecast of a score series (1–5) from its history, computed in code; the AI only
 * narrates the result. Time is in days, so irregularly spaced assessments are handled.
 *
 * - 0 points: no forecast (`method: 'none'`).
 * - 1 point: flat at that value (`method: 'naive'`); the interval is ±z·σ₀·√(h/30) with the
 *   prior volatility σ₀ (0.25 points per month), because one point says nothing about spread.
 * - 2 points: the line through both (`method: 'two_point'`) with the slope damped by half
 *   (two points over-read noise) and the same prior-volatility interval.
 * - ≥ 3 points: ordinary least squares on time (`method: 'linear_regression'`) with the 95 %
 *   prediction interval ŷ ± t(0.975, n−2) · s · √(1 + 1/n + (x₀ − x̄)² / Sxx), where s is the
 *   residual standard error; s never goes below a floor (0.05) so a perfectly flat history still
 *   shows some uncertainty.
 *
 * Every point and bound is clamped to the 1–5 scale.
 */

export type HistoryPoint = { at: Date; score: number }
export type ForecastPoint = { horizonDays: number; at: string; value: number; lower: number; upper: number }
export type ForecastMethod = 'none' | 'naive' | 'two_point' | 'linear_regression'
export type SeriesForecast = {
  method: ForecastMethod
  points: number
  last: { at: string; score: number } | null
  /** Score change per 30 days. */
  slopePerMonth: number
  trend: 'improving' | 'stable' | 'declining' | 'unknown'
  forecast: ForecastPoint[]
  residualStdError: number | null
}

export const DEFAULT_HORIZONS = [30, 90, 180] as const
export const PRIOR_MONTHLY_VOLATILITY = 0.25
const MIN_RESIDUAL_SE = 0.05
const DAY_MS = 86_400_000
/** Slope (points per 30 days) below which the trend counts as stable. */
export const STABLE_SLOPE = 0.05

/** Two-sided 95 % Student-t quantiles for 1…30 degrees of freedom; 1.96 beyond. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
]

export function tQuantile975(df: number): number {
  if (df < 1) return Number.POSITIVE_INFINITY
  return T_975[Math.floor(df) - 1] ?? 1.96
}

const clampScore = (v: number) => Math.min(5, Math.max(1, v))
const r = (v: number, d = 2) => {
  const x = Math.round(v * 10 ** d) / 10 ** d
  return Object.is(x, -0) ? 0 : x
}

/** Forecast one series at the given horizons (days after its last point). */
export function forecastSeries(
  history: HistoryPoint[],
  horizons: readonly number[] = DEFAULT_HORIZONS,
): SeriesForecast {
  const points = history
    .filter((p) => Number.isFinite(p.score) && !Number.isNaN(p.at.getTime()))
    .sort((a, b) => a.at.getTime() - b.at.getTime())
  const n = points.length
  if (n === 0)
    return {
      method: 'none',
      points: 0,
      last: null,
      slopePerMonth: 0,
      trend: 'unknown',
      forecast: [],
      residualStdError: null,
    }
  const origin = points[0]!.at.getTime()
  const xs = points.map((p) => (p.at.getTime() - origin) / DAY_MS)
  const ys = points.map((p) => p.score)
  const last = points[n - 1]!
  const lastX = xs[n - 1]!

  let slope: number
  let intercept: number
  let method: ForecastMethod
  let interval: (x0: number, h: number) => number
  let residualStdError: number | null = null
  const priorInterval = (_x0: number, h: number) => 1.96 * PRIOR_MONTHLY_VOLATILITY * Math.sqrt(Math.max(h, 1) / 30)

  const spanDays = lastX - xs[0]!
  if (n === 1 || spanDays === 0) {
    // One point, or several on the same day: the mean, flat.
    const mean = ys.reduce((a, b) => a + b, 0) / n
    slope = 0
    intercept = mean
    method = 'naive'
    interval = priorInterval
  } else if (n === 2) {
    slope = (0.5 * (ys[1]! - ys[0]!)) / spanDays
    intercept = ys[1]! - slope * lastX
    method = 'two_point'
    interval = priorInterval
  } else {
    const meanX = xs.reduce((a, b) => a + b, 0) / n
    const meanY = ys.reduce((a, b) => a + b, 0) / n
    let sxx = 0
    let sxy = 0
    for (let i = 0; i < n; i++) {
      sxx += (xs[i]! - meanX) ** 2
      sxy += (xs[i]! - meanX) * (ys[i]! - meanY)
    }
    slope = sxy / sxx
    intercept = meanY - slope * meanX
    let sse = 0
    for (let i = 0; i < n; i++) sse += (ys[i]! - (intercept + slope * xs[i]!)) ** 2
    const se = Math.max(Math.sqrt(sse / (n - 2)), MIN_RESIDUAL_SE)
    residualStdError = r(se, 4)
    const t = tQuantile975(n - 2)
    method = 'linear_regression'
    interval = (x0) => t * se * Math.sqrt(1 + 1 / n + (x0 - meanX) ** 2 / sxx)
  }

  const forecast = horizons.map((h) => {
    const x0 = lastX + h
    const yhat = intercept + slope * x0
    const half = interval(x0, h)
    return {
      horizonDays: h,
      at: new Date(last.at.getTime() + h * DAY_MS).toISOString(),
      value: r(clampScore(yhat)),
      lower: r(clampScore(yhat - half)),
      upper: r(clampScore(yhat + half)),
    }
  })
  const slopePerMonth = r(slope * 30, 3)
  const trend = Math.abs(slopePerMonth) < STABLE_SLOPE ? 'stable' : slopePerMonth > 0 ? 'improving' : 'declining'
  return {
    method,
    points: n,
    last: { at: last.at.toISOString(), score: last.score },
    slopePerMonth,
    trend,
    forecast,
    residualStdError,
  }
}
