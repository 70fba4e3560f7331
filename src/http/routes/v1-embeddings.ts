import type { AiCaller } from '../../gateway/types.ts'
import { embeddingsBody } from '../../gateway/wire/openai-embeddings.ts'
import { clientGone, v1CacheTtl, v1Caller } from './v1-caller.ts'
import type { App, HttpDeps } from '../types.ts'
import { keyAccess } from '../plugins/api-key-access.ts'

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
      const answer = await deps.ai.embeddings({
        body: request.body,
        caller,
        cacheTtlSeconds: v1CacheTtl(request, deps),
        signal: clientGone(reply),
        dropParams: request.headers['x-optimaliq-drop-params'] === 'true',
      })
      return reply
        .headers({ 'content-type': 'application/json; charset=utf-8', ...headersOf(caller, answer) })
        .send(answer.value)
    },
  )
}
