import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { ApiKeyPrincipal } from '../../governance/keys/api-keys.ts'
import { rateLimitHeaders } from '../../governance/limits/errors.ts'
import type { Answer } from '../../gateway/pipeline/index.ts'
import type { AiCaller } from '../../gateway/types.ts'
import {
  ANTHROPIC_VERSION,
  anthropicError,
  anthropicErrorType,
  anthropicStreamError,
  messagesBody,
} from '../../gateway/wire/anthropic-messages.ts'
import { OptimaliqError, UnauthorizedError } from '../../errors.ts'
import { clientGone, firstInvalidField, v1CacheTtl, v1Caller } from './v1-caller.ts'
import type { App, RouteModule } from '../types.ts'
import { keyAccess } from '../plugins/api-key-access.ts'
import { markUnanswered, writeSse } from './v1-sse.ts'

/** The principal of each authenticated request (this scope's own: `/v1`'s decoration is not shared). */
const principals = new WeakMap<FastifyRequest, ApiKeyPrincipal>()

const anthropicBody = (type: string, message: string) => ({ type: 'error' as const, error: { type, message } })

function sendError(reply: FastifyReply, error: unknown) {
  markUnanswered(reply)
  const { status, body, headers } = anthropicError(error)
  if (status >= 500) reply.request.log.error({ err: error }, 'v1/messages request failed')
  if (headers) reply.headers(headers)
  return reply.code(status).send(body)
}

function answerHeaders(request: FastifyRequest, caller: AiCaller, answer: Answer<unknown>): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'request-id': String(request.id),
    'anthropic-version': String(request.headers['anthropic-version']),
    'x-optimaliq-provider': answer.provider,
    'x-optimaliq-model': answer.model,
    'x-optimaliq-cache': answer.cached ? 'hit' : 'miss',
    'x-optimaliq-fallback': String(answer.fallbackUsed),
    ...(answer.modelVersion ? { 'x-optimaliq-model-version': answer.modelVersion } : {}),
    ...(answer.dropped?.length ? { 'x-optimaliq-dropped-params': answer.dropped.join(', ') } : {}),
    ...(caller.rateLimit ? rateLimitHeaders(caller.rateLimit) : {}),
  }
}

/** The key from `x-api-key` (as Anthropic clients send it) or `Authorization: Bearer`. */
function keyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key']
  if (typeof header === 'string' && header.trim() !== '') return header.trim()
  const bearer = request.headers.authorization ? /^Bearer\s+(\S+)$/i.exec(request.headers.authorization) : null
  return bearer?.[1]
}

/**
 * The Anthropic Messages API, `POST /v1/messages` (JSON and SSE), in Anthropic's wire format in and
 * out: authenticated by our `oq_…` keys in `x-api-key` or as a Bearer token, `anthropic-version`
 * required as Anthropic requires it, errors as `{type: 'error', error: {type, message}}`.
 */
export const v1MessagesRoutes: RouteModule = async (app, deps) => {
  await app.register(async (scope: App) => {
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof OptimaliqError) return sendError(reply, error)
      markUnanswered(reply)
      if (error.validation) {
        const { param, message, missing } = firstInvalidField(error.validation, request.body)
        // Anthropic's words for a missing field.
        return reply
          .code(400)
          .send(anthropicBody('invalid_request_error', `${param ?? 'body'}: ${missing ? 'Field required' : message}`))
      }
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
      if (status === 500) return sendError(reply, error)
      return reply.code(status).send(anthropicBody(anthropicErrorType(status), error.message))
    })
    scope.addHook('onRequest', async (request: FastifyRequest) => {
      const key = keyOf(request)
      if (!key)
        throw new UnauthorizedError('x-api-key header is required (or "Authorization: Bearer oq_…")', 'invalid_api_key')
      principals.set(request, await deps.apiKeys.authenticate(key))
      const version = request.headers['anthropic-version']
      if (typeof version !== 'string' || version === '')
        throw new OptimaliqError('invalid_request', 'anthropic-version: header is required', { status: 400 })
      if (!ANTHROPIC_VERSION.test(version))
        throw new OptimaliqError(
          'invalid_request',
          `anthropic-version: "${version.slice(0, 40)}" is not a version (a date, e.g. 2023-06-01)`,
          { status: 400 },
        )
    })

    scope.post(
      '/v1/messages',
      {
        helmet: false,
        preHandler: keyAccess('messages', (request) => principals.get(request)),
        schema: {
          tags: ['v1'],
          summary: 'Anthropic Messages API (JSON or SSE)',
          security: [{ apiKey: [] }, { bearer: [] }],
          body: messagesBody,
        },
      },
      async (request, reply) => {
        const key = principals.get(request) as ApiKeyPrincipal
        const caller = v1Caller(request, key)
        const signal = clientGone(reply)
        const headers: Record<string, string> = { 'anthropic-version': String(request.headers['anthropic-version']) }
        const beta = request.headers['anthropic-beta']
        if (typeof beta === 'string' && beta !== '') headers['anthropic-beta'] = beta
        const input = {
          body: request.body,
          caller,
          cacheTtlSeconds: v1CacheTtl(request, deps),
          signal,
          headers,
          dropParams: request.headers['x-optimaliq-drop-params'] === 'true',
        }
        if (request.body.stream) {
          const answer = await deps.ai.messagesStream(input)
          return writeSse(reply, answer, answerHeaders(request, caller, answer), signal, anthropicStreamError)
        }
        const answer = await deps.ai.messages(input)
        return reply
          .headers({ 'content-type': 'application/json; charset=utf-8', ...answerHeaders(request, caller, answer) })
          .send(answer.value)
      },
    )
  })
}
