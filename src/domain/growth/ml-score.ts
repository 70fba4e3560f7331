/**
 * The "basic ML score" of the seed, as a documented deterministic model (a fixed logistic
 * regression over the three growth-area scores and the industry group). No training at run time:
 * the coefficients below are the model, versioned by `ML_SCORE_MODEL_VERSION`.
 *
 *   x_a       = score_a − 3                      (centred on the scale midpoint)
 *   z         = b + Σ_a w_a(group) · x_a − 0.35 · spread
 *   P(growth) = 1 / (1 + e^−z)                   (likelihood of sustained growth, 0–1)
 *   mlScore   = 1 + 4 · P(growth)                 (back on the 1–5 scale)
 *
 * `spread` is max − min of the three scores: an unbalanced business (strong strategy, weak
 * process) converts less of its strength into growth. Weights per industry group say which area
 * matters most there: technology in software, process in manufacturing and logistics, strategy in
 * professional services; otherwise the seed's 0.40 / 0.30 / 0.30 split, scaled to a slope of 1.6.
 */

export const ML_SCORE_MODEL_VERSION = 'ml-logit-1'

export type IndustryGroup =
  'technology' | 'manufacturing' | 'services' | 'retail' | 'healthcare' | 'finance' | 'general'

const GROUP_KEYWORDS: Array<[IndustryGroup, RegExp]> = [
  ['technology', /soft|saas|tech|\bit\b|information|digital|internet|app|data|cyber|telecom/i],
  ['manufacturing', /manufact|industrial|logistic|transport|construct|automotive|energy|chemical|supply/i],
  ['healthcare', /health|medic|pharma|clinic|hospital|biotech|care/i],
  ['finance', /financ|bank|insur|fintech|account|invest|lending/i],
  ['retail', /retail|e-?commerce|shop|store|consumer|hospitality|restaurant|food|travel/i],
  ['services', /consult|agency|service|legal|marketing|education|professional|real estate/i],
]

/** The industry group of a free-text industry name. */
export function industryGroup(industry: string | null | undefined): IndustryGroup {
  if (!industry) return 'general'
  for (const [group, pattern] of GROUP_KEYWORDS) if (pattern.test(industry)) return group
  return 'general'
}

/** Slope weights per group; each row sums to 1.6. */
export const ML_WEIGHTS: Record<IndustryGroup, { strategy: number; process: number; technology: number }> = {
  technology: { strategy: 0.5, process: 0.4, technology: 0.7 },
  manufacturing: { strategy: 0.45, process: 0.7, technology: 0.45 },
  services: { strategy: 0.7, process: 0.5, technology: 0.4 },
  retail: { strategy: 0.55, process: 0.55, technology: 0.5 },
  healthcare: { strategy: 0.5, process: 0.65, technology: 0.45 },
  finance: { strategy: 0.55, process: 0.5, technology: 0.55 },
  general: { strategy: 0.64, process: 0.48, technology: 0.48 },
}

const INTERCEPT = 0
const SPREAD_PENALTY = 0.35

export type MlScoreInput = {
  strategy: number
  process: number
  technology: number
  industry?: string | null | undefined
}
export type MlScoreResult = {
  score: number
  growthProbability: number
  band: 'at_risk' | 'stable' | 'growing' | 'scaling'
  industryGroup: IndustryGroup
  contributions: { strategy: number; process: number; technology: number; balance: number }
  modelVersion: string
}

const clamp = (v: number) => Math.min(5, Math.max(1, Number.isFinite(v) ? v : 1))
const r = (v: number, d = 3) => {
  const x = Math.round(v * 10 ** d) / 10 ** d
  return Object.is(x, -0) ? 0 : x
}

/** Score a business with the fixed model. Same input, same output. */
export function computeMlScore(input: MlScoreInput): MlScoreResult {
  const group = industryGroup(input.industry)
  const w = ML_WEIGHTS[group]
  const s = clamp(input.strategy)
  const p = clamp(input.process)
  const t = clamp(input.technology)
  const contributions = {
    strategy: w.strategy * (s - 3),
    process: w.process * (p - 3),
    technology: w.technology * (t - 3),
    balance: -SPREAD_PENALTY * (Math.max(s, p, t) - Math.min(s, p, t)),
  }
  const z =
    INTERCEPT + contributions.strategy + contributions.process + contributions.technology + contributions.balance
  const probability = 1 / (1 + Math.exp(-z))
  const score = 1 + 4 * probability
  const band = score < 2 ? 'at_risk' : score < 3 ? 'stable' : score < 4 ? 'growing' : 'scaling'
  return {
    score: r(score, 2),
    growthProbability: r(probability),
    band,
    industryGroup: group,
    contributions: {
      strategy: r(contributions.strategy),
      process: r(contributions.process),
      technology: r(contributions.technology),
      balance: r(contributions.balance),
    },
    modelVersion: ML_SCORE_MODEL_VERSION,
  }
}
