import { z } from 'zod'
import { OptimaliqError } from '../../errors.ts'
import type { ChatMessage, ChatRequest, ChatResult, ContentPart } from '../calls/chat.ts'
import { errorMessage, UpstreamClientError } from '../router/errors.ts'
import { MAX_OUTPUT_TOKENS } from './openai-chat.ts'
import { refusedByGuardrail } from './openai-sse.ts'
import type { TranslationTarget, Unsupported } from './translate.ts'

/**
 * The Anthropic Messages API (`POST /v1/messages`) in and out: the body we read, its faithful
 * translation to the gateway's provider-neutral chat (for upstreams that do not speak it), the
 * answer and stream events in Anthropic's shape, and Anthropic's error body.
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */

/**
 * An `anthropic-version` value: a date (`2023-06-01`; SDKs send newer ones). Anthropic requires the
 * header; we accept any dated version and hand it to an Anthropic upstream as the client sent it.
 * @see https://docs.anthropic.com/en/api/versioning
 */
export const ANTHROPIC_VERSION = /^\d{4}-\d{2}-\d{2}$/

// eslint-disable-next-line no-control-regex
const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/

const block = z.looseObject({ type: z.string() })

/** The body: what we read; everything else passes through to an Anthropic upstream (translated: carried or refused). */
export const messagesBody = z.looseObject({
  model: z.string().min(1).max(200).regex(PRINTABLE, 'must not contain control characters'),
  max_tokens: z.number().int().positive().max(MAX_OUTPUT_TOKENS),
  messages: z
    .array(z.looseObject({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(block)]) }))
    .min(1),
  system: z.union([z.string(), z.array(z.looseObject({ type: z.literal('text'), text: z.string() }))]).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stop_sequences: z.array(z.string()).optional(),
  metadata: z.looseObject({ user_id: z.string().max(256).nullable().optional() }).optional(),
  tools: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        type: z.string().optional(),
        description: z.string().optional(),
        input_schema: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .optional(),
  tool_choice: z
    .discriminatedUnion('type', [
      z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
      z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
      z.looseObject({
        type: z.literal('tool'),
        name: z.string().min(1),
        disable_parallel_tool_use: z.boolean().optional(),
      }),
      z.looseObject({ type: z.literal('none') }),
    ])
    .optional(),
})
export type MessagesBody = z.infer<typeof messagesBody>
type Block = z.infer<typeof block>

/** Top-level keys every translated provider carries (the AI SDK's common options, tools). */
const COMMON = new Set([
  'model',
  'max_tokens',
  'messages',
  'system',
  'stream',
  'temperature',
  'top_p',
  'stop_sequences',
  'tools',
  'tool_choice',
])

/** Providers that carry `top_k` (AI SDK `topK`) and `metadata.user_id` (under their own option names). */
const TOP_K = new Set(['google', 'vertex', 'anthropic'])
const USER = new Set(['openai', 'anthropic'])
/** Providers whose AI SDK model takes images by URL (the others only inline). */
const URL_IMAGES = new Set(['anthropic', 'mistral', 'openai', 'azure', 'custom'])

