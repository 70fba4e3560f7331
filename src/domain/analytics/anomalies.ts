import { contiguousTail, monthName, monthOfYear, type MonthKey, type MonthlyPoint } from './months.ts'
import { MAD_TO_SIGMA, mad, median, theilSen } from './robust.ts'

/**
 * Robust anomaly detection on a monthly series.
 *
 * 1. Season (from 24 months): each month's expected seasonal effect is the mean deviation of the
 *    same calendar month in the other years from a 13-month running median; a second pass
 *    leaves out the wildest month of each calendar month when it passed the cut-off. The series
 *    minus its season is the seasonally adjusted series. With only two years the "other years"
 *    are one, so a single odd month also makes the same month of the other year look odd.
 * 2. Trend: at each month, a Theil–Sen line through the 6 adjusted months around it, the month
 *    itself left out (clamped at the ends). Theil–Sen ignores a few wild points, so a spike does
 *    not pull the expectation of its neighbours.
 * 3. Residuals = adjusted − trend, scaled by how far the line was extrapolated (the ends have
 *    only one side); noise σ = 1.4826 × MAD(residuals), with a floor of 0.5 % of the typical
 *    level so a perfectly smooth series does not flag rounding.
 * 4. Spike / dip: |residual| > 3.5 σ (the Iglewicz–Hoaglin cut-off for robust z-scores).
 * 5. Level shift (each candidate's step is taken out and the series decomposed again before it
 *    is confirmed): the (up to 6) months from t on sit, by their median, off the Theil–Sen line
 *    through the (6 to 12) months before t by more than 4.5 standard errors of that comparison
 *    (line extrapolation plus median), with at least 80 % of them beyond 2 σ on the same side.
 *    Spikes within two months of a shift are reported as the shift.
 *
 * Each anomaly carries the expected value, the expected range (expected ± cut-off × σ) and a
 * sentence that says what happened in plain words.
 */

export const MIN_ANOMALY_MONTHS = 8
export const SEASONAL_ANOMALY_MONTHS = 24
export const SPIKE_THRESHOLD = 3.5
/** z-score of a level shift against the uncertainty of extrapolating the months before it. */
export const SHIFT_THRESHOLD = 4.5
const WINDOW = 3
const OUTLIER_WEIGHT_CUT = SPIKE_THRESHOLD
const SHIFT_PRE = 12
const SHIFT_POST = 6
const MIN_POST = 3
const MIN_PRE = 6
/** The spread of an interior month's prediction (6 neighbours at −3…+3). */
const INTERIOR_SPREAD = Math.sqrt(1 + 1 / 6)

export type AnomalyKind = 'spike' | 'dip' | 'level_shift'
export type Anomaly = {
  month: MonthKey
  kind: AnomalyKind
  direction: 'up' | 'down'
  value: number
  expected: number
  lower: number
  upper: number
  /** Distance from the expectation in noise units (robust z-score). */
  score: number
  explanation: string
}
export type AnomalyScan =
  | { status: 'ok'; months: number; seasonallyAdjusted: boolean; noise: number; anomalies: Anomaly[]; notes: string[] }
  | { status: 'insufficient_history'; have: number; need: number; gaps: MonthKey[]; missing: string }

export type AnomalyOptions = {
  /** Words for the metric in sentences ("revenue"). */
  label?: string
  /** Formats a value for sentences (default: rounded with thousands separators). */
  format?: (value: number) => string
}

const round = (v: number, digits = 4) => {
  const f = 10 ** digits
  const x = Math.round(v * f) / f
  return Object.is(x, -0) ? 0 : x
}
const defaultFormat = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(round(v, 2)))

/**
 * Rough level under the season: a centred running weighted median over 13 months (ends at half weight),
 * extended to the ends along its Theil–Sen slope. A median over a whole cycle cancels a symmetric
 * season like a moving average does, but it ignores a spike and follows a step where it happens;
 * a 2×12 moving average smears a step over a year and bends the season of both years around it
 * (measured: 28 % of level shifts missed or misplaced with the average).
 */
