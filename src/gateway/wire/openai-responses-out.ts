import { randomBytes } from 'node:crypto'
import type { ChatChunk, ChatResult, ToolCall } from '../calls/chat.ts'
import type { AiUsage } from '../types.ts'
import type { ResponseItem, ResponsesBody } from './openai-responses.ts'

/**
 * The OpenAI Responses API out: response objects and the streaming event sequence
 * (`response.created` … `response.completed`, each with its `sequence_number`), written from a
 * translated (AI SDK) answer; plus the helpers the native pass-through uses to re-own an upstream's.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */

export const newItemId = (prefix: 'resp' | 'msg' | 'fc') => `${prefix}_${randomBytes(16).toString('hex')}`

export type ResponseStatus = 'completed' | 'incomplete' | 'in_progress' | 'failed'

/** The usage object, or null when the provider sent none (unknown stays unknown). */
export function usageObject(usage: AiUsage) {
  if (usage.inputTokens === undefined || usage.outputTokens === undefined) return null
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  }
}

/** What the response object says about the request (echoed as OpenAI does, with its defaults). */
export type ResponseHead = { id: string; createdAt: number; model: string; body: ResponsesBody }

export function responseObject(
  head: ResponseHead,
  state: { status: ResponseStatus; output: ResponseItem[]; usage: AiUsage | undefined; incompleteReason?: string },
) {
  const { body } = head
  return {
    id: head.id,
    object: 'response',
    created_at: head.createdAt,
    status: state.status,
    background: false,
    error: null,
    incomplete_details: state.incompleteReason ? { reason: state.incompleteReason } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: head.model,
    output: state.output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: body.text?.format ?? { type: 'text' }, verbosity: body.text?.verbosity ?? 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: state.usage ? usageObject(state.usage) : null,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  }
}

const messageItem = (id: string, text: string, status: 'in_progress' | 'completed'): ResponseItem => ({
  id,
  type: 'message',
  status,
  role: 'assistant',
  content: status === 'completed' ? [{ type: 'output_text', text, annotations: [], logprobs: [] }] : [],
})

const functionCallItem = (id: string, call: ToolCall, status: 'in_progress' | 'completed'): ResponseItem => ({
  id,
  type: 'function_call',
  status,
  call_id: call.id,
  name: call.name,
  arguments: status === 'completed' ? call.arguments : '',
})

/** Why a translated answer is incomplete (OpenAI's `incomplete_details.reason`), or undefined when complete. */
const incompleteReason = (finish: ChatResult['finishReason']) =>
  finish === 'length' ? 'max_output_tokens' : finish === 'content_filter' ? 'content_filter' : undefined

/** The response object of a translated (AI SDK) answer. */
export function fromChatResult(head: ResponseHead, result: ChatResult) {
  const output: ResponseItem[] = []
  if (result.text || result.toolCalls.length === 0) output.push(messageItem(newItemId('msg'), result.text, 'completed'))
  for (const call of result.toolCalls) output.push(functionCallItem(newItemId('fc'), call, 'completed'))
  const reason = incompleteReason(result.finishReason)
  return responseObject(head, {
    status: reason ? 'incomplete' : 'completed',
    output,
    usage: result.usage,
    ...(reason ? { incompleteReason: reason } : {}),
  })
}

/** The text of a response object's output messages (structured-output checks). */
export function outputText(response: { output?: unknown }): string {
  let text = ''
  for (const item of Array.isArray(response.output) ? (response.output as ResponseItem[]) : [])
    if (item.type === 'message' && Array.isArray(item.content))
      for (const part of item.content)
        if (part.type === 'output_text' && typeof part.text === 'string') text += part.text
  return text
}