/** Text of a system prompt (string or text blocks, one per line). */
export function systemText(system: MessagesBody['system']): string | undefined {
  if (system === undefined) return undefined
  return typeof system === 'string' ? system : system.map((b) => b.text).join('\n')
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** An image block's source as a URL (`data:` for base64), or undefined when it is neither. */
function imageUrl(source: unknown): string | undefined {
  if (!isRecord(source)) return undefined
  if (source.type === 'base64' && typeof source.media_type === 'string' && typeof source.data === 'string')
    return `data:${source.media_type};base64,${source.data}`
  if (source.type === 'url' && typeof source.url === 'string' && /^https?:\/\//.test(source.url)) return source.url
  return undefined
}

/** The text of a tool_result's content (string, or text blocks), or undefined when it holds other blocks. */
function toolResultText(content: unknown): string | undefined {
  if (content === undefined) return ''
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return undefined
  if (!content.every((b) => isRecord(b) && b.type === 'text' && typeof b.text === 'string')) return undefined
  return content.map((b) => (b as { text: string }).text).join('\n')
}

/** Block keys that ask for nothing a translated provider would miss. */
const NEUTRAL_BLOCK_KEYS = new Set([
  'type',
  'text',
  'source',
  'id',
  'name',
  'input',
  'tool_use_id',
  'content',
  'is_error',
])

/** What of `body` the target cannot take (translated providers; an Anthropic upstream takes it as sent), named as Anthropic names fields. */
export function unsupportedMessageParams(body: MessagesBody, target: TranslationTarget): Unsupported[] {
  const name = `${target.provider}/${target.model}`
  const out: Unsupported[] = []
  const refuse = (param: string, message: string) => out.push({ param, message: `${message} (${name})` })
  for (const [key, value] of Object.entries(body)) {
    if (COMMON.has(key) || value === undefined || value === null) continue
    if (key === 'top_k' && TOP_K.has(target.provider)) continue
    if (key === 'metadata' && isRecord(value)) {
      const { user_id: userId, ...rest } = value
      if (userId != null && !USER.has(target.provider)) refuse('metadata.user_id', 'metadata.user_id is not supported')
      for (const extra of Object.keys(rest)) refuse(`metadata.${extra}`, `metadata.${extra} is not supported`)
      continue
    }
    refuse(key, `${key} is not supported`)
  }
  if (Array.isArray(body.system))
    body.system.forEach((b, i) => {
      if ('cache_control' in b) refuse(`system.${i}.cache_control`, 'cache_control is not supported')
    })
  body.tools?.forEach((tool, i) => {
    if (tool.type !== undefined && tool.type !== 'custom')
      refuse(`tools.${i}.type`, `server tools (${tool.type}) are not supported`)
    else if ('cache_control' in tool) refuse(`tools.${i}.cache_control`, 'cache_control is not supported')
  })
  if (body.tool_choice && 'disable_parallel_tool_use' in body.tool_choice && body.tool_choice.disable_parallel_tool_use)
    refuse('tool_choice.disable_parallel_tool_use', 'disable_parallel_tool_use is not supported')
  const vision = !target.capabilities || target.capabilities.includes('vision')
  body.messages.forEach((message, i) => {
    if (typeof message.content === 'string') return
    message.content.forEach((b, j) => {
      const param = `messages.${i}.content.${j}`
      for (const key of Object.keys(b))
        if (!NEUTRAL_BLOCK_KEYS.has(key)) refuse(`${param}.${key}`, `${key} on content blocks is not supported`)
      const allowed = message.role === 'user' ? ['text', 'image', 'tool_result'] : ['text', 'tool_use']
      if (!allowed.includes(b.type))
        return refuse(param, `${b.type} blocks in ${message.role} messages are not supported`)
      if (b.type === 'image') {
        if (!vision) refuse(param, 'the model does not take images')
        else if (!imageUrl(b.source)) refuse(`${param}.source`, 'an image source must be base64 or an http(s) url')
        else if (
          (b.source as { type: string }).type === 'url' &&
          !URL_IMAGES.has(target.provider) &&
          !target.fetchesUrls
        )
          refuse(`${param}.source`, 'url images are not supported (send base64; this server does not fetch image URLs)')
      }
      if (b.type === 'tool_result' && toolResultText(b.content) === undefined)
        refuse(`${param}.content`, 'tool_result content other than text is not supported')
    })
  })
  return out
}

/**
 * The provider-neutral chat of `body` (OpenAI-shaped messages): tool_use blocks become tool calls,
 * tool_result blocks tool messages (before the user's other blocks, as OpenAI orders them), images
 * `image_url` parts. `drop` lists params dropped at the client's request.
 */
export function toChatFromMessages(
  body: MessagesBody,
  target: TranslationTarget,
  drop: ReadonlySet<string> = new Set(),
): ChatRequest {
  const keep = (param: string) => !drop.has(param)
  const messages: ChatMessage[] = []
  body.messages.forEach((message, i) => {
    if (typeof message.content === 'string') {
      messages.push({ role: message.role, content: message.content })
      return
    }
    const blocks = message.content
      .map((b, j) => ({ b: b as Block, j }))
      .filter(({ j }) => keep(`messages.${i}.content.${j}`))
    if (message.role === 'assistant') {
      const text = blocks.filter(({ b }) => b.type === 'text').map(({ b }) => String(b.text ?? ''))
      const calls = blocks
        .filter(({ b }) => b.type === 'tool_use')
        .map(({ b }) => ({
          id: String(b.id),
          type: 'function' as const,
          function: { name: String(b.name), arguments: JSON.stringify(b.input ?? {}) },
        }))
      messages.push({
        role: 'assistant',
        content: text.length > 0 ? text.join('\n') : null,
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
      })
      return
    }
    const parts: ContentPart[] = []
    for (const { b } of blocks) {
      if (b.type === 'tool_result')
        messages.push({
          role: 'tool',
          tool_call_id: String(b.tool_use_id),
          content: toolResultText(b.content) ?? '',
          ...(b.is_error === true ? { is_error: true } : {}),
        })
      else if (b.type === 'text') parts.push({ type: 'text', text: String(b.text ?? '') })
      else if (b.type === 'image') {
        const url = imageUrl(b.source)
        if (url) parts.push({ type: 'image_url', image_url: { url } })
      }
    }
    if (parts.length > 0) messages.push({ role: 'user', content: parts })
  })
  const choice = body.tool_choice
  const request: ChatRequest = {
    system: systemText(body.system),
    messages,
    maxTokens: body.max_tokens,
    temperature: body.temperature,
    topP: body.top_p,
    stop: body.stop_sequences?.length ? body.stop_sequences : undefined,
    tools: body.tools?.map((t) => ({
      type: 'function' as const,
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: t.input_schema ?? { type: 'object', properties: {} },
      },
    })),
    toolChoice:
      choice === undefined
        ? undefined
        : choice.type === 'tool'
          ? { type: 'function', function: { name: choice.name } }
          : choice.type === 'any'
            ? 'required'
            : choice.type,
  }
  if (body.top_k !== undefined && keep('top_k')) request.topK = body.top_k
  const user = body.metadata?.user_id
  if (user && keep('metadata.user_id') && target.provider === 'openai') request.providerOptions = { openai: { user } }
  return request
}

/** Anthropic's stop_reason for our finish reason (a stop sequence: `stopOf`). */
export function stopReasonOf(finish: ChatResult['finishReason']): string {
  switch (finish) {
    case 'length':
      return 'max_tokens'
    case 'tool_calls':
      return 'tool_use'
    case 'content_filter':
      return 'refusal'
    default:
      return 'end_turn'
  }
}

/**
 * Anthropic's `stop_reason` and `stop_sequence` for a translated answer. `stop_sequence` only on the
 * provider's own word (Bedrock and Anthropic models say so, most naming the sequence; a single
 * requested sequence is the one when the provider does not name it). OpenAI-format providers say
 * `stop` for a natural end and a stop sequence alike and strip the sequence, so that is `end_turn`
 * (as LiteLLM answers): guessing from the request could name a sequence that never came.
 */
export function stopOf(
  result: Pick<ChatResult, 'finishReason' | 'stop'>,
  requested: readonly string[] | undefined,
): { stop_reason: string; stop_sequence: string | null } {
  if (result.finishReason === 'stop' && result.stop) {
    const sequence = result.stop.sequence ?? (requested?.length === 1 ? requested[0] : undefined)
    return { stop_reason: 'stop_sequence', stop_sequence: sequence ?? null }
  }
  return { stop_reason: stopReasonOf(result.finishReason), stop_sequence: null }
}

function parsedInput(args: string): unknown {
  try {
    return JSON.parse(args) as unknown
  } catch {
    return {}
  }
}

/** Usage in Anthropic's names; an unknown count stays null (never a made-up 0). */
export const usageOf = (usage: ChatResult['usage']) => ({
  input_tokens: usage.inputTokens ?? null,
  output_tokens: usage.outputTokens ?? null,
})

/** A `message` object from a translated answer. */
export function toAnthropicMessage(
  result: ChatResult,
  meta: { id: string; model: string; stopSequences?: readonly string[] | undefined },
): string {
  const content: unknown[] = []
  if (result.text) content.push({ type: 'text', text: result.text })
  for (const call of result.toolCalls)
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: parsedInput(call.arguments) })
  return JSON.stringify({
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content,
    ...stopOf(result, meta.stopSequences),
    usage: usageOf(result.usage),
  })
}

