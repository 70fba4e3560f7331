import type { FastifyRequest } from 'fastify'
import type { AiCaller } from '../../gateway/types.ts'
import { embeddingsBody } from '../../gateway/wire/openai-embeddings.ts'
import { v1Caller } from './v1-caller.ts'
import type { App, HttpDeps } from '../types.ts'
import { keyAccess } from '../plugins/api-key-access.ts'

/** The caller of a `/v1` request: the API key's owner, the key, its tier, the request id. */

/** `x-optimaliq-cache-ttl: <seconds>`, else `AI_V1_CACHE_TTL_SECONDS`. */
export function v1CacheTtl(request: FastifyRequest, deps: Pick<HttpDeps, 'ai'>): number {
  const header = request.headers['x-optimaliq-cache-ttl']
  return typeof header === 'string' && /^\d{1,8}$/.test(header)
    ? Number(header)
    : deps.ai.config.ai.gateway.v1CacheTtlSeconds
}

/**
 * `POST /v1/embeddings` (OpenAI's format) inside the `/v1` scope (its API-key auth and OpenAI error
 * shape): any configured provider with embedding models, through the gateway's one pipeline.
 */
export function v1EmbeddingRoutes(
  v1: App,
  deps: Pick<HttpDeps, 'ai'>,
  headersOf: (caller: AiCaller, answer: Awaited<ReturnType<HttpDeps['ai']['embeddings']>>) => Record<string, string>,
) {
  v1.post(
    '/v1/embeddings',
    {
      helmet: false,
      preHandler: keyAccess('embeddings'),
      schema: {
        tags: ['v1'],
        summary: 'OpenAI-compatible embeddings (OpenAI, Azure, Gemini, Mistral, Bedrock, OpenAI-compatible)',
        security: [{ bearer: [] }],
        body: embeddingsBody,
      },
    },
    async (request, reply) => {
      const caller = v1Caller(request)
      const abort = new AbortController()
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) abort.abort(new Error('client closed the connection'))
      })
      const answer = await deps.ai.embeddings({
        body: request.body,
        caller,
        cacheTtlSeconds: v1CacheTtl(request, deps),
        signal: abort.signal,
        dropParams: request.headers['x-optimaliq-drop-params'] === 'true',
      })
      return reply
        .headers({ 'content-type': 'application/json; charset=utf-8', ...headersOf(caller, answer) })
        .send(answer.value)
    },
  )
}
