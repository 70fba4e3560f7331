import { StringDecoder } from 'node:string_decoder'
import type { AiUsage } from '../types.ts'
import { OptimaliqError } from '../../errors.ts'
import { errorMessage } from '../router/errors.ts'
import { openAiError } from './openai-chat.ts'
import { invalidStreamEvent, type OutputCheck } from './structured.ts'

/**
 * Relays an OpenAI-format SSE stream from an upstream to our client, one whole event at a time:
 * every `data:` line must be `[DONE]` or JSON (anything else is a malformed stream, never forwarded
 * raw), the usage is read from the usage chunk, and when the client did not ask for usage (we asked
 * upstream for it so the stream can be paid for) the extra usage chunk and the `"usage":null`
 * fields are taken out again.
 */
export type SseRelay = EventRelay & {
  /** The answer failed the response_format check at its end (its `[DONE]` became an error event). */
  readonly invalidOutput: boolean
}

/** What every same-format stream relay (OpenAI chat, Anthropic messages) keeps of its stream. */
export type EventRelay = {
  /** Upstream bytes in; the whole events among them out (text to send on). Throws `MalformedStreamError`. */
  push(chunk: Buffer): string
  /** Upstream ended: a last event without its blank line, if whole; throws when a cut-off one is left over. */
  end(): string
  /** Usage as the stream reported it, when it did. */
  readonly usage: AiUsage
  /** The format's end marker arrived (`data: [DONE]`, `message_stop`). */
  readonly done: boolean
  /** An in-stream error event arrived (forwarded as it was: it is in the client's format). */
  readonly errored: boolean
  /** The upstream's error message, when it sent an error event. */
  readonly errorMessage: string | undefined
}

export class MalformedStreamError extends Error {
  override name = 'MalformedStreamError'
}

type Chunk = {
  choices?: unknown
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null
  error?: { message?: unknown } | string
}

type ChoiceDelta = { index?: unknown; delta?: { content?: unknown }; finish_reason?: unknown }

export function createSseRelay(options: { includeUsage: boolean; check?: OutputCheck | undefined }): SseRelay {
  const decoder = new StringDecoder('utf8')
  let buffer = ''
  let usage: AiUsage = { inputTokens: undefined, outputTokens: undefined }
  let done = false
  let errored = false
  let errorMessage: string | undefined
  let invalidOutput = false
  // The first choice's text and how it finished, for the response_format check at [DONE].
  let text = ''
  let finish: unknown

  /** One event (its lines, without the blank separator line): the text to send on, or '' to drop it. */
  function relayEvent(event: string): string {
    let out = ''
    for (const line of event.split('\n')) {
      if (line === '' || line.startsWith(':') || /^(event|id|retry):/.test(line)) {
        out += `${line}\n`
        continue
      }
      if (!line.startsWith('data:')) throw new MalformedStreamError(`the upstream sent a line that is not SSE`)
      const payload = line.slice(line.charAt(5) === ' ' ? 6 : 5)
      if (payload === '[DONE]') {
        done = true
        const checked =
          options.check && !errored && finish !== 'tool_calls' ? options.check(text) : { ok: true as const }
        if (!checked.ok) {
          errored = invalidOutput = true
          errorMessage = checked.error
          out += invalidStreamEvent(checked.error).slice(0, -1)
        } else out += `${line}\n`
        continue
      }
      let chunk: Chunk
      try {
        chunk = JSON.parse(payload) as Chunk
      } catch {
        throw new MalformedStreamError('the upstream sent an event that is not JSON')
      }
      if (chunk === null || typeof chunk !== 'object')
        throw new MalformedStreamError('the upstream sent an event that is not a JSON object')
      if (chunk.error !== undefined) {
        errored = true
        errorMessage =
          typeof chunk.error === 'string'
            ? chunk.error
            : typeof chunk.error?.message === 'string'
              ? chunk.error.message
              : 'error event'
      }
      if (options.check && Array.isArray(chunk.choices))
        for (const choice of chunk.choices as ChoiceDelta[]) {
          if (choice?.index !== 0) continue
          if (typeof choice.delta?.content === 'string') text += choice.delta.content
          if (choice.finish_reason) finish = choice.finish_reason
        }
      if (chunk.usage) {
        const input = chunk.usage.prompt_tokens
        const output = chunk.usage.completion_tokens
        usage = {
          inputTokens: typeof input === 'number' ? input : undefined,
          outputTokens: typeof output === 'number' ? output : undefined,
        }
      }
      if (!options.includeUsage) {
        // The usage-only chunk we asked for on the client's behalf: not theirs to see.
        if (chunk.usage && Array.isArray(chunk.choices) && chunk.choices.length === 0) return ''
        out += `${line.replace(/,"usage":null(?=[,}])/, '')}\n`
      } else out += `${line}\n`
    }
    return `${out}\n`
  }

  return {
    push(chunk) {
      buffer += decoder.write(chunk)
      if (buffer.includes('\r')) buffer = buffer.replace(/\r\n?/g, '\n')
      let out = ''
      let end = buffer.indexOf('\n\n')
      while (end !== -1) {
        const event = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        if (event.trim() !== '') out += relayEvent(event)
        end = buffer.indexOf('\n\n')
      }
      return out
    },
    end() {
      const rest = (buffer + decoder.end()).trim()
      buffer = ''
      return rest === '' ? '' : relayEvent(rest)
    },
    get usage() {
      return usage
    },
    get done() {
      return done
    },
    get errored() {
      return errored
    },
    get errorMessage() {
      return errorMessage
    },
    get invalidOutput() {
      return invalidOutput
    },
  }
}

/** An OpenAI-shaped error event, as the last event of a stream that broke. */
export const streamErrorEvent = (message: string) =>
  `data: ${JSON.stringify({ error: { message: `The stream failed: ${message}`, type: 'api_error', param: null, code: 'stream_failed' } })}\n\n`

/**
 * The event a stream that cannot go on ends with: a guardrail's refusal in OpenAI's error shape
 * (`code: guardrail_blocked`, `param: output`, the rule in the message), anything else as `stream_failed`.
 */
export function openAiStreamError(error: unknown): string {
  if (refusedByGuardrail(error)) return `data: ${JSON.stringify(openAiError(error).body)}\n\n`
  return streamErrorEvent(errorMessage(error))
}

/** A guardrail refused the stream (`GuardrailBlockedError`, known here by its code: wire formats do not import guardrails). */
export const refusedByGuardrail = (error: unknown): error is OptimaliqError =>
  error instanceof OptimaliqError && error.code === 'guardrail_blocked'