/** One SSE event in Anthropic's framing: `event: <type>` then its JSON. */
export const sseEvent = (type: string, data: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`

/** Anthropic's error type for an HTTP status. @see https://docs.anthropic.com/en/api/errors */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
    case 422:
      return 'invalid_request_error'
    case 401:
      return 'authentication_error'
    case 402:
      return 'billing_error'
    case 403:
      return 'permission_error'
    case 404:
      return 'not_found_error'
    case 413:
      return 'request_too_large'
    case 429:
      return 'rate_limit_error'
    case 503:
    case 529:
      return 'overloaded_error'
    default:
      return status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error'
  }
}

/** The field an error names, as the client named it (`top_k`, `messages.0.content.1`), when it names one. */
function fieldOf(error: OptimaliqError): string | undefined {
  if (error instanceof UpstreamClientError) return error.param ?? undefined
  const first = Array.isArray(error.details) ? (error.details[0] as { field?: unknown } | undefined) : undefined
  return typeof first?.field === 'string' ? first.field.replace(/^body\./, '') : undefined
}

/** Anthropic's error body: `{type: 'error', error: {type, message}}`; the field at fault leads the message. */
export function anthropicError(error: unknown): {
  status: number
  body: { type: 'error'; error: { type: string; message: string } }
  headers?: Record<string, string> | undefined
} {
  if (error instanceof OptimaliqError) {
    const field = fieldOf(error)
    const message = field && !error.message.startsWith(`${field}:`) ? `${field}: ${error.message}` : error.message
    return {
      status: error.status,
      body: { type: 'error', error: { type: anthropicErrorType(error.status), message } },
      headers: error.headers,
    }
  }
  return { status: 500, body: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } } }
}

/** The error event that ends a stream that broke after it started. */
export const anthropicStreamErrorEvent = (message: string, type = 'api_error') =>
  sseEvent('error', { error: { type, message } })

/** The error event a stream that cannot go on ends with: a guardrail's refusal as Anthropic names a 4xx, anything else `api_error`. */
export function anthropicStreamError(error: unknown): string {
  if (refusedByGuardrail(error)) return sseEvent('error', { error: anthropicError(error).body.error })
  return anthropicStreamErrorEvent(errorMessage(error))
}
