import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3FinishReason,
  LanguageModelV3Message,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider'
import { errorMessage } from '../router/errors.ts'
import { guessImageType, inlineMedia } from './inline-media.ts'
import type { MediaFetcher } from './media-fetch.ts'
import type { AiUsage } from '../types.ts'
import {
  contentText,
  type ChatChunk,
  type ChatMessage,
  type ChatRequest,
  type ChatResult,
  type StopDetail,
  type ToolCall,
} from './chat.ts'

/**
 * Chat calls through an AI SDK language model (`doGenerate` / `doStream`): the path for providers
 * whose wire format is not OpenAI's. The SDK does the wire work; we only map shapes.
 */

export function toPrompt(request: ChatRequest): LanguageModelV3Prompt {
  const prompt: LanguageModelV3Prompt = []
  if (request.system) prompt.push({ role: 'system', content: request.system })
  const toolNames = new Map<string, string>()
  for (const message of request.messages) {
    const text = contentText(message.content)
    switch (message.role) {
      case 'system':
      case 'developer':
        prompt.push({ role: 'system', content: text })
        break
      case 'user':
        prompt.push({ role: 'user', content: userParts(message.content) })
        break
      case 'assistant': {
        const content: Extract<LanguageModelV3Message, { role: 'assistant' }>['content'] = text
          ? [{ type: 'text', text }]
          : []
        for (const call of message.tool_calls ?? []) {
          toolNames.set(call.id, call.function.name)
          content.push({
            type: 'tool-call',
            toolCallId: call.id,
            toolName: call.function.name,
            input: safeJson(call.function.arguments),
          })
        }
        prompt.push({ role: 'assistant', content })
        break
      }
      case 'tool': {
        const id = message.tool_call_id ?? ''
        prompt.push({
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: id,
              toolName: toolNames.get(id) ?? message.name ?? 'tool',
              output: message.is_error ? { type: 'error-text', value: text } : { type: 'text', value: text },
            },
          ],
        })
        break
      }
    }
  }
  return prompt
}

type UserPart = Extract<LanguageModelV3Message, { role: 'user' }>['content'][number]

/** A user message's parts in order: text as text, images as AI SDK file parts (`data:` URLs inline, others by URL). */
function userParts(content: ChatMessage['content']): UserPart[] {
  if (typeof content === 'string' || !content) return [{ type: 'text', text: content ?? '' }]
  const parts: UserPart[] = []
  for (const part of content) {
    if (part.type === 'text') {
      // Anthropic's prompt caching hint on a part, carried as its AI SDK provider option.
      const cacheControl = (part as { cache_control?: unknown }).cache_control
      parts.push({
        type: 'text',
        text: part.text ?? '',
        ...(cacheControl ? { providerOptions: { anthropic: { cacheControl } } as never } : {}),
      })
    } else if (part.type === 'image_url' && part.image_url) parts.push(imagePart(part.image_url.url))
    else if (part.type === 'input_audio' && part.input_audio)
      // OpenAI's audio input part (base64 wav or mp3), as an AI SDK file part.
      parts.push({
        type: 'file',
        mediaType: AUDIO_TYPES[part.input_audio.format] ?? `audio/${part.input_audio.format}`,
        data: part.input_audio.data,
      })
  }
  return parts
}

const DATA_URL = /^data:([^;,]+)(;base64)?,(.*)$/s
const AUDIO_TYPES: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mpeg' }

