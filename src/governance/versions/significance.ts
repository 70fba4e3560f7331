/**
 * Two-proportion z-test: is the rate of `a` different from that of `b`? Returns the z score and
 * the two-sided p-value (normal approximation; undefined when either sample is empty or the
 * pooled rate is 0 or 1, where the test says nothing).
 */
export type ProportionTest = { z: number; pValue: number; significant: boolean } | undefined

export function twoProportionZTest(
  a: { successes: number; trials: number },
  b: { successes: number; trials: number },
  alpha = 0.05,
): ProportionTest {
  if (a.trials <= 0 || b.trials <= 0) return undefined
  const p1 = a.successes / a.trials
  const p2 = b.successes / b.trials
  const pooled = (a.successes + b.successes) / (a.trials + b.trials)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials))
  if (se === 0) return undefined
  const z = (p1 - p2) / se
  const pValue = 2 * (1 - normalCdf(Math.abs(z)))
  return { z, pValue, significant: pValue < alpha }
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf approximation, error < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2))
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(x * x) / 2)
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2
}
