import { addMonths, contiguousTail, type MonthKey, type MonthlyPoint } from './months.ts'
import { intervalMultiplier } from './robust.ts'
import {
  fitSmoothing,
  parameterCount,
  smoothingForecast,
  varianceMultipliers,
  type SmoothingFit,
  type SmoothingParams,
} from './smoothing.ts'

/**
 * Forecast of one monthly series: damped-trend Holt from `MIN_MONTHS` consecutive months,
 * seasonal Holt–Winters (m = 12) from `SEASONAL_MONTHS`. Only the unbroken run of months that
 * ends at the latest one is used; gaps before it are named so the user can fill them in.
 * Intervals at 80 % and 95 % use the model's h-step variance and a Student-t multiplier on the
 * residual standard error (degrees of freedom: months − parameters), so short histories get
 * wider intervals. The backtest refits on all but the last months and scores the held-out ones.
 */

export const MIN_MONTHS = 6
export const SEASONAL_MONTHS = 24
export const SEASON_LENGTH = 12
export const MAX_HORIZON = 24

export type ForecastMethod = 'holt_winters' | 'damped_trend'
export type ForecastPoint = {
  month: MonthKey
  value: number
  lower80: number
  upper80: number
  lower95: number
  upper95: number
}
export type Backtest = {
  /** Months held out at the end and forecast from the rest. */
  holdout: number
  method: ForecastMethod
  /** Mean absolute error over the held-out months. */
  mae: number
  /** Mean absolute percentage error (null when a held-out value is 0). */
  mape: number | null
  /** The same error for "next month equals last month", for comparison. */
  naiveMae: number
  /** Share of held-out months inside the 95 % interval. */
  coverage95: number
}
export type SeriesForecastOk = {
  status: 'ok'
  method: ForecastMethod
  history: { months: number; from: MonthKey; to: MonthKey }
  params: SmoothingParams
  residualStdError: number
  /** Average change per month over the horizon (forecast end minus last value, over months). */
  trendPerMonth: number
  points: ForecastPoint[]
  backtest: Backtest | null
  notes: string[]
}
export type SeriesForecastMissing = {
  status: 'insufficient_history'
  have: number
  need: number
  gaps: MonthKey[]
  missing: string
}
export type SeriesForecast = SeriesForecastOk | SeriesForecastMissing
export type ForecastOptions = { horizon: number; min?: number; max?: number; label?: string }

const round = (v: number, digits = 4) => {
  const f = 10 ** digits
  const x = Math.round(v * f) / f
  return Object.is(x, -0) ? 0 : x
}

function fitFor(values: number[]): { fit: SmoothingFit; method: ForecastMethod } {
  const seasonal = values.length >= SEASONAL_MONTHS
  return { fit: fitSmoothing(values, seasonal ? SEASON_LENGTH : 1), method: seasonal ? 'holt_winters' : 'damped_trend' }
}

function intervals(fit: SmoothingFit, horizon: number) {
  const df = Math.max(1, fit.count - parameterCount(fit))
  const sigma = Math.sqrt(fit.sse / df)
  const means = smoothingForecast(fit, horizon)
  const variance = varianceMultipliers(fit, horizon)
  const t80 = intervalMultiplier(80, df)
  const t95 = intervalMultiplier(95, df)
  return {
    sigma,
    points: means.map((value, i) => {
      const se = sigma * Math.sqrt(variance[i]!)
      return {
        value,
        lower80: value - t80 * se,
        upper80: value + t80 * se,
        lower95: value - t95 * se,
        upper95: value + t95 * se,
      }
    }),
  }
}

function backtest(values: number[], horizon: number): Backtest | null {
  const holdout = Math.max(1, Math.min(horizon, Math.floor(values.length / 4)))
  const train = values.slice(0, values.length - holdout)
  if (train.length < MIN_MONTHS) return null
  const { fit, method } = fitFor(train)
  const { points } = intervals(fit, holdout)
  const actual = values.slice(train.length)
  const last = train[train.length - 1]!
  let abs = 0
  let pct = 0
  let naive = 0
  let inside = 0
  let zero = false
  actual.forEach((y, i) => {
    const p = points[i]!
    abs += Math.abs(y - p.value)
    naive += Math.abs(y - last)
    if (y === 0) zero = true
    else pct += Math.abs((y - p.value) / y)
    if (y >= p.lower95 && y <= p.upper95) inside++
  })
  return {
    holdout,
    method,
    mae: round(abs / holdout),
    mape: zero ? null : round((100 * pct) / holdout, 2),
    naiveMae: round(naive / holdout),
    coverage95: round(inside / holdout, 3),
  }
}

/** Forecast `horizon` months after the last observation. */
export function forecastMonthly(points: readonly MonthlyPoint[], options: ForecastOptions): SeriesForecast {
  const horizon = Math.min(MAX_HORIZON, Math.max(1, Math.floor(options.horizon)))
  const label = options.label ?? 'this metric'
  const { run, gaps } = contiguousTail(points)
  if (run.length < MIN_MONTHS) {
    const needed = MIN_MONTHS - run.length
    const gapNote =
      gaps.length > 0
        ? ` The months ${gaps.join(', ')} are missing, which breaks the history; only the ${run.length} month${run.length === 1 ? '' : 's'} after the last gap count.`
        : ''
    return {
      status: 'insufficient_history',
      have: run.length,
      need: MIN_MONTHS,
      gaps,
      missing: `A forecast of ${label} needs at least ${MIN_MONTHS} consecutive months; ${run.length === 0 ? 'none are' : `${run.length} ${run.length === 1 ? 'is' : 'are'}`} recorded, so ${needed} more month${needed === 1 ? '' : 's'} ${needed === 1 ? 'is' : 'are'} needed.${gapNote}`,
    }
  }
  const values = run.map((p) => p.value)
  const { fit, method } = fitFor(values)
  const { sigma, points: raw } = intervals(fit, horizon)
  const lo = options.min ?? Number.NEGATIVE_INFINITY
  const hi = options.max ?? Number.POSITIVE_INFINITY
  const bound = (v: number) => round(Math.min(hi, Math.max(lo, v)))
  const last = run[run.length - 1]!
  const out = raw.map((p, i) => ({
    month: addMonths(last.month, i + 1),
    value: bound(p.value),
    lower80: bound(p.lower80),
    upper80: bound(p.upper80),
    lower95: bound(p.lower95),
    upper95: bound(p.upper95),
  }))
  const notes: string[] = []
  if (gaps.length > 0)
    notes.push(
      `Months missing from the history (${gaps.join(', ')}) break it; only the ${run.length} consecutive months since are used.`,
    )
  if (method === 'damped_trend')
    notes.push(
      `Seasonality is not modelled: that needs ${SEASONAL_MONTHS} consecutive months and ${run.length} are recorded.`,
    )
  return {
    status: 'ok',
    method,
    history: { months: run.length, from: run[0]!.month, to: last.month },
    params: {
      alpha: round(fit.params.alpha, 3),
      beta: round(fit.params.beta, 3),
      phi: round(fit.params.phi, 3),
      gamma: round(fit.params.gamma, 3),
    },
    residualStdError: round(sigma),
    trendPerMonth: round((out[out.length - 1]!.value - last.value) / horizon),
    points: out,
    backtest: backtest(values, horizon),
    notes,
  }
}
