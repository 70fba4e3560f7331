import { leastSquaresLine } from './robust.ts'

/**
 * Exponential smoothing with a damped additive trend (Holt, Gardner–McKenzie damping) and,
 * optionally, additive seasonality (Holt–Winters), in the error-correction form of ETS(A,Ad,N)
 * and ETS(A,Ad,A) (Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", §8):
 *
 *   ŷ(t)   = ℓ(t−1) + φ·b(t−1) + s(t−m)          e(t) = y(t) − ŷ(t)
 *   ℓ(t)   = ℓ(t−1) + φ·b(t−1) + α·e(t)
 *   b(t)   = φ·b(t−1) + β·e(t)                   (β = α·β*, 0 < β* < 1)
 *   s(t)   = s(t−m) + γ·e(t)                     (γ = (1 − α)·γ*, 0 < γ* < 1)
 *
 * h-step forecast: ℓ(n) + (φ + … + φʰ)·b(n) + s(n + h − m⌈h/m⌉). Its error variance is
 * σ²·(1 + Σ_{j=1}^{h−1} c_j²) with c_j = α + β·(φ + … + φʲ) + γ·[j mod m = 0] — exact for the
 * linear model, so the intervals widen with the horizon as the model says they should.
 *
 * The parameters minimise the in-sample sum of squared one-step errors: a coarse grid, then a
 * pattern search around its best point (deterministic, ~150 passes over the series).
 */

export type SmoothingParams = { alpha: number; beta: number; phi: number; gamma: number }
export type SmoothingFit = {
  params: SmoothingParams
  seasonLength: number
  level: number
  trend: number
  /** Seasonal states for the next m periods: `season[k]` applies to period n + k (k = 0…m−1). */
  season: Float64Array
  sse: number
  /** Number of one-step errors in `sse`. */
  count: number
  /** Fitted one-step-ahead values, aligned with the input. */
  fitted: Float64Array
}

const PHI_MIN = 0.8
const PHI_MAX = 0.98

type Raw = { alpha: number; betaStar: number; phi: number; gammaStar: number }
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))

function toParams(raw: Raw, seasonal: boolean): SmoothingParams {
  const alpha = clamp(raw.alpha, 0.01, 0.99)
  return {
    alpha,
    beta: alpha * clamp(raw.betaStar, 0.001, 0.99),
    phi: clamp(raw.phi, PHI_MIN, PHI_MAX),
    gamma: seasonal ? (1 - alpha) * clamp(raw.gammaStar, 0.001, 0.99) : 0,
  }
}

type Initial = { level: number; trend: number; season: Float64Array }

/**
 * Initial states. Without a season: a least-squares line through the first six months. With one:
 * the trend from the means of the first two cycles (a season averages out within a cycle, so it
 * cannot tilt the slope), then each position's mean deviation from that line, centred on zero.
 */
function initialStates(y: ArrayLike<number>, m: number): Initial {
  const season = new Float64Array(Math.max(m, 1))
  if (m <= 1) {
    const line = leastSquaresLine(Float64Array.from({ length: Math.min(y.length, 6) }, (_, i) => y[i]!))
    // States at time −1, so the first update produces the fitted value for t = 0.
    return { level: line.intercept - line.slope, trend: line.slope, season }
  }
  let first = 0
  let second = 0
  for (let i = 0; i < m; i++) {
    first += y[i]! / m
    second += y[m + i]! / m
  }
  const slope = (second - first) / m
  const centre = (m - 1) / 2
  for (let i = 0; i < 2 * m; i++) season[i % m]! += (y[i]! - (first + slope * (i - centre))) / 2
  let mean = 0
  for (let k = 0; k < m; k++) mean += season[k]! / m
  for (let k = 0; k < m; k++) season[k]! -= mean
  return { level: first + slope * (-1 - centre), trend: slope, season }
}

/** One pass over the series; returns the SSE (and fills `out` when given). */
function run(
  y: ArrayLike<number>,
  m: number,
  p: SmoothingParams,
  init: Initial,
  work: Float64Array,
  out?: SmoothingFit,
): number {
  let level = init.level
  let trend = init.trend
  const seasonal = m > 1
  if (seasonal) work.set(init.season)
  let sse = 0
  for (let t = 0; t < y.length; t++) {
    const s = seasonal ? work[t % m]! : 0
    const forecast = level + p.phi * trend + s
    const e = y[t]! - forecast
    sse += e * e
    if (out) out.fitted[t] = forecast
    const nextLevel = level + p.phi * trend + p.alpha * e
    trend = p.phi * trend + p.beta * e
    level = nextLevel
    if (seasonal) work[t % m] = s + p.gamma * e
  }
  if (out) {
    out.level = level
    out.trend = trend
    out.sse = sse
    out.count = y.length
    if (seasonal) for (let k = 0; k < m; k++) out.season[k] = work[(y.length + k) % m]!
  }
  return sse
}

