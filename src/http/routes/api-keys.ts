import { keyUsage } from '../../app/account/key-usage.ts'
import { announceKeyChanged, announceKeyRevoked } from '../../app/account/revocation.ts'
import { overrideKey, overrideUserKeys, userKeysFor } from '../../app/admin/api-keys.ts'
import {
  adminUserKeys,
  apiKey,
  apiKeyList,
  createApiKeyBody,
  createdApiKey,
  DEFAULT_ROTATION_GRACE_SECONDS,
  keySettings,
  rotateApiKeyBody,
} from '../../contracts/api-keys.ts'
import { apiKeyUsageResponse } from '../../contracts/governance.ts'
import { errorResponse, uuidParam } from '../../contracts/common.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

const errors = { 400: errorResponse, 401: errorResponse, 404: errorResponse, 409: errorResponse, 503: errorResponse }
const adminErrors = { ...errors, 403: errorResponse }

/**
 * API keys for the OpenAI-compatible `/v1` API: create (shown once) with their settings, list with
 * usage and standing, rotate, revoke; and an admin's overrides per key and per user (audited).
 */
export const apiKeyRoutes: RouteModule = (app, deps) => {
  const keys = () => deps.apiKeys
  app.post(
    '/api/keys',
    {
      onRequest: deps.hooks.requireUser,
      schema: {
        tags: ['api keys'],
        summary: 'Create an API key (shown once), with its scopes, allowlist, limits, budgets and expiry',
        security: [{ bearer: [] }],
        body: createApiKeyBody.default({ name: 'default' }),
        response: { 201: createdApiKey, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await keys().create(principalOf(request).claims, request.body)),
  )
  app.get(
    '/api/keys',
    {
      onRequest: deps.hooks.requireUser,
      schema: {
        tags: ['api keys'],
        summary: 'Your API keys with their settings, usage today and this month, and standing (never the key itself)',
        security: [{ bearer: [] }],
        response: { 200: apiKeyList, ...errors },
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
  app.post(
    '/api/keys/:id/rotate',
    {
      onRequest: deps.hooks.requireUser,
      schema: {
        tags: ['api keys'],
        summary: 'A new secret for a key (shown once); the old one keeps working for graceSeconds (default 24 h)',
        security: [{ bearer: [] }],
        params: uuidParam,
        body: rotateApiKeyBody.default({ graceSeconds: DEFAULT_ROTATION_GRACE_SECONDS }),
        response: { 200: createdApiKey, ...errors },
      },
    },
    async (request) => {
      const { claims } = principalOf(request)
      const rotated = await keys().rotate(claims, request.params.id, request.body.graceSeconds)
      // Other processes read the key again now: the old secret's grace end applies everywhere.
      await announceKeyChanged(deps, claims.sub, rotated.id)
      return rotated
    },
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

  // An admin's overrides: on one key, or on every key of a user (audited).
  const actorOf = (request: Parameters<typeof principalOf>[0]) => {
    const { claims, user } = principalOf(request)
    return { claims, userId: user.id }
  }
  app.get(
    '/api/admin/users/:id/keys',
    {
      onRequest: deps.hooks.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: "A user's API keys with usage and standing, and the overrides on all of them",
        security: [{ bearer: [] }],
        params: uuidParam,
        response: { 200: adminUserKeys, ...adminErrors },
      },
    },
    async (request) => userKeysFor(deps, actorOf(request), request.params.id),
  )
  app.put(
    '/api/admin/keys/:id/overrides',
    {
      onRequest: deps.hooks.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: "Override one key's settings (replaces earlier overrides on it; audited)",
        security: [{ bearer: [] }],
        params: uuidParam,
        body: keySettings,
        response: { 200: apiKey, ...adminErrors },
      },
    },
    async (request) => overrideKey(deps, actorOf(request), request.params.id, request.body),
  )
  app.delete(
    '/api/admin/keys/:id/overrides',
    {
      onRequest: deps.hooks.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: "Clear an admin's overrides on one key (audited)",
        security: [{ bearer: [] }],
        params: uuidParam,
        response: { 200: apiKey, ...adminErrors },
      },
    },
    async (request) => overrideKey(deps, actorOf(request), request.params.id, undefined),
  )
  app.put(
    '/api/admin/users/:id/key-overrides',
    {
      onRequest: deps.hooks.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Override the settings of every key of a user (replaces earlier ones; audited)',
        security: [{ bearer: [] }],
        params: uuidParam,
        body: keySettings,
        response: { 200: adminUserKeys, ...adminErrors },
      },
    },
    async (request) => overrideUserKeys(deps, actorOf(request), request.params.id, request.body),
  )
  app.delete(
    '/api/admin/users/:id/key-overrides',
    {
      onRequest: deps.hooks.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: "Clear an admin's overrides on every key of a user (audited)",
        security: [{ bearer: [] }],
        params: uuidParam,
        response: { 200: adminUserKeys, ...adminErrors },
      },
    },
    async (request) => overrideUserKeys(deps, actorOf(request), request.params.id, undefined),
  )
}
