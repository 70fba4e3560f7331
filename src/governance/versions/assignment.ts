import { createHash } from 'node:crypto'

/**
 * Sticky assignment: a user's bucket in an experiment is a hash of (experiment, user), so every
 * process assigns the same user to the same variant with no shared state and no stored rows.
 */
export function bucketOf(experimentId: string, subject: string): number {
  const digest = createHash('sha256').update(`${experimentId}:${subject}`).digest()
  // 48 bits are plenty for a uniform value in [0, 1).
  return digest.readUIntBE(0, 6) / 2 ** 48
}

/** The variant for this subject, by weight. Weights need not sum to 1 or 100. */
export function assignVariant<V extends { weight: number }>(
  experimentId: string,
  subject: string,
  variants: readonly V[],
): V | undefined {
  const total = variants.reduce((sum, v) => sum + Math.max(0, v.weight), 0)
  if (total <= 0) return undefined
  const point = bucketOf(experimentId, subject) * total
  let acc = 0
  for (const v of variants) {
    acc += Math.max(0, v.weight)
    if (point < acc) return v
  }
  return variants[variants.length - 1]
}