/** One SSE event as OpenAI writes it: `event: <type>` and its JSON with the type and sequence number. */
export const sseEvent = (type: string, sequence: number, payload: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence, ...payload })}\n\n`

/** The numbering of one stream's events, shared with the error event a broken stream ends with. */
export type EventCounter = { next: number }

/** The `error` event a stream that broke ends with (OpenAI's shape, `code: stream_failed`). */
export const responsesErrorEvent = (counter: EventCounter, message: string) =>
  sseEvent('error', counter.next++, {
    code: 'stream_failed',
    message: `The stream failed: ${message}`,
    param: null,
  })

/** The `error` event a guardrail's refusal ends a stream with (`code: guardrail_blocked`, `param: output`). */
export const guardrailEvent = (counter: EventCounter, message: string) =>
  sseEvent('error', counter.next++, { code: 'guardrail_blocked', message, param: 'output' })

/**
 * The `error` event a streamed answer ends with when it fails its `text.format` (checked at its end:
 * it cannot be repaired once sent), instead of `response.completed`; the response is not stored.
 */
export const invalidOutputEvent = (counter: EventCounter, error: string) =>
  sseEvent('error', counter.next++, {
    code: 'invalid_output',
    message: `The streamed answer failed its text.format: ${error}`.slice(0, 600),
    param: 'text.format',
  })

/**
 * The Responses event sequence of a translated (AI SDK) stream. `onDone` receives the final
 * response object before its `response.completed` (or `response.incomplete`) event is written, so
 * a stored response is retrievable as soon as the client saw the end.
 */
export async function* translatedEvents(
  head: ResponseHead,
  chunks: AsyncIterable<ChatChunk>,
  counter: EventCounter,
  onDone: (response: ReturnType<typeof responseObject>) => Promise<void>,
): AsyncIterable<string> {
  const event = (type: string, payload: Record<string, unknown>) => sseEvent(type, counter.next++, payload)
  const output: ResponseItem[] = []
  const inProgress = responseObject(head, { status: 'in_progress', output: [], usage: undefined })
  yield event('response.created', { response: inProgress })
  yield event('response.in_progress', { response: inProgress })
  let open: { id: string; index: number; text: string } | undefined
  const close = () => {
    if (!open) return ''
    const { id, index, text } = open
    const part = { type: 'output_text', text, annotations: [], logprobs: [] }
    const item = messageItem(id, text, 'completed')
    output.push(item)
    open = undefined
    return (
      event('response.output_text.done', { item_id: id, output_index: index, content_index: 0, text, logprobs: [] }) +
      event('response.content_part.done', { item_id: id, output_index: index, content_index: 0, part }) +
      event('response.output_item.done', { output_index: index, item })
    )
  }
  const openMessage = () => {
    open = { id: newItemId('msg'), index: output.length, text: '' }
    return (
      event('response.output_item.added', {
        output_index: open.index,
        item: messageItem(open.id, '', 'in_progress'),
      }) +
      event('response.content_part.added', {
        item_id: open.id,
        output_index: open.index,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
      })
    )
  }
  for await (const chunk of chunks) {
    switch (chunk.type) {
      case 'text': {
        const start = open ? '' : openMessage()
        const current = open as unknown as { id: string; index: number; text: string }
        current.text += chunk.text
        yield (
          start +
          event('response.output_text.delta', {
            item_id: current.id,
            output_index: current.index,
            content_index: 0,
            delta: chunk.text,
            logprobs: [],
          })
        )
        break
      }
      case 'tool-call': {
        const id = newItemId('fc')
        const index = output.length + (open ? 1 : 0)
        const closed = close()
        const item = functionCallItem(id, chunk.call, 'completed')
        output.push(item)
        yield (
          closed +
          event('response.output_item.added', {
            output_index: index,
            item: functionCallItem(id, chunk.call, 'in_progress'),
          }) +
          event('response.function_call_arguments.delta', {
            item_id: id,
            output_index: index,
            delta: chunk.call.arguments,
          }) +
          event('response.function_call_arguments.done', {
            item_id: id,
            output_index: index,
            name: chunk.call.name,
            arguments: chunk.call.arguments,
          }) +
          event('response.output_item.done', { output_index: index, item })
        )
        break
      }
      case 'finish': {
        // An answer without text or calls still has its (empty) message, as OpenAI's does.
        const last = (output.length === 0 && !open ? openMessage() : '') + close()
        const reason = incompleteReason(chunk.finishReason)
        const response = responseObject(head, {
          status: reason ? 'incomplete' : 'completed',
          output,
          usage: chunk.usage,
          ...(reason ? { incompleteReason: reason } : {}),
        })
        await onDone(response)
        yield last + event(reason ? 'response.incomplete' : 'response.completed', { response })
        return
      }
    }
  }
}