function runningLevel(values: ArrayLike<number>): Float64Array {
  const n = values.length
  const level = new Float64Array(n)
  const half = 6
  const xs: number[] = []
  const ys: number[] = []
  const order = Array.from({ length: 2 * half + 1 }, (_, k) => k)
  for (let t = half; t < n - half; t++) {
    // Weighted median with half weight on the two ends (total 12), like a 2×12 average's weights,
    // so every calendar month counts once and the season cancels whatever the phase.
    order.sort((a, b) => values[t - half + a]! - values[t - half + b]!)
    let acc = 0
    let value = values[t]!
    for (let i = 0; i < order.length; i++) {
      const k = order[i]!
      acc += k === 0 || k === 2 * half ? 0.5 : 1
      if (acc >= 6) {
        value =
          acc === 6 && i + 1 < order.length
            ? (values[t - half + k]! + values[t - half + order[i + 1]!]!) / 2
            : values[t - half + k]!
        break
      }
    }
    level[t] = value
    xs.push(t)
    ys.push(level[t]!)
  }
  const { slope } = theilSen(xs, ys)
  const first = xs[0]!
  const last = xs[xs.length - 1]!
  for (let t = 0; t < first; t++) level[t] = level[first]! + slope * (t - first)
  for (let t = last + 1; t < n; t++) level[t] = level[last]! + slope * (t - last)
  return level
}

/**
 * The seasonal component at each month (from at least 24 consecutive months): the mean deviation
 * of the same calendar month in the *other* years from a running median (`runningLevel`), leaving out
 * months marked in `excluded`; the twelve indices are centred on zero. Leaving the month itself
 * out keeps its own noise out of its expectation, so every residual has the same spread and the
 * noise estimate stays honest (a median over the years that includes the month makes a third of
 * the residuals near zero: measured 40 % of plain series flagged).
 */
export function seasonalComponent(
  values: ArrayLike<number>,
  firstMonthOfYear: number,
  excluded?: ArrayLike<boolean>,
): Float64Array {
  const n = values.length
  const ma = runningLevel(values)
  const sums = new Float64Array(12)
  const counts = new Float64Array(12)
  const deviation = new Float64Array(n)
  for (let t = 0; t < n; t++) {
    deviation[t] = values[t]! - ma[t]!
    if (excluded?.[t]) continue
    const m = (firstMonthOfYear + t) % 12
    sums[m]! += deviation[t]!
    counts[m]!++
  }
  let centre = 0
  for (let m = 0; m < 12; m++) centre += (counts[m]! > 0 ? sums[m]! / counts[m]! : 0) / 12
  const out = new Float64Array(n)
  for (let t = 0; t < n; t++) {
    const m = (firstMonthOfYear + t) % 12
    const own = excluded?.[t] ? 0 : 1
    const others = counts[m]! - own
    out[t] =
      (others > 0 ? (sums[m]! - own * deviation[t]!) / others : counts[m]! > 0 ? sums[m]! / counts[m]! : 0) - centre
  }
  return out
}

/**
 * Expected trend at each point from the 6 points around it, leaving the point itself out: a fit
 * that includes the point passes through it often enough to make the residuals — and so the
 * noise estimate — far too small (measured: σ 6.7 for a true 20).
 */
function localTrend(d: Float64Array): { trend: Float64Array; spread: Float64Array } {
  const n = d.length
  const trend = new Float64Array(n)
  const spread = new Float64Array(n)
  const size = Math.min(n, 2 * WINDOW + 1)
  const xs: number[] = []
  const ys: number[] = []
  for (let t = 0; t < n; t++) {
    const start = Math.min(Math.max(0, t - WINDOW), n - size)
    xs.length = 0
    ys.length = 0
    for (let k = start; k < start + size; k++) {
      if (k === t) continue
      xs.push(k)
      ys.push(d[k]!)
    }
    const { slope, intercept } = theilSen(xs, ys)
    trend[t] = intercept + slope * t
    // Prediction-error spread of a line through xs at t, relative to a point's own noise
    // (1 + 1/k + (t − x̄)²/Sxx): larger at the ends, where the line is extrapolated.
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length
    const sxx = xs.reduce((a, x) => a + (x - mean) ** 2, 0)
    spread[t] = Math.sqrt(1 + 1 / xs.length + (sxx > 0 ? (t - mean) ** 2 / sxx : 0))
  }
  return { trend, spread }
}

function pct(delta: number, base: number): string {
  if (base === 0) return ''
  return ` (${delta >= 0 ? '+' : '−'}${Math.abs(Math.round((100 * delta) / Math.abs(base)))} %)`
}

type Decomposition = {
  season: Float64Array
  adjusted: Float64Array
  trend: Float64Array
  spread: Float64Array
  residuals: Float64Array
  noise: number
}

