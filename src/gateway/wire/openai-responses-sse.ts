import { StringDecoder } from 'node:string_decoder'
import type { AiUsage } from '../types.ts'
import { MalformedStreamError } from './openai-sse.ts'
import type { EventCounter } from './openai-responses-out.ts'

/**
 * Relays an upstream's Responses event stream (OpenAI, pass-through) one whole event at a time:
 * every `data:` line must be JSON (a malformed stream is never forwarded raw); the response
 * objects inside `response.*` lifecycle events are re-owned by the gateway (our id, the client's
 * `store` and `previous_response_id`, since upstream got the whole conversation with `store:
 * false`); the usage and the final response are read from `response.completed`/`incomplete`.
 */

export type RelayedEvent = {
  /** The event's text to send on (re-serialised when a response object in it was re-owned). */
  text: string
  /** The final response object, on `response.completed` / `response.incomplete`. */
  final?: Record<string, unknown> | undefined
}

export type ResponsesRelay = {
  push(chunk: Buffer): RelayedEvent[]
  end(): RelayedEvent[]
  readonly usage: AiUsage
  /** A terminal event (`response.completed`, `.incomplete`, `.failed`) arrived. */
  readonly done: boolean
  /** An `error` or `response.failed` event arrived (forwarded as it was: it is OpenAI-shaped). */
  readonly errorMessage: string | undefined
}

const LIFECYCLE = /^response\.(created|in_progress|queued|completed|incomplete|failed)$/

export function createResponsesRelay(options: {
  counter: EventCounter
  reown(response: Record<string, unknown>): Record<string, unknown>
}): ResponsesRelay {
  const decoder = new StringDecoder('utf8')
  let buffer = ''
  let usage: AiUsage = { inputTokens: undefined, outputTokens: undefined }
  let done = false
  let errorMessage: string | undefined

  function relayEvent(raw: string): RelayedEvent | undefined {
    let name: string | undefined
    const data: string[] = []
    for (const line of raw.split('\n')) {
      if (line === '' || line.startsWith(':') || /^(id|retry):/.test(line)) continue
      if (line.startsWith('event:')) name = line.slice(6).trim()
      else if (line.startsWith('data:')) data.push(line.slice(line.charAt(5) === ' ' ? 6 : 5))
      else throw new MalformedStreamError('the upstream sent a line that is not SSE')
    }
    if (data.length === 0) return undefined
    let payload: Record<string, unknown>
    try {
      payload = JSON.parse(data.join('\n')) as Record<string, unknown>
    } catch {
      throw new MalformedStreamError('the upstream sent an event that is not JSON')
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
      throw new MalformedStreamError('the upstream sent an event that is not a JSON object')
    const type = typeof payload.type === 'string' ? payload.type : (name ?? '')
    if (typeof payload.sequence_number === 'number')
      options.counter.next = Math.max(options.counter.next, payload.sequence_number + 1)
    if (type === 'error') {
      const error = payload.error as { message?: unknown } | undefined
      errorMessage =
        typeof payload.message === 'string'
          ? payload.message
          : typeof error?.message === 'string'
            ? error.message
            : 'error event'
    }
    const response = payload.response
    if (!LIFECYCLE.test(type) || response === null || typeof response !== 'object') return { text: `${raw}\n\n` }
    const reowned = options.reown(response as Record<string, unknown>)
    let final: Record<string, unknown> | undefined
    if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') {
      done = true
      const u = reowned.usage as { input_tokens?: unknown; output_tokens?: unknown } | null | undefined
      usage = {
        inputTokens: typeof u?.input_tokens === 'number' ? u.input_tokens : undefined,
        outputTokens: typeof u?.output_tokens === 'number' ? u.output_tokens : undefined,
      }
      if (type === 'response.failed') {
        const error = reowned.error as { message?: unknown } | null | undefined
        errorMessage = typeof error?.message === 'string' ? error.message : 'response.failed'
      } else final = reowned
    }
    const text = `event: ${name ?? type}\ndata: ${JSON.stringify({ ...payload, response: reowned })}\n\n`
    return { text, final }
  }

  const drain = (flush: boolean): RelayedEvent[] => {
    if (buffer.includes('\r')) buffer = buffer.replace(/\r\n?/g, '\n')
    const out: RelayedEvent[] = []
    let end = buffer.indexOf('\n\n')
    while (end !== -1) {
      const event = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const relayed = event.trim() === '' ? undefined : relayEvent(event)
      if (relayed) out.push(relayed)
      end = buffer.indexOf('\n\n')
    }
    if (flush && buffer.trim() !== '') {
      const relayed = relayEvent(buffer.trim())
      buffer = ''
      if (relayed) out.push(relayed)
    }
    return out
  }

  return {
    push(chunk) {
      buffer += decoder.write(chunk)
      return drain(false)
    },
    end() {
      buffer += decoder.end()
      return drain(true)
    },
    get usage() {
      return usage
    },
    get done() {
      return done
    },
    get errorMessage() {
      return errorMessage
    },
  }
}
