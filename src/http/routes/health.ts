import { z } from 'zod'
import { pendingMigrations } from '../../data/migrate.ts'
import type { RouteModule } from '../types.ts'

const status = z.object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()).optional() })

/** `/healthz`: the process is alive. `/readyz`: the database answers and every migration ran. */
export const healthRoutes: RouteModule = (app, { db }) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Liveness', response: { 200: status } }, logLevel: 'warn' },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: database reachable and migrations applied',
        response: { 200: status, 503: status },
      },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      try {
        const pending = await pendingMigrations(db)
        if (pending.length > 0)
          return reply
            .code(503)
            .send({ status: 'unavailable', checks: { database: 'ok', migrations: `pending: ${pending.join(', ')}` } })
        return { status: 'ok' as const, checks: { database: 'ok', migrations: 'ok' } }
      } catch {
        return reply.code(503).send({ status: 'unavailable', checks: { database: 'unreachable' } })
      }
    },
  )
}
