import { z } from 'zod'
import { businessFields, profile } from './auth.ts'
import { peerRecommendation } from './peers.ts'

/**
 * Request and response schemas of the AI feature endpoints (shared with the web app; no Node
 * imports). Every AI answer says which `provider` produced it: a provider name, or `rules` for
 * the deterministic engine.
 */

const areaScores = z.record(z.string(), z.number().nullable())
const scoreSet = z.object({ areas: areaScores, base: z.number().nullable(), overall: z.number().nullable() })
const aiMeta = { provider: z.string().describe('The provider that answered, or "rules"'), requestId: z.string() }

export const benchmark = z.object({
  area: z.string(),
  userScore: z.number().nullable(),
  average: z.number().nullable().describe('Mean of the peer group; null when there are not enough peers yet'),
  p25: z.number().nullable(),
  median: z.number().nullable(),
  p75: z.number().nullable(),
  percentile: z.number().min(0).max(100).nullable().describe('Share of peers below the user (ties count half), 0–100'),
  peers: z.number().int(),
  needed: z.number().int().optional().describe('With insufficient_peers: how many more peers are needed'),
  source: z
    .enum(['industry_size', 'industry', 'global', 'insufficient_peers'])
    .describe('the peer group (industry and size band, industry, everyone), or not enough peers yet (figures null)'),
  demo: z.boolean().describe('Figures from the synthetic demo cohort'),
})

export const dashboardResponse = z
  .object({
    scores: scoreSet,
    benchmarks: z.array(benchmark),
    strengths: z.array(z.object({ title: z.string(), impact: z.string() })),
    weaknesses: z.array(z.object({ title: z.string(), impact: z.string() })),
    roadmap: z.array(
      z.object({ task: z.string(), expectedImpact: z.string(), owner: z.string(), timeframe: z.string() }),
    ),
    insights: z.array(z.string()),
    generatedAt: z.string(),
    scoresHash: z.string(),
    cached: z.boolean(),
    ...aiMeta,
  })
  .meta({ id: 'Dashboard' })

export const taskAccepted = z.object({ taskId: z.string(), status: z.literal('queued') })

export const growthInsightsBody = z.object({ growthAssessmentId: z.uuid().optional() }).strict().nullish()
export const growthInsightsResponse = z.object({
  growthAssessmentId: z.uuid(),
  scores: z.object({ strategy: z.number(), process: z.number(), technology: z.number() }),
  baseScore: z.number().nullable(),
  insights: z.object({
    strategy: z.string(),
    process: z.string(),
    technology: z.string(),
    summary: z.string(),
    priorities: z.array(z.string()),
    modelScores: z.object({ strategy: z.number(), process: z.number(), technology: z.number() }),
  }),
  ...aiMeta,
})

export const profileUpdateBody = businessFields.strict()
export const profileUpdateResponse = z.object({
  profile,
  maturity: z.object({
    strategy: z.number(),
    process: z.number(),
    technology: z.number(),
    overall: z.number(),
    maturityStage: z.enum(['early', 'emerging', 'established', 'scaling']),
    rationale: z.string(),
    focusAreas: z.array(z.string()),
  }),
  ...aiMeta,
})

export const lever = z.object({
  id: z.uuid(),
  position: z.number().int(),
  title: z.string(),
  description: z.string(),
  targetArea: z.string(),
  expectedImpact: z.string(),
  effort: z.string(),
  progress: z.number().int(),
  key: z.string().describe('What the lever is (area + title slug): its identity across regenerations'),
  carriedOver: z.boolean().describe('Progress carried over from the same lever in the set this one replaced'),
  archivedAt: z.string().nullable(),
})
export const leversBody = z.object({ refresh: z.boolean().optional() }).strict().nullish()
export const leversResponse = z.object({
  levers: z.array(lever).length(5),
  archived: z.array(lever).describe('Levers with progress that a newer set no longer contains, newest first'),
  cached: z.boolean(),
  provider: z.string(),
  requestId: z
    .string()
    .nullable()
    .describe(
      'The AI answer that produced this set: rate a lever with POST /api/ai/answers/{requestId}/feedback and item "levers.<id>" (null for sets stored before this was kept)',
    ),
  generatedAt: z.string(),
  expiresAt: z.string(),
  scoresHash: z.string(),
})
export const leverProgressBody = z.object({ progress: z.number().int().min(0).max(100) }).strict()

