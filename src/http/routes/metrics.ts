import { timingSafeEqual } from 'node:crypto'
import { UnauthorizedError, NotFoundError } from '../../errors.ts'
import type { RouteModule } from '../types.ts'

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * `GET /metrics` (Prometheus text) and the HTTP duration histogram for every request. With
 * METRICS_TOKEN it requires `Authorization: Bearer <token>`; with METRICS_PORT (and no token) it
 * is served only on that port (`main/metrics-server.ts`); with neither, only to loopback callers.
 */
export const metricsRoutes: RouteModule = (app, { config, governance }) => {
  const { metrics } = governance
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequest({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      durationSeconds: reply.elapsedTime / 1000,
    })
  })
  const { metricsToken, metricsPort } = config.governance
  if (!metricsToken && metricsPort > 0) return
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (metricsToken) {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')
      if (!match || !sameToken(match[1]!, metricsToken))
        throw new UnauthorizedError('Metrics need "Authorization: Bearer <METRICS_TOKEN>"')
    } else if (!LOOPBACK.has(request.ip)) {
      throw new NotFoundError('Route', 'not_found')
    }
    const { contentType, body } = await metrics.render()
    return reply.header('content-type', contentType).send(body)
  })
}
