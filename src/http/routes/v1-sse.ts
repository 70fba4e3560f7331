import { once } from 'node:events'
import type { FastifyReply } from 'fastify'
import type { Answer } from '../../gateway/pipeline/index.ts'

/**
 * Writing `/v1` answers, shared by every wire format (chat, Responses, Anthropic Messages): the
 * gateway headers of an unanswered request, and the SSE writer with each format's error event.
 */

/** Every /v1 response carries the gateway headers; a refused or failed request was answered by no provider. */
export function markUnanswered(reply: FastifyReply) {
  if (!reply.hasHeader('x-optimaliq-provider'))
    reply.headers({
      'x-optimaliq-provider': 'none',
      'x-optimaliq-model': 'none',
      'x-optimaliq-cache': 'miss',
      'x-optimaliq-fallback': 'false',
    })
}

/**
 * An SSE answer: the head once the pipeline committed to a provider (the router may fall back until
 * the first chunk), then its text with backpressure. A stream that cannot go on (it broke, or a
 * guardrail refused it) ends with the format's error event; a client that goes away stops the
 * reading (the gateway cancels upstream and settles).
 */
export async function writeSse(
  reply: FastifyReply,
  answer: Answer<AsyncIterable<string>>,
  headers: Record<string, string>,
  signal: AbortSignal,
  errorEvent: (error: unknown) => string,
) {
  reply.hijack()
  const res = reply.raw
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': String(reply.request.id),
    ...headers,
  })
  try {
    for await (const piece of answer.value) {
      if (piece === '') continue
      if (!res.write(piece)) await once(res, 'drain', { signal })
    }
    res.end()
  } catch (error) {
    if (!res.destroyed && !signal.aborted) res.end(errorEvent(error))
    else res.destroy()
  }
}
