import type { FastifyReply } from 'fastify'
import { z } from 'zod'
import type { Answer } from '../../gateway/pipeline/index.ts'
import type { AiCaller } from '../../gateway/types.ts'
import type { ResponsesInput } from '../../gateway/v1/responses.ts'
import { responsesBody } from '../../gateway/wire/openai-responses.ts'
import type { ApiKeyPrincipal } from '../../governance/keys/api-keys.ts'
import { OptimaliqError } from '../../errors.ts'
import { clientGone, v1Caller } from './v1-caller.ts'
import type { App, RouteDeps } from '../types.ts'
import { keyAccess } from '../plugins/api-key-access.ts'

/** What `/v1/responses` shares with the chat route in `v1.ts`: the SSE writer and the gateway headers. */
export type V1Io = {
  writeStream(
    reply: FastifyReply,
    answer: Answer<AsyncIterable<string>>,
    headers: Record<string, string>,
    signal: AbortSignal,
    errorEvent?: (error: unknown) => string,
  ): Promise<void>
  answerHeaders(caller: AiCaller, answer: Answer<unknown>): Record<string, string>
}

const callerOf = (key: ApiKeyPrincipal, requestId: string): AiCaller => ({
  userId: key.userId,
  apiKeyId: key.keyId,
  tier: key.tier,
  requestId,
})

// Printable ids only: a control character must never reach the database as part of a key.
const idParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'must be a response id (resp_…)'),
})

/**
 * OpenAI's Responses API: `POST /v1/responses` (JSON or SSE events), `GET` and `DELETE
 * /v1/responses/{id}` (stored responses, the key owner's only). Registered inside the `/v1` scope
 * of `v1.ts` (API-key auth, OpenAI-shaped errors); the work is in `gateway/v1/responses.ts`.
 */
export async function responsesRoutes(v1: App, deps: RouteDeps, io: V1Io) {
  v1.post(
    '/v1/responses',
    {
      helmet: false,
      preHandler: keyAccess('responses'),
      schema: {
        tags: ['v1'],
        summary: 'OpenAI Responses API (JSON or SSE events), any configured provider',
        security: [{ bearer: [] }],
        body: responsesBody,
      },
    },
    async (request, reply) => {
      const caller = v1Caller(request)
      const signal = clientGone(reply)
      const input: ResponsesInput = {
        body: request.body,
        caller,
        signal,
        dropParams: request.headers['x-optimaliq-drop-params'] === 'true',
      }
      if (request.body.stream) {
        const answer = await deps.ai.responses.stream(input)
        return io.writeStream(reply, answer, io.answerHeaders(caller, answer), signal, answer.value.errorEvent)
      }
      const answer = await deps.ai.responses.create(input)
      return reply
        .headers({ 'content-type': 'application/json; charset=utf-8', ...io.answerHeaders(caller, answer) })
        .send(answer.value)
    },
  )

  v1.get(
    '/v1/responses/:id',
    {
      helmet: false,
      preHandler: keyAccess('responses'),
      schema: {
        tags: ['v1'],
        summary: 'A stored response (store: true), yours only',
        security: [{ bearer: [] }],
        params: idParams,
        querystring: z.looseObject({ stream: z.enum(['true', 'false']).optional() }),
      },
    },
    async (request, reply) => {
      if (request.query.stream === 'true')
        throw new OptimaliqError('unsupported_parameter', 'Replaying a stored response as a stream is not supported', {
          status: 400,
          details: [{ field: 'stream' }],
        })
      const caller = callerOf(request.apiKey as ApiKeyPrincipal, String(request.id))
      const found = await deps.ai.responses.retrieve(caller, request.params.id)
      return reply.header('x-content-type-options', 'nosniff').send(found)
    },
  )

  v1.delete(
    '/v1/responses/:id',
    {
      helmet: false,
      preHandler: keyAccess('responses'),
      schema: {
        tags: ['v1'],
        summary: 'Delete a stored response',
        security: [{ bearer: [] }],
        params: idParams,
      },
    },
    async (request, reply) => {
      const caller = callerOf(request.apiKey as ApiKeyPrincipal, String(request.id))
      return reply
        .header('x-content-type-options', 'nosniff')
        .send(await deps.ai.responses.delete(caller, request.params.id))
    },
  )
}