function decompose(values: readonly number[], seasonal: boolean, firstMonth: number): Decomposition {
  const n = values.length
  // Robustness (as STL does it): a second pass leaves out of the season, per calendar month, the
  // one month whose residual is wildest if it passed the cut-off, so a spike does not leak into
  // the expectation of the same month in other years. Its moving average sees the expected value.
  const excluded = new Array<boolean>(n).fill(false)
  let season: Float64Array = new Float64Array(n)
  const adjusted = new Float64Array(n)
  let trend: Float64Array = new Float64Array(n)
  let spread: Float64Array = new Float64Array(n).fill(1)
  const residuals = new Float64Array(n)
  for (let pass = 0; pass < (seasonal ? 2 : 1); pass++) {
    const cleaned = pass === 0 ? values : values.map((v, t) => (excluded[t] ? trend[t]! + season[t]! : v))
    if (seasonal) season = seasonalComponent(cleaned, firstMonth, excluded)
    for (let t = 0; t < n; t++) adjusted[t] = values[t]! - season[t]!
    const local = localTrend(adjusted)
    trend = local.trend
    spread = local.spread
    // Residuals in units of an interior month's spread, so the ends are not flagged for being ends.
    for (let t = 0; t < n; t++) residuals[t] = ((adjusted[t]! - trend[t]!) * INTERIOR_SPREAD) / spread[t]!
    if (pass === 0 && seasonal) {
      const cut = OUTLIER_WEIGHT_CUT * MAD_TO_SIGMA * mad(residuals)
      for (let m = 0; m < 12; m++) {
        let worst = -1
        for (let t = (m - firstMonth + 12) % 12; t < n; t += 12)
          if (worst < 0 || Math.abs(residuals[t]!) > Math.abs(residuals[worst]!)) worst = t
        if (worst >= 0 && Math.abs(residuals[worst]!) > cut) excluded[worst] = true
      }
    }
  }
  const typical = median(values.map(Math.abs))
  const noise = Math.max(MAD_TO_SIGMA * mad(residuals), 0.005 * typical, 1e-9)
  return { season, adjusted, trend, spread, residuals, noise }
}

type Shift = { t: number; share: number; stat: number; shift: number; expected: number; se: number }

/** Level shifts in a seasonally adjusted series (see step 5 above); one per run of candidate months. */
function findShifts(adjusted: Float64Array, season: Float64Array, noise: number): Shift[] {
  const n = adjusted.length
  const sigma = noise / INTERIOR_SPREAD
  const found: Shift[] = []
  let best: Shift | null = null
  for (let t = MIN_PRE; t <= n - MIN_POST; t++) {
    // The baseline starts again after a shift already found: a line across a step is tilted.
    const preStart = Math.max(0, t - SHIFT_PRE, found.length > 0 ? found[found.length - 1]!.t : 0)
    if (t - preStart < MIN_PRE) continue
    const xs = Array.from({ length: t - preStart }, (_, i) => preStart + i)
    const line = theilSen(xs, adjusted.subarray(preStart, t))
    const postEnd = Math.min(n, t + SHIFT_POST)
    const gaps: number[] = []
    for (let k = t; k < postEnd; k++) gaps.push(adjusted[k]! - (line.intercept + line.slope * k))
    const shift = median(gaps)
    // Standard error of the shift: the pre-line's prediction at the post months' centre plus the
    // median of the post months (efficiency 1/1.57 of a mean), in units of one month's noise σ.
    const npre = t - preStart
    const npost = postEnd - t
    const preMean = (preStart + t - 1) / 2
    const sxx = xs.reduce((a, x) => a + (x - preMean) ** 2, 0)
    const centre = (t + postEnd - 1) / 2
    const se = sigma * Math.sqrt(1 / npre + (centre - preMean) ** 2 / sxx + 1.57 / npost)
    const stat = Math.abs(shift) / se
    const share = gaps.filter((g) => Math.sign(g) === Math.sign(shift) && Math.abs(g) > 2 * sigma).length / gaps.length
    if (stat > SHIFT_THRESHOLD && share >= 0.8) {
      // The earliest month with the largest share of shifted months after it is where it starts.
      if (!best || share > best.share)
        best = { t, share, stat, shift, expected: line.intercept + line.slope * t + season[t]!, se }
    } else if (best) {
      found.push(best)
      best = null
    }
  }
  if (best) found.push(best)
  return found
}

