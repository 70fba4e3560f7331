import { createHash } from 'node:crypto'
import { SCORE_AREAS } from '../domain/growth/scores.ts'
import type { BusinessSnapshot, GraphStore } from './store.ts'

/**
 * A synthetic cohort so a fresh install can show peers (`optimaliq demo seed`, OPTIMALIQ_DEMO=true).
 * Every business is flagged `demo`: queries never mix it with real businesses and the API labels it.
 * Profiles are plausible and varied: each business has an overall maturity, its industry leans
 * strong or weak in a few areas, and each took 3–12 of the 14 assessments. Deterministic: business n
 * always gets the same id and scores, so seeding twice writes the same cohort.
 */

export const DEMO_INDUSTRIES = [
  'retail',
  'saas',
  'manufacturing',
  'professional services',
  'healthcare',
  'hospitality',
  'construction',
  'logistics',
] as const
export const DEMO_SIZE_BANDS = ['1-10', '11-50', '51-200', '201-1000'] as const
const REVENUE_BANDS = ['under $1m', '$1m-$10m', '$10m-$50m', 'over $50m'] as const
const REGIONS = ['north america', 'europe', 'asia pacific', 'latin america'] as const

/** Areas an industry tends to be strong (+) or weak (−) in, by index into SCORE_AREAS. */
const INDUSTRY_LEAN: Record<string, Record<string, number>> = {
  retail: { customer_experience: 0.6, marketing_effectiveness: 0.4, tech_stack: -0.5, ai_readiness: -0.4 },
  saas: { technology: 0.8, tech_stack: 0.7, ai_readiness: 0.6, bpm: -0.4, sales: -0.3 },
  manufacturing: { process: 0.6, bpm: 0.5, marketing_effectiveness: -0.6, digital_transformation: -0.5 },
  'professional services': { leadership: 0.5, strategy: 0.4, tech_stack: -0.4, ai_readiness: -0.5 },
  healthcare: { process: 0.4, customer_experience: 0.3, digital_transformation: -0.6, sales: -0.5 },
  hospitality: { customer_experience: 0.7, process: -0.4, technology: -0.5 },
  construction: { leadership: 0.3, technology: -0.7, ai_readiness: -0.8, digital_transformation: -0.6 },
  logistics: { process: 0.7, bpm: 0.5, customer_experience: -0.3, marketing_effectiveness: -0.5 },
}

function prng(seed: number) {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
}

/** A stable UUID (v4 layout) for demo business n of a cohort. */
export function demoBusinessId(n: number, cohort = 'demo'): string {
  const h = createHash('sha256').update(`${cohort}:${n}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const clamp = (v: number) => Math.min(5, Math.max(1, Math.round(v * 100) / 100))

/** Synthetic business n (0-based). `demo: false` makes a bench data set with the same shape. */
export function demoBusiness(
  n: number,
  options: { demo?: boolean; cohort?: string; takenAt?: Date } = {},
): BusinessSnapshot {
  const rand = prng(0x9e3779b9 ^ (n * 2654435761))
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!
  const industry = pick(DEMO_INDUSTRIES)
  // Smaller businesses are more common.
  const sizeBand = DEMO_SIZE_BANDS[Math.min(3, Math.floor(rand() ** 1.6 * 4))]!
  const maturity = 1.6 + rand() * 2.2 + (DEMO_SIZE_BANDS.indexOf(sizeBand) - 1.5) * 0.15
  const lean = INDUSTRY_LEAN[industry] ?? {}
  const count = 3 + Math.floor(rand() * 10)
  const shuffled: string[] = [...SCORE_AREAS]
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
  }
  const areas = shuffled.slice(0, count)
  const takenAt = options.takenAt ?? new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 300) * 86_400_000)
  const scores = areas.map((assessment) => ({
    assessment,
    score: clamp(maturity + (lean[assessment] ?? 0) + (rand() + rand() + rand() - 1.5) * 0.8),
    takenAt,
  }))
  const overall = clamp(scores.reduce((s, x) => s + x.score, 0) / scores.length)
  return {
    business: {
      id: demoBusinessId(n, options.cohort),
      industry,
      sizeBand,
      revenueBand: REVENUE_BANDS[Math.min(3, DEMO_SIZE_BANDS.indexOf(sizeBand) + (rand() < 0.3 ? 1 : 0))]!,
      region: pick(REGIONS),
      demo: options.demo ?? true,
      overall,
    },
    scores,
  }
}

/** Write businesses 0..count-1 of the demo cohort (idempotent), in batches. */
export async function seedDemoCohort(
  store: GraphStore,
  count: number,
  options: { batch?: number; demo?: boolean; cohort?: string; onProgress?: (done: number) => void } = {},
): Promise<number> {
  const batch = options.batch ?? 500
  for (let i = 0; i < count; i += batch) {
    const list: BusinessSnapshot[] = []
    for (let n = i; n < Math.min(count, i + batch); n++)
      list.push(demoBusiness(n, { demo: options.demo ?? true, ...(options.cohort ? { cohort: options.cohort } : {}) }))
    await store.syncBusinesses(list)
    options.onProgress?.(Math.min(count, i + batch))
  }
  return count
}
