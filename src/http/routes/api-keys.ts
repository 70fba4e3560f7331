import { z } from 'zod'
import { keyUsage } from '../../app/account/key-usage.ts'
import { announceKeyRevoked } from '../../app/account/revocation.ts'
import { apiKeyUsageResponse } from '../../contracts/governance.ts'
import { errorResponse, uuidParam } from '../../contracts/common.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

const apiKey = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' })
const createdKey = apiKey.extend({ key: z.string().describe('The key itself: shown once, store it now') })
const errors = { 400: errorResponse, 401: errorResponse, 404: errorResponse, 503: errorResponse }

/** API keys for the OpenAI-compatible `/v1` API: create (shown once), list, revoke. */
export const apiKeyRoutes: RouteModule = (app, deps) => {
  const keys = () => deps.apiKeys
  app.post(
    '/api/keys',
    {
      onRequest: deps.hooks.requireUser,
      schema: {
        tags: ['api keys'],
        summary: 'Create an API key (shown once)',
        security: [{ bearer: [] }],
        body: z.object({ name: z.string().trim().min(1).max(100).default('default') }).default({ name: 'default' }),
        response: { 201: createdKey, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await keys().create(principalOf(request).claims, request.body.name)),
  )
  app.get(
    '/api/keys',
    {
      onRequest: deps.hooks.requireUser,
      schema: {
        tags: ['api keys'],
        summary: 'Your API keys (never the key itself)',
        security: [{ bearer: [] }],
        response: { 200: z.object({ keys: z.array(apiKey) }), ...errors },
      },
    },
    async (request) => ({ keys: await keys().list(principalOf(request).claims) }),
  )
  app.get(
    '/api/keys/usage',
    {
      onRequest: deps.hooks.requireUser,
      schema: {
        tags: ['api keys'],
        summary: 'Requests, tokens and cost per API key over the last 30 days',
        security: [{ bearer: [] }],
        response: { 200: apiKeyUsageResponse, ...errors },
      },
    },
    async (request) => keyUsage(deps, principalOf(request).user.id),
  )
  app.delete(
    '/api/keys/:id',
    {
      onRequest: deps.hooks.requireUser,
      schema: {
        tags: ['api keys'],
        summary: 'Revoke an API key',
        security: [{ bearer: [] }],
        params: uuidParam,
        response: { 200: apiKey, ...errors },
      },
    },
    async (request) => {
      const { claims } = principalOf(request)
      const revoked = await keys().revoke(claims, request.params.id)
      // Other processes drop their cached copy of the key now, not after its cache time.
      await announceKeyRevoked(deps, claims.sub, revoked.id)
      return revoked
    },
  )
}