/** Scan one series. */
export function detectAnomalies(points: readonly MonthlyPoint[], options: AnomalyOptions = {}): AnomalyScan {
  const label = options.label ?? 'this metric'
  const fmt = options.format ?? defaultFormat
  const { run, gaps } = contiguousTail(points)
  const n = run.length
  if (n < MIN_ANOMALY_MONTHS) {
    const needed = MIN_ANOMALY_MONTHS - n
    return {
      status: 'insufficient_history',
      have: n,
      need: MIN_ANOMALY_MONTHS,
      gaps,
      missing: `Finding unusual months in ${label} needs at least ${MIN_ANOMALY_MONTHS} consecutive months; ${n} ${n === 1 ? 'is' : 'are'} recorded, so ${needed} more ${needed === 1 ? 'is' : 'are'} needed.${gaps.length > 0 ? ` Missing months break the history: ${gaps.join(', ')}.` : ''}`,
    }
  }
  const values = run.map((p) => p.value)
  const seasonal = n >= SEASONAL_ANOMALY_MONTHS
  const firstMonth = monthOfYear(run[0]!.month)

  // Level shifts first. A shift distorts the season and inflates the noise of a plain
  // decomposition, so once one is found the series is decomposed again with the steps taken out,
  // and shifts and spikes are judged on that cleaner picture (the steps put back).
  let parts = decompose(values, seasonal, firstMonth)
  const candidates = findShifts(parts.adjusted, parts.season, parts.noise)
  candidates.sort((a, b) => a.t - b.t)
  let shifts: Shift[] = []
  const steps = new Float64Array(n)
  if (candidates.length > 0) {
    // Take the steps out, decompose again, and keep the shifts that still stand out once the steps
    // are put back (if some do not, decompose once more without them).
    const stepsFor = (list: Shift[]) => {
      steps.fill(0)
      for (const c of list) for (let t = c.t; t < n; t++) steps[t]! += c.shift
      return decompose(
        values.map((v, t) => v - steps[t]!),
        seasonal,
        firstMonth,
      )
    }
    parts = stepsFor(candidates)
    shifts = findShifts(
      parts.adjusted.map((v, t) => v + steps[t]!),
      parts.season,
      parts.noise,
    )
    if (shifts.length !== candidates.length) parts = stepsFor(shifts)
  }
  const { season, trend, spread, residuals, noise } = parts

  const shiftAnomalies: Anomaly[] = shifts.map(({ t, stat, shift, expected, se }) => {
    const up = shift > 0
    const months = Math.min(SHIFT_POST, n - t)
    return {
      month: run[t]!.month,
      kind: 'level_shift',
      direction: up ? 'up' : 'down',
      value: round(values[t]!),
      expected: round(expected),
      lower: round(expected - SHIFT_THRESHOLD * se),
      upper: round(expected + SHIFT_THRESHOLD * se),
      score: round(up ? stat : -stat, 2),
      explanation: `From ${monthName(run[t]!.month)} ${label} moved to a ${up ? 'higher' : 'lower'} level and stayed there: over the ${months} month${months === 1 ? '' : 's'} since, it ran about ${fmt(Math.abs(shift))} ${up ? 'above' : 'below'} what its earlier trend${seasonal ? ' and usual seasonal pattern' : ''} predicted${pct(shift, expected)}, far more than its normal month-to-month variation (about ${fmt(noise / INTERIOR_SPREAD)}).`,
    }
  })

  const nearShift = (t: number) => shifts.some((s) => Math.abs(s.t - t) <= 1)
  const spikes: Anomaly[] = []
  for (let t = 0; t < n; t++) {
    const z = residuals[t]! / noise
    if (Math.abs(z) <= SPIKE_THRESHOLD || nearShift(t)) continue
    const expected = trend[t]! + season[t]! + steps[t]!
    const margin = (SPIKE_THRESHOLD * noise * spread[t]!) / INTERIOR_SPREAD
    const lower = expected - margin
    const upper = expected + margin
    const up = z > 0
    const value = values[t]!
    const name = monthName(run[t]!.month)
    const context = seasonal
      ? `for ${name.split(' ')[0]} given the trend and the usual seasonal pattern`
      : 'given the trend of the months around it'
    spikes.push({
      month: run[t]!.month,
      kind: up ? 'spike' : 'dip',
      direction: up ? 'up' : 'down',
      value: round(value),
      expected: round(expected),
      lower: round(lower),
      upper: round(upper),
      score: round(z, 2),
      explanation: `${label[0]!.toUpperCase()}${label.slice(1)} in ${name} was ${fmt(value)}, ${up ? 'above' : 'below'} the expected range of ${fmt(lower)} to ${fmt(upper)} ${context}: ${fmt(Math.abs(value - expected))} ${up ? 'more' : 'less'} than expected${pct(value - expected, expected)}.`,
    })
  }
  const notes: string[] = []
  if (!seasonal)
    notes.push(
      `Seasonal patterns are not removed: that needs ${SEASONAL_ANOMALY_MONTHS} consecutive months and ${n} are recorded, so a regular busy or quiet month may show as unusual.`,
    )
  if (gaps.length > 0)
    notes.push(
      `Months missing from the history (${gaps.join(', ')}) break it; only the ${n} consecutive months since are scanned.`,
    )
  return {
    status: 'ok',
    months: n,
    seasonallyAdjusted: seasonal,
    noise: round(noise / INTERIOR_SPREAD),
    anomalies: [...shiftAnomalies, ...spikes].sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0)),
    notes,
  }
}