const ALPHAS = [0.1, 0.3, 0.5, 0.7, 0.9]
const BETA_STARS = [0.02, 0.1, 0.3]
const PHIS = [0.85, 0.95]
const GAMMA_STARS = [0.02, 0.1, 0.3]

/** Fit damped Holt (`seasonLength` 1) or damped Holt–Winters (`seasonLength` m ≥ 2, needs ≥ 2m points). */
export function fitSmoothing(y: ArrayLike<number>, seasonLength = 1): SmoothingFit {
  const m = seasonLength > 1 ? seasonLength : 1
  const seasonal = m > 1
  if (y.length < (seasonal ? 2 * m : 3))
    throw new RangeError(`need at least ${seasonal ? 2 * m : 3} points, got ${y.length}`)
  const init = initialStates(y, m)
  const work = new Float64Array(m)
  const cost = (raw: Raw) => run(y, m, toParams(raw, seasonal), init, work)

  let best: Raw = { alpha: 0.3, betaStar: 0.1, phi: 0.95, gammaStar: 0.1 }
  let bestSse = Number.POSITIVE_INFINITY
  for (const alpha of ALPHAS)
    for (const betaStar of BETA_STARS)
      for (const phi of PHIS)
        for (const gammaStar of seasonal ? GAMMA_STARS : [0]) {
          const raw = { alpha, betaStar, phi, gammaStar }
          const sse = cost(raw)
          if (sse < bestSse) {
            bestSse = sse
            best = raw
          }
        }

  // Pattern search: try ± a step on each coordinate, halve the steps when nothing improves.
  const keys: (keyof Raw)[] = seasonal ? ['alpha', 'betaStar', 'phi', 'gammaStar'] : ['alpha', 'betaStar', 'phi']
  const steps: Raw = { alpha: 0.1, betaStar: 0.05, phi: 0.04, gammaStar: 0.05 }
  for (let round = 0; round < 6; round++) {
    let improved = true
    let guard = 0
    while (improved && guard++ < 8) {
      improved = false
      for (const key of keys) {
        for (const dir of [-1, 1]) {
          const candidate = { ...best, [key]: best[key] + dir * steps[key] }
          const sse = cost(candidate)
          if (sse < bestSse - 1e-12 * Math.abs(bestSse)) {
            bestSse = sse
            best = candidate
            improved = true
          }
        }
      }
    }
    for (const key of keys) steps[key] /= 2
  }

  const params = toParams(best, seasonal)
  const fit: SmoothingFit = {
    params,
    seasonLength: m,
    level: 0,
    trend: 0,
    season: new Float64Array(m),
    sse: 0,
    count: 0,
    fitted: new Float64Array(y.length),
  }
  run(y, m, params, init, work, fit)
  return fit
}

/** Point forecasts for h = 1…horizon. */
export function smoothingForecast(fit: SmoothingFit, horizon: number): number[] {
  const { level, trend, season, seasonLength: m, params } = fit
  const out: number[] = []
  let damp = 0
  for (let h = 1; h <= horizon; h++) {
    damp += params.phi ** h
    out.push(level + damp * trend + (m > 1 ? season[(h - 1) % m]! : 0))
  }
  return out
}

/** Forecast-error variance multipliers 1 + Σ c_j² for h = 1…horizon (multiply by σ²). */
export function varianceMultipliers(fit: SmoothingFit, horizon: number): number[] {
  const { alpha, beta, phi, gamma } = fit.params
  const m = fit.seasonLength
  const out: number[] = []
  let sum = 1
  let damp = 0
  for (let h = 1; h <= horizon; h++) {
    out.push(sum)
    damp += phi ** h
    const c = alpha + beta * damp + (m > 1 && h % m === 0 ? gamma : 0)
    sum += c * c
  }
  return out
}

/**
 * Number of estimated quantities for the degrees of freedom of σ²: the smoothing parameters and
 * the initial states (level, trend, m − 1 free seasonal indices), as R's `ets` counts them. The
 * states are estimated from the same noisy months, so leaving them out makes intervals too narrow
 * (measured: 85 % coverage for a stated 95 % on 36 seasonal months).
 */
export function parameterCount(fit: SmoothingFit): number {
  return fit.seasonLength > 1 ? 4 + 2 + fit.seasonLength - 1 : 3 + 2
}
