/** Seeded synthetic monthly series for the analytics tests (and the benchmark). */
import { addMonths, type MonthlyPoint } from './months.ts'

/** mulberry32: a small deterministic PRNG. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Standard normal draws (Box–Muller). */
export function createNormal(random: () => number): () => number {
  return () => {
    const u = Math.max(random(), 1e-12)
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
  }
}

export type SyntheticSpec = {
  months: number
  base: number
  slope: number
  amplitude: number
  noise: number
  start?: string
}

/** base + slope·t + amplitude·sin(2πt/12) + N(0, noise²), one value per month from `start`. */
export function syntheticSeries(spec: SyntheticSpec, normal: () => number): MonthlyPoint[] {
  const start = spec.start ?? '2023-01'
  return Array.from({ length: spec.months }, (_, t) => ({
    month: addMonths(start, t),
    value: spec.base + spec.slope * t + spec.amplitude * Math.sin((2 * Math.PI * t) / 12) + spec.noise * normal(),
  }))
}
