import { z } from 'zod'
import { OptimaliqError } from '../../errors.ts'
import type { ChatMessage, ContentPart } from '../calls/chat.ts'
import { MAX_OUTPUT_TOKENS, type ChatCompletionBody } from './openai-chat.ts'
import type { Unsupported } from './translate.ts'

/**
 * The OpenAI Responses API (`POST /v1/responses`) in: the body we read (everything else is carried
 * to OpenAI as sent, and named as unsupported for other providers), its input items, and their
 * translation to a chat request for providers that do not speak Responses (through the AI SDK).
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */

// eslint-disable-next-line no-control-regex
const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/

const part = z.looseObject({ type: z.string() })

/** An input item: a message (`role` + `content`), a `function_call`, a `function_call_output`, an `item_reference`, … */
const inputItem = z.looseObject({
  type: z.string().optional(),
  role: z.enum(['system', 'developer', 'user', 'assistant']).optional(),
  content: z.union([z.string(), z.array(part)]).optional(),
  id: z.string().nullable().optional(),
  call_id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
  output: z.union([z.string(), z.array(part)]).optional(),
})

export const responsesBody = z.looseObject({
  model: z.string().min(1).max(200).regex(PRINTABLE, 'must not contain control characters'),
  input: z.union([z.string(), z.array(inputItem)]),
  instructions: z.string().nullable().optional(),
  stream: z.boolean().nullable().optional(),
  store: z.boolean().nullable().optional(),
  previous_response_id: z.string().min(1).max(200).regex(PRINTABLE).nullable().optional(),
  // OpenAI's limits: 16 pairs, keys up to 64 characters, values up to 512.
  metadata: z
    .record(z.string().max(64), z.string().max(512))
    .refine((m) => Object.keys(m).length <= 16, 'has more than 16 keys')
    .nullable()
    .optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  max_output_tokens: z.number().int().positive().max(MAX_OUTPUT_TOKENS).nullable().optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  user: z.string().max(256).optional(),
  tools: z
    .array(
      z.looseObject({
        type: z.string(),
        name: z.string().optional(),
        description: z.string().nullable().optional(),
        parameters: z.record(z.string(), z.unknown()).nullable().optional(),
        strict: z.boolean().nullable().optional(),
      }),
    )
    .optional(),
  tool_choice: z
    .union([z.enum(['auto', 'none', 'required']), z.looseObject({ type: z.string(), name: z.string().optional() })])
    .optional(),
  text: z
    .looseObject({
      format: z
        .union([
          z.object({ type: z.literal('text') }),
          z.object({ type: z.literal('json_object') }),
          z.looseObject({
            type: z.literal('json_schema'),
            name: z.string().min(1).max(64),
            schema: z.record(z.string(), z.unknown()),
            strict: z.boolean().nullable().optional(),
            description: z.string().optional(),
          }),
        ])
        .optional(),
      verbosity: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  reasoning: z
    .looseObject({ effort: z.string().nullable().optional(), summary: z.string().nullable().optional() })
    .nullable()
    .optional(),
})
export type ResponsesBody = z.infer<typeof responsesBody>

/** One input or output item as the Responses API writes it. */
export type ResponseItem = z.infer<typeof inputItem> & Record<string, unknown>

/** 400 in OpenAI's shape with `param` naming the field at fault (`input[2].call_id`). */
export class InvalidResponsesInputError extends OptimaliqError {
  constructor(param: string, message: string) {
    super('invalid_request', message, { status: 400, details: [{ field: param }] })
  }
}

/** The input as a list of items (a string is one user message), each with its kind (`message` when it has a role). */
export function inputItems(input: ResponsesBody['input']): ResponseItem[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }]
  return input.map((item) => (item.type === undefined && item.role ? { ...item, type: 'message' } : item))
}

/**
 * Structural checks every provider needs, before any upstream call: messages have a role and
 * content, function calls and their outputs a `call_id`, references an `id`.
 */
