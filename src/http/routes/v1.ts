import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { ApiKeyPrincipal } from '../../governance/keys/api-keys.ts'
import { rateLimitHeaders } from '../../governance/limits/errors.ts'
import type { AiCaller } from '../../gateway/types.ts'
import { chatCompletionBody, openAiError } from '../../gateway/wire/openai-chat.ts'
import { listModels } from '../../gateway/v1/chat-completions.ts'
import type { Answer } from '../../gateway/pipeline/index.ts'
import { openAiStreamError } from '../../gateway/wire/openai-sse.ts'
import { OptimaliqError, UnauthorizedError } from '../../errors.ts'
import type { App, RouteModule } from '../types.ts'
import { clientGone, firstInvalidField, v1CacheTtl, v1Caller } from './v1-caller.ts'
import { v1EmbeddingRoutes } from './v1-embeddings.ts'
import { v1ModelRoutes } from './v1-models.ts'
import { responsesRoutes } from './v1-responses.ts'
import { keyAccess, keyAllowsModel } from '../plugins/api-key-access.ts'
import { markUnanswered, writeSse } from './v1-sse.ts'

declare module 'fastify' {
  interface FastifyRequest {
    apiKey: ApiKeyPrincipal | null
  }
}

function sendOpenAiError(reply: FastifyReply, error: unknown) {
  markUnanswered(reply)
  const { status, body, headers } = openAiError(error)
  if (status >= 500) reply.request.log.error({ err: error }, 'v1 request failed')
  if (headers) reply.headers(headers)
  return reply.code(status).send(body)
}

/** The gateway headers of an answer, and the caller's X-RateLimit-* standing (set by the limits guard). */
export function answerHeaders(caller: AiCaller, answer: Answer<unknown>): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'x-optimaliq-provider': answer.provider,
    'x-optimaliq-model': answer.model,
    'x-optimaliq-cache': answer.cached ? (answer.cacheKind ?? 'hit') : 'miss',
    'x-optimaliq-fallback': String(answer.fallbackUsed),
    ...(answer.modelVersion ? { 'x-optimaliq-model-version': answer.modelVersion } : {}),
    ...(answer.route ? { 'x-optimaliq-route': answer.route } : {}),
    ...(answer.dropped?.length ? { 'x-optimaliq-dropped-params': answer.dropped.join(', ') } : {}),
    ...(caller.rateLimit ? rateLimitHeaders(caller.rateLimit) : {}),
  }
}

/** An SSE answer in OpenAI's chat format (errors as OpenAI-shaped events). */
const writeStream = (
  reply: FastifyReply,
  answer: Answer<AsyncIterable<string>>,
  headers: Record<string, string>,
  signal: AbortSignal,
  errorEvent: (error: unknown) => string = openAiStreamError,
) => writeSse(reply, answer, headers, signal, errorEvent)

/**
 * The OpenAI-compatible API: `POST /v1/chat/completions` (JSON and SSE) and `GET /v1/models`,
 * authenticated by API keys, errors in OpenAI's shape. The work is in `ai/v1/`.
 */
export const v1Routes: RouteModule = async (app, deps) => {
  app.decorateRequest('apiKey', null)
  await app.register(async (v1: App) => {
    v1.setErrorHandler((error: FastifyError, request, reply) => {
      markUnanswered(reply)
      if (error instanceof OptimaliqError) return sendOpenAiError(reply, error)
      if (error.validation) {
        const { param, message, missing } = firstInvalidField(error.validation, request.body)
        return reply.code(400).send({
          error: {
            // OpenAI's words for a missing field.
            message:
              missing && param
                ? `Missing required parameter: '${param}'.`
                : `Invalid request: ${param ?? 'body'} ${message}`,
            type: 'invalid_request_error',
            param: param ?? null,
            code: 'invalid_request',
          },
        })
      }
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
      if (status === 500) return sendOpenAiError(reply, error)
      return reply.code(status).send({
        error: { message: error.message, type: 'invalid_request_error', param: null, code: error.code ?? null },
      })
    })
    v1.addHook('onRequest', async (request: FastifyRequest) => {
      const header = request.headers.authorization
      const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null
      if (!match?.[1])
        throw new UnauthorizedError('Missing API key: send "Authorization: Bearer oq_…"', 'invalid_api_key')
      request.apiKey = await deps.apiKeys.authenticate(match[1])
    })

    // A machine API answering JSON or SSE: helmet's HTML-oriented headers are skipped (it rebuilds
    // its CSP on every request: 3.5 % of the /v1 CPU profile); nosniff is set by hand.
    v1.post(
      '/v1/chat/completions',
      {
        helmet: false,
        // The key's `chat` scope and model allowlist (per-key governance).
        preHandler: keyAccess('chat'),
        schema: {
          tags: ['v1'],
          summary: 'OpenAI-compatible chat completions (JSON or SSE)',
          security: [{ bearer: [] }],
          body: chatCompletionBody,
        },
      },
      async (request, reply) => {
        const caller = v1Caller(request)
        const signal = clientGone(reply)
        const input = {
          body: request.body,
          caller,
          cacheTtlSeconds: v1CacheTtl(request, deps),
          signal,
          dropParams: request.headers['x-optimaliq-drop-params'] === 'true',
        }
        if (request.body.stream) {
          const answer = await deps.ai.chatStream(input)
          return writeStream(reply, answer, answerHeaders(caller, answer), signal)
        }
        const answer = await deps.ai.chatCompletion(input)
        return reply
          .headers({ 'content-type': 'application/json; charset=utf-8', ...answerHeaders(caller, answer) })
          .send(answer.value)
      },
    )

    v1EmbeddingRoutes(v1, deps, answerHeaders)
    v1ModelRoutes(v1, deps)

    v1.get(
      '/v1/models',
      {
        helmet: false,
        schema: {
          tags: ['v1'],
          summary: 'Models and routes you can name in `model`',
          security: [{ bearer: [] }],
          response: {
            200: z.object({
              object: z.literal('list'),
              data: z.array(
                z.object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() }),
              ),
            }),
          },
        },
      },
      // Every key may list models; a key with an allowlist sees only what it may name.
      async (request) => {
        const list = listModels(deps.ai)
        return { ...list, data: list.data.filter((m) => keyAllowsModel(request.apiKey, m.id)) }
      },
    )
    await responsesRoutes(v1, deps, { writeStream, answerHeaders })
  })
}