export const simulationBody = z
  .object({
    strategyChange: z.number().min(-2).max(2),
    processChange: z.number().min(-2).max(2),
    technologyChange: z.number().min(-2).max(2),
    revenue: z.number().min(0).max(1e12),
    costs: z.number().min(0).max(1e12),
    efficiency: z.number().min(0).max(100),
  })
  .strict()
export const simulationResult = z.object({
  revenueImpact: z.number(),
  revenueImpactPct: z.number(),
  costSavings: z.number(),
  costSavingsPct: z.number(),
  efficiencyGain: z.number(),
  projected: z.object({ revenue: z.number(), costs: z.number(), efficiency: z.number(), profit: z.number() }),
  baseline: z.object({ profit: z.number() }),
  effectiveChanges: z.object({ strategy: z.number(), process: z.number(), technology: z.number() }),
  modelVersion: z.string(),
})
export const simulationResponse = z
  .object({
    id: z.uuid(),
    input: simulationBody,
    result: simulationResult,
    commentary: z.string().nullable(),
    createdAt: z.string(),
    warnings: z
      .array(
        z.object({
          code: z.enum(['costs_exceed_revenue', 'no_revenue', 'no_change']),
          field: z.string(),
          message: z.string(),
        }),
      )
      .describe('Inputs that are valid but probably not what was meant'),
  })
  .meta({ id: 'Simulation' })
export const simulationList = z.object({ simulations: z.array(simulationResponse) })

export const commentaryBody = z
  .object({ simulationId: z.uuid().optional(), simulation: simulationBody.optional() })
  .strict()
  .refine((b) => (b.simulationId === undefined) !== (b.simulation === undefined), {
    message: 'send either simulationId or simulation',
  })
export const commentaryResponse = z.object({
  simulationId: z.uuid(),
  commentary: z.string(),
  result: simulationResult,
  ...aiMeta,
})

/** `GET /api/insights/forecast`: see `./advice.ts`. */
export { forecastResponse } from './advice.ts'

export const recommendationsResponse = z.object({
  nextAssessments: z.array(
    z.object({
      type: z.string(),
      title: z.string(),
      path: z.string().describe('The web page that takes this assessment'),
      reason: z.string(),
      priority: z.number().int(),
    }),
  ),
  fromPeers: z
    .array(peerRecommendation)
    .optional()
    .describe('Assessments your most similar businesses took that you have not, with support (the peer graph)'),
  gaps: z.array(
    z.object({ area: z.string(), score: z.number().nullable(), status: z.enum(['low', 'missing', 'stale']) }),
  ),
  summary: z.string(),
  actions: z.array(
    z.object({
      title: z.string(),
      description: z.string(),
      area: z.string(),
      priority: z.enum(['high', 'medium', 'low']),
      timeframe: z.string(),
    }),
  ),
  ...aiMeta,
})

export const mlScoreBody = z
  .object({
    strategy: z.number().min(1).max(5).optional(),
    process: z.number().min(1).max(5).optional(),
    technology: z.number().min(1).max(5).optional(),
    industry: z.string().trim().min(1).max(100).optional(),
  })
  .strict()
  .nullish()
export const mlScoreResponse = z.object({
  score: z.number(),
  growthProbability: z.number(),
  band: z.enum(['at_risk', 'stable', 'growing', 'scaling']),
  industryGroup: z.string(),
  contributions: z.object({ strategy: z.number(), process: z.number(), technology: z.number(), balance: z.number() }),
  modelVersion: z.string(),
  inputs: z.object({
    strategy: z.number().nullable(),
    process: z.number().nullable(),
    technology: z.number().nullable(),
    industry: z.string().nullable(),
  }),
})