export function checkItems(items: readonly ResponseItem[]): void {
  items.forEach((item, i) => {
    const at = `input[${i}]`
    switch (item.type) {
      case 'message':
        if (!item.role) throw new InvalidResponsesInputError(`${at}.role`, `${at}.role is required for a message`)
        if (item.content === undefined)
          throw new InvalidResponsesInputError(`${at}.content`, `${at}.content is required for a message`)
        break
      case 'function_call':
        for (const key of ['call_id', 'name', 'arguments'] as const)
          if (typeof item[key] !== 'string')
            throw new InvalidResponsesInputError(`${at}.${key}`, `${at}.${key} is required for a function_call`)
        break
      case 'function_call_output':
        if (typeof item.call_id !== 'string')
          throw new InvalidResponsesInputError(`${at}.call_id`, `${at}.call_id is required for a function_call_output`)
        if (item.output === undefined)
          throw new InvalidResponsesInputError(`${at}.output`, `${at}.output is required for a function_call_output`)
        break
      case 'item_reference':
        if (typeof item.id !== 'string' || item.id === '')
          throw new InvalidResponsesInputError(`${at}.id`, `${at}.id is required for an item_reference`)
        break
      case undefined:
        throw new InvalidResponsesInputError(`${at}`, `${at} needs a type or a role`)
    }
  })
}

/** Keys the gateway itself handles, whatever the provider (its store, or the translation below). */
const HANDLED = new Set([
  'model',
  'input',
  'instructions',
  'stream',
  'store',
  'previous_response_id',
  'metadata',
  'temperature',
  'top_p',
  'max_output_tokens',
  'tools',
  'tool_choice',
  'text',
  'parallel_tool_calls',
  'user',
  'reasoning',
  'stream_options',
])

/** Responses parameters whose value asks for nothing, so any provider takes them. */
const isNeutral = (key: string, value: unknown) =>
  value === null ||
  value === undefined ||
  (key === 'truncation' && value === 'disabled') ||
  (key === 'include' && Array.isArray(value) && value.length === 0) ||
  (key === 'service_tier' && (value === 'auto' || value === 'default')) ||
  (key === 'background' && value === false)

/** Parameters no upstream can take through the gateway (it keeps the conversation state itself). */
export function gatewayRefuses(body: ResponsesBody): Unsupported | undefined {
  const extra = body as Record<string, unknown>
  if (extra.background === true)
    return { param: 'background', message: 'background responses are not supported by the gateway' }
  if (extra.conversation != null)
    return {
      param: 'conversation',
      message: 'conversation is not supported by the gateway; use previous_response_id',
    }
  return undefined
}

const textOf = (content: ResponseItem['content'] | ResponseItem['output']): string =>
  typeof content === 'string'
    ? content
    : (content ?? [])
        .map((p) => (typeof p.text === 'string' ? p.text : typeof p.refusal === 'string' ? p.refusal : ''))
        .join('\n')

/** A content part in chat terms: text as text, an image URL as `image_url`, anything else kept by its type (refused). */
function chatPart(p: Record<string, unknown> & { type: string }): ContentPart {
  switch (p.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return { type: 'text', text: typeof p.text === 'string' ? p.text : '' }
    case 'refusal':
      return { type: 'text', text: typeof p.refusal === 'string' ? p.refusal : '' }
    case 'input_image':
      return typeof p.image_url === 'string'
        ? {
            type: 'image_url',
            image_url: { url: p.image_url, ...(typeof p.detail === 'string' ? { detail: p.detail } : {}) },
          }
        : { type: 'input_image (file_id)' }
    default:
      return { type: p.type }
  }
}

/** A part of a request no translated provider takes: where it is and what it is ("web_search tools"). */
export type Untranslatable = { param: string; what: string }

/** The chat request a Responses request means, for providers reached through the AI SDK. */
export type ChatTranslation = {
  chat: ChatCompletionBody
  /** Where each chat message came from, as the client named it (`input[2]`, `instructions`, `previous_response_id`). */
  origins: string[]
  /** What no translated provider takes (non-function tools, reasoning items, …), named as the client sent it. */
  unsupported: Untranslatable[]
}

/**
 * The chat completion body for a Responses request whose input items are `history` (from
 * `previous_response_id`, oldest first) then `items`. Unknown keys stay under their own names so
 * the chat translation names them as unsupported.
 */
