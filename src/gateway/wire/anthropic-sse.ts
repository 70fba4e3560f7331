import { StringDecoder } from 'node:string_decoder'
import { anthropicUsage } from '../calls/anthropic-passthrough.ts'
import type { AiUsage } from '../types.ts'
import { MalformedStreamError, type EventRelay } from './openai-sse.ts'

/**
 * Relays an Anthropic Messages SSE stream from an upstream to our client one whole event at a time:
 * every `data:` line must be JSON (a malformed stream is never forwarded raw), usage is read from
 * `message_start` (input) and `message_delta` (output, cumulative), and the end (`message_stop`) or
 * an `error` event is noted.
 */
export type AnthropicSseRelay = EventRelay

type Event = { type?: unknown; message?: { usage?: unknown }; usage?: unknown; error?: { message?: unknown } }

export function createAnthropicSseRelay(): AnthropicSseRelay {
  const decoder = new StringDecoder('utf8')
  let buffer = ''
  const usage: AiUsage = { inputTokens: undefined, outputTokens: undefined }
  let done = false
  let errored = false
  let errorMessage: string | undefined

  function read(event: string): string {
    for (const line of event.split('\n')) {
      if (line === '' || line.startsWith(':') || /^(event|id|retry):/.test(line)) continue
      if (!line.startsWith('data:')) throw new MalformedStreamError('the upstream sent a line that is not SSE')
      let data: Event
      try {
        data = JSON.parse(line.slice(5)) as Event
      } catch {
        throw new MalformedStreamError('the upstream sent a data line that is not JSON')
      }
      if (data.type === 'message_start') {
        const u = anthropicUsage(data.message?.usage)
        usage.inputTokens = u.input
        usage.outputTokens = u.output
      } else if (data.type === 'message_delta') {
        const u = anthropicUsage(data.usage)
        if (u.input !== undefined) usage.inputTokens = u.input
        if (u.output !== undefined) usage.outputTokens = u.output
      } else if (data.type === 'message_stop') done = true
      else if (data.type === 'error') {
        errored = true
        errorMessage = typeof data.error?.message === 'string' ? data.error.message : 'error event'
      }
    }
    return `${event}\n\n`
  }

  return {
    push(chunk) {
      buffer += decoder.write(chunk).replace(/\r\n/g, '\n')
      let out = ''
      for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
        const event = buffer.slice(0, at)
        buffer = buffer.slice(at + 2)
        if (event.trim() !== '') out += read(event)
      }
      return out
    },
    end() {
      const rest = (buffer + decoder.end()).replace(/\r\n/g, '\n').trim()
      buffer = ''
      return rest === '' ? '' : read(rest)
    },
    usage,
    get done() {
      return done
    },
    get errored() {
      return errored
    },
    get errorMessage() {
      return errorMessage
    },
  }
}
