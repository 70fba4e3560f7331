import { errorResponse } from '../../contracts/common.ts'
import { streamQuery } from '../../contracts/tasks.ts'
import { parseLastEventId } from '../../realtime/sse.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

/**
 * `GET /api/realtime/stream`: Server-Sent Events for the signed-in user (cookie or Bearer), so a
 * browser `EventSource` works as is. Reconnects resume from `Last-Event-ID`.
 */
export const realtimeRoutes: RouteModule = (app, { realtime, hooks }) => {
  // End streams before the server waits for open connections: clients reconnect and resume.
  app.addHook('preClose', async () => realtime.closeAll())

  app.get(
    '/api/realtime/stream',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['realtime'],
        summary: 'Live events (Server-Sent Events)',
        description:
          'Each SSE message has `id` (resume cursor), `event` (the event type) and `data` (JSON: id, type, payload, createdAt). Send `Last-Event-ID` (or `?lastEventId=`) to receive everything after it first. Comments keep the connection alive; a `close` event names why the server ended the stream.',
        security: [{ bearer: [] }],
        querystring: streamQuery,
        response: { 401: errorResponse, 429: errorResponse },
      },
    },
    async (request, reply) => {
      const { user, claims, token } = principalOf(request)
      realtime.assertCapacity(user.id)
      const lastEventId = parseLastEventId(request.headers['last-event-id'], request.query.lastEventId)
      reply.hijack()
      await realtime.open({
        userId: user.id,
        claims,
        admin: request.query.admin === 'true' || request.query.admin === '1',
        lastEventId,
        res: reply.raw,
        tokenId: token.jti,
        headers: reply.getHeaders() as Record<string, string>,
      })
    },
  )
}