export function toChatBody(body: ResponsesBody, history: readonly ResponseItem[], items: readonly ResponseItem[]) {
  const messages: ChatMessage[] = []
  const origins: string[] = []
  const unsupported: Untranslatable[] = []
  const push = (message: ChatMessage, origin: string) => {
    messages.push(message)
    origins.push(origin)
  }
  if (body.instructions) push({ role: 'system', content: body.instructions }, 'instructions')
  const add = (item: ResponseItem, origin: string, fromHistory: boolean) => {
    switch (item.type) {
      case 'message': {
        const content = typeof item.content === 'string' ? item.content : (item.content ?? []).map((p) => chatPart(p))
        push({ role: item.role ?? 'user', content }, origin)
        return
      }
      case 'function_call': {
        const call = {
          id: item.call_id ?? '',
          type: 'function' as const,
          function: { name: item.name ?? '', arguments: item.arguments ?? '' },
        }
        const last = messages.at(-1)
        // An assistant turn's text and its (parallel) calls are one chat message.
        if (last?.role === 'assistant') last.tool_calls = [...(last.tool_calls ?? []), call]
        else push({ role: 'assistant', content: null, tool_calls: [call] }, origin)
        return
      }
      case 'function_call_output':
        push({ role: 'tool', tool_call_id: item.call_id ?? '', content: textOf(item.output) }, origin)
        return
      default:
        // Reasoning items and provider-run tool calls mean nothing to another provider.
        if (!fromHistory) unsupported.push({ param: origin, what: `${String(item.type)} input items` })
    }
  }
  history.forEach((item) => add(item, 'previous_response_id', true))
  items.forEach((item, i) => add(item, typeof body.input === 'string' ? 'input' : `input[${i}]`, false))

  const tools: NonNullable<ChatCompletionBody['tools']> = []
  body.tools?.forEach((tool, i) => {
    if (tool.type !== 'function' || !tool.name) {
      unsupported.push({ param: `tools[${i}]`, what: `${tool.type} tools` })
      return
    }
    tools.push({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        ...(tool.parameters ? { parameters: tool.parameters } : {}),
      },
    })
  })
  const choice = body.tool_choice
  let toolChoice: ChatCompletionBody['tool_choice']
  if (typeof choice === 'string') toolChoice = choice
  else if (choice?.type === 'function' && choice.name)
    toolChoice = { type: 'function', function: { name: choice.name } }
  else if (choice) unsupported.push({ param: 'tool_choice', what: `tool_choice ${choice.type}` })

  const format = body.text?.format
  const chat: Record<string, unknown> = {
    model: body.model,
    messages,
    ...(body.stream ? { stream: true } : {}),
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { top_p: body.top_p } : {}),
    ...(body.max_output_tokens != null ? { max_tokens: body.max_output_tokens } : {}),
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice ? { tool_choice: toolChoice } : {}),
    ...(body.parallel_tool_calls != null ? { parallel_tool_calls: body.parallel_tool_calls } : {}),
    ...(body.user ? { user: body.user } : {}),
    ...(body.reasoning?.effort ? { reasoning_effort: body.reasoning.effort } : {}),
    ...(body.reasoning?.summary ? { reasoning_summary: body.reasoning.summary } : {}),
    ...(body.text?.verbosity ? { verbosity: body.text.verbosity } : {}),
  }
  if (format?.type === 'json_object') chat.response_format = { type: 'json_object' }
  else if (format?.type === 'json_schema')
    chat.response_format = {
      type: 'json_schema',
      json_schema: { name: format.name, schema: format.schema, strict: format.strict ?? null },
    }
  for (const [key, value] of Object.entries(body)) if (!HANDLED.has(key) && !isNeutral(key, value)) chat[key] = value
  return { chat: chat as ChatCompletionBody, origins, unsupported } satisfies ChatTranslation
}

/** A chat-level parameter name (`max_tokens`, `messages[3].content[1]`) as the Responses client named it. */
export function responsesParam(param: string, origins: readonly string[]): string {
  const renamed: Record<string, string> = {
    max_tokens: 'max_output_tokens',
    response_format: 'text.format',
    reasoning_effort: 'reasoning.effort',
    reasoning_summary: 'reasoning.summary',
    verbosity: 'text.verbosity',
  }
  if (renamed[param]) return renamed[param]
  const message = /^messages\[(\d+)\](.*)$/.exec(param)
  if (!message) return param
  const origin = origins[Number(message[1])] ?? 'input'
  return `${origin}${message[2] ?? ''}`
}
