/** Small robust statistics for short monthly series (no I/O, no allocation-heavy helpers). */

/** Median of the values (NaN for none). Does not modify its input. */
export function median(values: ArrayLike<number>): number {
  const n = values.length
  if (n === 0) return Number.NaN
  const sorted = Float64Array.from(values as ArrayLike<number>).sort()
  const mid = n >> 1
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Median absolute deviation from the median (unscaled). */
export function mad(values: ArrayLike<number>, center = median(values)): number {
  const deviations = new Float64Array(values.length)
  for (let i = 0; i < values.length; i++) deviations[i] = Math.abs(values[i]! - center)
  return median(deviations)
}

/** MAD × 1.4826 estimates the standard deviation of normal noise, unmoved by a few outliers. */
export const MAD_TO_SIGMA = 1.4826

/**
 * Theil–Sen line through (xs, ys): the median of pairwise slopes, then the median intercept.
 * Up to ~29 % of the points can be arbitrary without moving it.
 */
export function theilSen(xs: ArrayLike<number>, ys: ArrayLike<number>): { slope: number; intercept: number } {
  const n = xs.length
  if (n === 0) return { slope: 0, intercept: Number.NaN }
  if (n === 1) return { slope: 0, intercept: ys[0]! }
  const slopes: number[] = []
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = xs[j]! - xs[i]!
      if (dx !== 0) slopes.push((ys[j]! - ys[i]!) / dx)
    }
  }
  const slope = slopes.length === 0 ? 0 : median(slopes)
  const intercepts = new Float64Array(n)
  for (let i = 0; i < n; i++) intercepts[i] = ys[i]! - slope * xs[i]!
  return { slope, intercept: median(intercepts) }
}

/** Ordinary least-squares line through (0, y0), (1, y1), …. */
export function leastSquaresLine(ys: ArrayLike<number>): { slope: number; intercept: number } {
  const n = ys.length
  if (n === 0) return { slope: 0, intercept: Number.NaN }
  if (n === 1) return { slope: 0, intercept: ys[0]! }
  const xMean = (n - 1) / 2
  let yMean = 0
  for (let i = 0; i < n; i++) yMean += ys[i]!
  yMean /= n
  let sxy = 0
  let sxx = 0
  for (let i = 0; i < n; i++) {
    sxy += (i - xMean) * (ys[i]! - yMean)
    sxx += (i - xMean) ** 2
  }
  const slope = sxy / sxx
  return { slope, intercept: yMean - slope * xMean }
}

/** Two-sided Student-t quantiles t(1 − (1 − level)/2, df) for the two interval levels we publish. */
const T_QUANTILES: Record<80 | 95, readonly number[]> = {
  80: [
    3.078, 1.886, 1.638, 1.533, 1.476, 1.44, 1.415, 1.397, 1.383, 1.372, 1.363, 1.356, 1.35, 1.345, 1.341, 1.337, 1.333,
    1.33, 1.328, 1.325, 1.323, 1.321, 1.319, 1.318, 1.316, 1.315, 1.314, 1.313, 1.311, 1.31,
  ],
  95: [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
    2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
  ],
}
const Z: Record<80 | 95, number> = { 80: 1.2816, 95: 1.96 }

/** The multiplier of the standard error for a central interval at `level` % with `df` degrees of freedom. */
export function intervalMultiplier(level: 80 | 95, df: number): number {
  if (df < 1) return T_QUANTILES[level][0]!
  if (df > 30) return Z[level] + (T_QUANTILES[level][29]! - Z[level]) * (30 / df) // smooth approach to z
  return T_QUANTILES[level][Math.floor(df) - 1]!
}
