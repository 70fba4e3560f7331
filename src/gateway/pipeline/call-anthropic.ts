import type { AnthropicPassthrough, AnthropicUpstream } from '../calls/anthropic-passthrough.ts'
import type { ChatChunk } from '../calls/chat.ts'
import { sdkGenerate, sdkStream } from '../calls/sdk.ts'
import type { CallContext } from '../router/router.ts'
import type { AiCandidate, AiUsage } from '../types.ts'
import {
  sseEvent,
  stopOf,
  toAnthropicMessage,
  toChatFromMessages,
  unsupportedMessageParams,
  usageOf,
  type MessagesBody,
} from '../wire/anthropic-messages.ts'
import { createAnthropicSseRelay } from '../wire/anthropic-sse.ts'
import type { Translation } from './call-openai.ts'
import { attemptController, relayUpstream, settling } from './settle.ts'
import { settledAt, type Call, type PipelineDeps } from './types.ts'

/**
 * The innermost call for a client speaking the Anthropic Messages API (`/v1/messages`): to an
 * Anthropic upstream, the passthrough (body forwarded with the model id swapped); to any other
 * provider, its AI SDK model with the request and answer translated.
 */

export type MessagesCallDeps = Pick<PipelineDeps, 'providers' | 'fetchMedia'> & {
  anthropicPassthrough: AnthropicPassthrough
  anthropicUpstreams: ReadonlyMap<string, AnthropicUpstream>
}

/** What the client sent besides the body that an Anthropic upstream should see (`anthropic-version`, `anthropic-beta`). */
export type ClientHeaders = Record<string, string>

function translated(body: MessagesBody, candidate: AiCandidate, translation: Translation) {
  const target = {
    provider: candidate.provider,
    model: candidate.model,
    capabilities: translation.capabilities(candidate.provider, candidate.model),
    fetchesUrls: translation.fetchesUrls,
  }
  const dropped = translation.dropParams ? unsupportedMessageParams(body, target).map((u) => u.param) : []
  return { chat: toChatFromMessages(body, target, new Set(dropped)), dropped }
}

const withDropped = (dropped: string[]) => (dropped.length > 0 ? { dropped } : {})

/** A JSON `message`: as the Anthropic upstream wrote it, or translated from another provider's answer. */
export function messagesCall(
  deps: MessagesCallDeps,
  body: MessagesBody,
  requestId: string,
  headers: ClientHeaders,
  translation: Translation,
): Call<string> {
  return async ({ candidate, signal }) => {
    const upstream = deps.anthropicUpstreams.get(candidate.provider)
    if (upstream) {
      const answer = await deps.anthropicPassthrough.complete(
        upstream,
        JSON.stringify({ ...body, model: candidate.model }),
        headers,
        signal,
      )
      return { value: answer.body, usage: answer.usage, settled: settledAt(answer.usage) }
    }
    const { chat, dropped } = translated(body, candidate, translation)
    const model = deps.providers.languageModel(candidate.provider, candidate.model)
    const result = await sdkGenerate(model, chat, signal, deps.fetchMedia)
    const value = toAnthropicMessage(result, {
      id: `msg_${requestId}`,
      model: candidate.model,
      stopSequences: body.stop_sequences,
    })
    return { value, usage: result.usage, settled: settledAt(result.usage), ...withDropped(dropped) }
  }
}

/** Anthropic stream events of a translated stream: blocks opened and closed around text and tool calls. */
export function createEventWriter(meta: { id: string; model: string; stopSequences?: readonly string[] | undefined }) {
  let index = -1
  let open: 'text' | undefined
  const close = () => {
    if (open === undefined) return ''
    open = undefined
    return sseEvent('content_block_stop', { index })
  }
  return {
    start: () =>
      sseEvent('message_start', {
        message: {
          id: meta.id,
          type: 'message',
          role: 'assistant',
          model: meta.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          // Translated providers report usage at the end: message_delta carries both counts.
          usage: { input_tokens: null, output_tokens: null },
        },
      }) + sseEvent('ping', {}),
    chunk(chunk: ChatChunk): string {
      switch (chunk.type) {
        case 'text': {
          let out = ''
          if (open !== 'text') {
            out += close()
            index += 1
            open = 'text'
            out += sseEvent('content_block_start', { index, content_block: { type: 'text', text: '' } })
          }
          return out + sseEvent('content_block_delta', { index, delta: { type: 'text_delta', text: chunk.text } })
        }
        case 'tool-call': {
          let out = close()
          index += 1
          out += sseEvent('content_block_start', {
            index,
            content_block: { type: 'tool_use', id: chunk.call.id, name: chunk.call.name, input: {} },
          })
          out += sseEvent('content_block_delta', {
            index,
            delta: { type: 'input_json_delta', partial_json: chunk.call.arguments },
          })
          return out + sseEvent('content_block_stop', { index })
        }
        case 'finish':
          return (
            close() +
            sseEvent('message_delta', {
              delta: stopOf(chunk, meta.stopSequences),
              usage: usageOf(chunk.usage),
            }) +
            sseEvent('message_stop', {})
          )
      }
    },
  }
}

/**
 * A streamed `message` as Anthropic SSE text. Like chat streams, it outlives the router: its upstream
 * is cancelled by the attempt (while routing) or by the client going away (`clientSignal`, after).
 */
export function messagesStreamCall(
  deps: MessagesCallDeps,
  body: MessagesBody,
  requestId: string,
  headers: ClientHeaders,
  clientSignal: AbortSignal | undefined,
  translation: Translation,
): Call<AsyncIterable<string>> {
  const gone = () => clientSignal?.aborted === true
  return async (context: CallContext) => {
    const { candidate } = context
    const controller = attemptController(context.signal, clientSignal)
    const signal = controller.signal
    const upstream = deps.anthropicUpstreams.get(candidate.provider)
    if (upstream) {
      const stream = await deps.anthropicPassthrough.stream(
        upstream,
        JSON.stringify({ ...body, model: candidate.model, stream: true }),
        headers,
        signal,
      )
      return relayUpstream(candidate, controller, stream, createAnthropicSseRelay(), {
        end: 'message_stop',
        cancelled: gone,
      })
    }
    const { chat, dropped } = translated(body, candidate, translation)
    const model = deps.providers.languageModel(candidate.provider, candidate.model)
    const chunks = await sdkStream(model, chat, signal, deps.fetchMedia)
    let usage: AiUsage = { inputTokens: undefined, outputTokens: undefined }
    const writer = createEventWriter({
      id: `msg_${requestId}`,
      model: candidate.model,
      stopSequences: body.stop_sequences,
    })
    const pieces = (async function* () {
      yield writer.start()
      for await (const chunk of chunks) {
        if (chunk.type === 'finish') usage = chunk.usage
        yield writer.chunk(chunk)
      }
    })()
    const { value, settled } = settling(pieces, () => ({ usage }), gone)
    return { value, usage, settled, ...withDropped(dropped) }
  }
}
