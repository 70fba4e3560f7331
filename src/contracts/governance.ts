import { z } from 'zod'

/** Admin AI governance: model versions, experiments, monitoring, alerts; user feedback and data. */

export const versionStatus = z.enum(['candidate', 'active', 'retired'])

export const modelVersion = z
  .object({
    id: z.uuid(),
    feature: z.string(),
    provider: z.string(),
    model: z.string(),
    promptVersion: z.string(),
    params: z.record(z.string(), z.unknown()),
    status: versionStatus,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ModelVersion' })

export const modelVersionCreate = z
  .object({
    feature: z.string().trim().min(1).max(100),
    provider: z.string().trim().min(1).max(50),
    model: z.string().trim().min(1).max(200),
    promptVersion: z.string().trim().min(1).max(50),
    params: z.record(z.string(), z.unknown()).default({}),
    status: versionStatus.default('candidate'),
  })
  .strict()

export const modelVersionPatch = z
  .object({
    status: versionStatus.optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    promptVersion: z.string().trim().min(1).max(50).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one of status, params, promptVersion' })

export const featureQuery = z
  .object({ feature: z.string().max(100).optional(), status: z.string().max(20).optional() })
  .strict()

export const experimentCreate = z
  .object({
    feature: z.string().trim().min(1).max(100),
    variants: z
      .array(z.object({ versionId: z.uuid(), weight: z.number().positive().max(1_000_000) }).strict())
      .min(2)
      .max(10)
      .refine((vs) => new Set(vs.map((v) => v.versionId)).size === vs.length, {
        message: 'each version may appear once',
      }),
  })
  .strict()

const proportionTest = z.object({ z: z.number(), pValue: z.number(), significant: z.boolean() }).optional()

export const variantStats = z.object({
  versionId: z.string(),
  weight: z.number(),
  requests: z.number(),
  errors: z.number(),
  errorRate: z.number(),
  validationFailures: z.number(),
  p50LatencyMs: z.number().nullable(),
  p95LatencyMs: z.number().nullable(),
  costUsd: z.number(),
  avgCostUsd: z.number().nullable(),
  feedbackUp: z.number(),
  feedbackDown: z.number(),
  positiveRate: z.number().nullable(),
  vsControl: z.object({ errorRate: proportionTest, positiveRate: proportionTest }).nullable(),
})

export const experiment = z
  .object({
    id: z.uuid(),
    feature: z.string(),
    status: z.enum(['running', 'promoted', 'rolled_back', 'stopped']),
    variants: z.array(z.object({ versionId: z.string(), weight: z.number() })),
    winnerVersionId: z.string().nullable(),
    createdAt: z.string(),
    endedAt: z.string().nullable(),
    metrics: z.array(variantStats).optional(),
  })
  .meta({ id: 'Experiment' })

export const promoteBody = z.object({ versionId: z.uuid().optional() }).strict()

const breakdown = {
  requests: z.number(),
  successRate: z.number(),
  errorRate: z.number(),
  p50LatencyMs: z.number().nullable(),
  p95LatencyMs: z.number().nullable(),
  p99LatencyMs: z.number().nullable(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  fallbackRate: z.number(),
  cacheHitRate: z.number(),
}

export const monitoringQuery = z.object({ window: z.enum(['1h', '24h', '7d', '30d']).default('24h') }).strict()

/** `GET /api/admin/ai-monitoring/series`: buckets a series may use, and their length. */
export const SERIES_BUCKETS = { '5m': 300_000, '1h': 3_600_000, '6h': 21_600_000, '1d': 86_400_000 } as const
const WINDOW_MS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 604_800_000, '30d': 2_592_000_000 } as const
/** At most this many points per series. */
export const MAX_SERIES_POINTS = 400
export const usageSeriesQuery = z
  .object({
    window: z.enum(['1h', '24h', '7d', '30d']).default('24h'),
    bucket: z
      .enum(['5m', '1h', '6h', '1d'])
      .optional()
      .describe('Width of each point; by default 5m for 1h, 1h for 24h, 6h for 7d, 1d for 30d'),
    by: z.enum(['provider', 'model', 'feature']).default('provider'),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (!q.bucket) return
    const points = WINDOW_MS[q.window] / SERIES_BUCKETS[q.bucket]
    if (points > MAX_SERIES_POINTS)
      ctx.addIssue({
        code: 'custom',
        path: ['bucket'],
        message: `${q.bucket} buckets over ${q.window} make ${points} points; at most ${MAX_SERIES_POINTS}: choose a wider bucket`,
      })
    else if (points < 1)
      ctx.addIssue({
        code: 'custom',
        path: ['bucket'],
        message: `a ${q.bucket} bucket is wider than the ${q.window} window`,
      })
  })

export const usageSeriesResponse = z
  .object({
    window: z.string(),
    bucket: z.enum(['5m', '1h', '6h', '1d']),
    by: z.enum(['provider', 'model', 'feature']),
    from: z.string(),
    to: z.string(),
    series: z.array(
      z.object({
        key: z.string().describe('The provider, "provider/model", or the feature'),
        requests: z.number().int(),
        inputTokens: z.number(),
        outputTokens: z.number(),
        costUsd: z.number(),
        points: z.array(
          z.object({
            bucket: z.string().describe('Start of the bucket (ISO 8601, UTC-aligned)'),
            requests: z.number().int(),
            inputTokens: z.number(),
            outputTokens: z.number(),
            costUsd: z.number(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'AiUsageSeries' })

export const monitoringReport = z
  .object({
    window: z.string(),
    from: z.string(),
    to: z.string(),
    /** `exact`: percentile_cont over the window's rows (1h, 24h); `histogram`: from the rollups' latency histograms, within 9.05 % (7d, 30d). */
    percentiles: z.enum(['exact', 'histogram']),
    totals: z.object(breakdown),
    byProvider: z.array(
      z.object({ provider: z.string(), ...breakdown, errorsByClass: z.record(z.string(), z.number()) }),
    ),
    byModel: z.array(z.object({ provider: z.string(), model: z.string(), ...breakdown })),
    byFeature: z.array(z.object({ feature: z.string(), ...breakdown })),
    uptime: z.array(
      z.object({
        provider: z.string(),
        uptime: z.number().nullable(),
        status: z.string().nullable(),
        since: z.string().nullable(),
      }),
    ),
    topUsers: z.array(
      z.object({ userId: z.string(), email: z.string().nullable(), requests: z.number(), costUsd: z.number() }),
    ),
    series: z.array(
      z.object({
        bucket: z.string(),
        requests: z.number(),
        errors: z.number(),
        costUsd: z.number(),
        tokens: z.number(),
        p95LatencyMs: z.number().nullable(),
      }),
    ),
  })
  .meta({ id: 'AiMonitoring' })

export const alert = z
  .object({
    id: z.uuid(),
    ruleId: z.string(),
    scope: z.string(),
    status: z.enum(['firing', 'resolved']),
    value: z.number().nullable(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).nullable(),
    firedAt: z.string(),
    resolvedAt: z.string().nullable(),
    notifiedAt: z.string().nullable(),
    acknowledgedAt: z.string().nullable().describe('When an admin acknowledged it (it keeps firing until it clears)'),
    acknowledgedBy: z.string().nullable().describe('The admin who acknowledged it'),
  })
  .meta({ id: 'Alert' })

export const alertQuery = z
  .object({
    status: z.enum(['firing', 'resolved']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict()

export const alertRule = z
  .object({ id: z.string(), kind: z.string(), threshold: z.number(), windowMinutes: z.number(), enabled: z.boolean() })
  .meta({ id: 'AlertRule' })

export const alertRulePatch = z
  .object({
    threshold: z.number().min(0).max(99_999_999).optional(),
    windowMinutes: z.number().int().min(0).max(43_200).optional(),
    enabled: z.boolean().optional(),
  })
  .strict()

/** The older feedback path takes the same body as `POST /api/ai/answers/:requestId/feedback`. */
export { answerFeedbackBody as feedbackBody } from './advice.ts'
export const feedbackParams = z.object({ requestId: z.string().min(1).max(128) })
export const feedback = z.object({
  requestId: z.string(),
  item: z.string().nullable(),
  rating: z.enum(['up', 'down']),
  comment: z.string().nullable(),
  createdAt: z.string(),
})

export const usageStanding = z.object({
  limits: z.array(z.object({ limit: z.string(), max: z.number(), remaining: z.number(), resetAt: z.string() })),
  budgets: z.array(z.object({ budget: z.string(), limitUsd: z.number(), spentUsd: z.number(), resetAt: z.string() })),
})

/** `GET /api/keys/usage`: requests, tokens and cost per API key over the last `days`. */
export const apiKeyUsageResponse = z
  .object({
    days: z.number().int(),
    since: z.string(),
    keys: z.array(
      z.object({
        keyId: z.string(),
        requests: z.number().int(),
        errors: z.number().int(),
        tokens: z.number(),
        costUsd: z.number(),
        lastRequestAt: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'ApiKeyUsage' })

/** `GET /api/admin/budgets`: the install-wide budgets against their limits. */
export const adminBudgetsResponse = z
  .object({
    budgets: z.array(
      z.object({
        budget: z.string(),
        period: z.enum(['daily', 'monthly']),
        limitUsd: z.number(),
        spentUsd: z.number(),
        resetAt: z.string(),
      }),
    ),
  })
  .meta({ id: 'AdminBudgets' })