function imagePart(url: string): UserPart {
  const data = DATA_URL.exec(url)
  if (data) {
    const [, mediaType, base64, payload] = data as unknown as [string, string, string | undefined, string]
    return {
      type: 'file',
      mediaType,
      data: base64 ? payload : Buffer.from(decodeURIComponent(payload)).toString('base64'),
    }
  }
  return { type: 'file', mediaType: guessImageType(new URL(url)), data: new URL(url) }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

export function toCallOptions(request: ChatRequest, signal: AbortSignal): LanguageModelV3CallOptions {
  const options: LanguageModelV3CallOptions = { prompt: toPrompt(request), abortSignal: signal }
  if (request.temperature !== undefined) options.temperature = request.temperature
  if (request.maxTokens !== undefined) options.maxOutputTokens = request.maxTokens
  if (request.topP !== undefined) options.topP = request.topP
  if (request.topK !== undefined) options.topK = request.topK
  if (request.seed !== undefined) options.seed = request.seed
  if (request.presencePenalty !== undefined) options.presencePenalty = request.presencePenalty
  if (request.frequencyPenalty !== undefined) options.frequencyPenalty = request.frequencyPenalty
  if (request.providerOptions) options.providerOptions = request.providerOptions as never
  if (request.stop?.length) options.stopSequences = request.stop
  if (request.responseFormat?.type === 'json') {
    options.responseFormat = {
      type: 'json',
      ...(request.responseFormat.schema ? { schema: request.responseFormat.schema as never } : {}),
      ...(request.responseFormat.name ? { name: request.responseFormat.name } : {}),
    }
  }
  if (request.tools?.length) {
    options.tools = request.tools.map((t) => ({
      type: 'function' as const,
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      inputSchema: (t.function.parameters ?? { type: 'object', properties: {} }) as never,
    }))
    const choice = request.toolChoice
    if (choice)
      options.toolChoice =
        typeof choice === 'string' ? { type: choice } : { type: 'tool', toolName: choice.function.name }
  }
  return options
}

export function toUsage(usage: LanguageModelV3Usage | undefined): AiUsage {
  return { inputTokens: usage?.inputTokens.total, outputTokens: usage?.outputTokens.total }
}

export function toFinishReason(reason: LanguageModelV3FinishReason | undefined): ChatResult['finishReason'] {
  switch (reason?.unified) {
    case 'length':
      return 'length'
    case 'tool-calls':
      return 'tool_calls'
    case 'content-filter':
      return 'content_filter'
    default:
      return 'stop'
  }
}

/** Whether a stop sequence ended the answer, by the provider's own word: the sequence its metadata names, or its raw `stop_sequence`. */
export function stopDetail(
  reason: LanguageModelV3FinishReason | undefined,
  metadata: Record<string, Record<string, unknown> | undefined> | undefined,
): StopDetail | undefined {
  let sequence: string | undefined
  for (const value of Object.values(metadata ?? {}))
    if (typeof value?.stopSequence === 'string') sequence = value.stopSequence
  return sequence !== undefined || reason?.raw === 'stop_sequence' ? { sequence } : undefined
}

export async function sdkGenerate(
  model: LanguageModelV3,
  request: ChatRequest,
  signal: AbortSignal,
  fetchMedia?: MediaFetcher,
): Promise<ChatResult> {
  const result = await model.doGenerate(toCallOptions(await inlineMedia(request, model, fetchMedia, signal), signal))
  let text = ''
  const toolCalls: ToolCall[] = []
  for (const part of result.content) {
    if (part.type === 'text') text += part.text
    else if (part.type === 'tool-call')
      toolCalls.push({ id: part.toolCallId, name: part.toolName, arguments: part.input })
  }
  const stop = stopDetail(result.finishReason, result.providerMetadata)
  return {
    text,
    toolCalls,
    finishReason: toFinishReason(result.finishReason),
    usage: toUsage(result.usage),
    ...(stop ? { stop } : {}),
  }
}

/**
 * Start a stream and wait for its first meaningful part, so a failing provider fails here (where
 * the router can still fall back) rather than after bytes went to the caller.
 */
export async function sdkStream(
  model: LanguageModelV3,
  request: ChatRequest,
  signal: AbortSignal,
  fetchMedia?: MediaFetcher,
): Promise<AsyncIterable<ChatChunk>> {
  const { stream } = await model.doStream(toCallOptions(await inlineMedia(request, model, fetchMedia, signal), signal))
  const reader = stream.getReader()
  const pending: ChatChunk[] = []
  let done = false
  const pull = async (): Promise<boolean> => {
    for (;;) {
      const { value, done: end } = await reader.read()
      if (end) return false
      const chunk = toChunk(value)
      if (chunk) {
        pending.push(chunk)
        return true
      }
    }
  }
  // Surface an early error (or an empty stream) before committing to this provider.
  done = !(await pull())
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          const next = pending.shift()
          if (next) {
            yield next
            continue
          }
          if (done || !(await pull())) {
            done = true
            return
          }
        }
      } finally {
        // A reader that stops early cancels the upstream request instead of letting it run on.
        if (!done) await reader.cancel().catch(() => undefined)
        reader.releaseLock()
      }
    },
  }
}

function toChunk(part: LanguageModelV3StreamPart): ChatChunk | undefined {
  switch (part.type) {
    case 'text-delta':
      return part.delta ? { type: 'text', text: part.delta } : undefined
    case 'tool-call':
      return { type: 'tool-call', call: { id: part.toolCallId, name: part.toolName, arguments: part.input } }
    case 'finish': {
      const stop = stopDetail(part.finishReason, part.providerMetadata)
      return {
        type: 'finish',
        finishReason: toFinishReason(part.finishReason),
        usage: toUsage(part.usage),
        ...(stop ? { stop } : {}),
      }
    }
    case 'error':
      throw part.error instanceof Error ? part.error : new Error(errorMessage(part.error))
    default:
      return undefined
  }
}
