import { z } from 'zod'
import { providerHealthReport } from '../../app/admin/provider-health.ts'
import { errorResponse } from '../../contracts/common.ts'
import type { RouteModule } from '../types.ts'

const providerHealth = z.object({
  provider: z.string(),
  status: z.enum(['healthy', 'degraded', 'down']),
  breaker: z.enum(['closed', 'open', 'half-open']),
  models: z.array(z.object({ model: z.string(), breaker: z.enum(['closed', 'open', 'half-open']) })),
  recentErrorRate: z.number(),
  p50LatencyMs: z.number().optional(),
  lastSuccessAt: z.string().optional(),
  lastFailureAt: z.string().optional(),
})

/** Gateway health for admins: provider status from live traffic, breakers, routes, recent status changes. */
export const adminAiRoutes: RouteModule = (app, { ai, db, hooks }) => {
  app.get(
    '/api/admin/ai/providers',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'AI provider health',
        security: [{ bearer: [] }],
        response: {
          200: z.object({
            enabled: z.boolean(),
            providers: z.array(providerHealth),
            routes: z.array(z.string()),
            semanticCache: z
              .object({ search: z.enum(['pgvector', 'ivf', 'starting']), entries: z.number().int() })
              .nullable(),
            history: z.array(
              z.object({ provider: z.string(), status: z.string(), reason: z.string().nullable(), at: z.string() }),
            ),
          }),
          401: errorResponse,
          403: errorResponse,
        },
      },
    },
    async () => providerHealthReport({ ai, db }),
  )
}
