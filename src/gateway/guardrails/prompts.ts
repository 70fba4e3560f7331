import type { ChatCompletionBody } from '../wire/openai-chat.ts'
import type { MessagesBody } from '../wire/anthropic-messages.ts'
import { outputText } from '../wire/openai-responses-out.ts'

/**
 * The prompt texts of each wire format, for guardrails: read them (with their roles) and rewrite
 * them (redaction) without touching anything else of the body.
 */

type Texts = Array<{ role: string; text: string }>
type Map = (text: string) => string

/** OpenAI chat: string contents and text parts, every role. */
export function chatTexts(body: ChatCompletionBody): Texts {
  const texts: Texts = []
  for (const m of body.messages) {
    if (typeof m.content === 'string') texts.push({ role: m.role, text: m.content })
    else if (Array.isArray(m.content))
      for (const part of m.content) if (part.type === 'text' && part.text) texts.push({ role: m.role, text: part.text })
  }
  return texts
}

export function rewriteChat(body: ChatCompletionBody, map: Map): ChatCompletionBody {
  return {
    ...body,
    messages: body.messages.map((m) => ({
      ...m,
      content:
        typeof m.content === 'string'
          ? map(m.content)
          : Array.isArray(m.content)
            ? m.content.map((p) => (p.type === 'text' && p.text ? { ...p, text: map(p.text) } : p))
            : m.content,
    })),
  }
}

/** The text of a chat.completion body's first choice ('' when it has none). */
export function chatAnswerText(value: string): string {
  try {
    const parsed = JSON.parse(value) as { choices?: Array<{ message?: { content?: unknown } }> }
    const content = parsed.choices?.[0]?.message?.content
    return typeof content === 'string' ? content : ''
  } catch {
    return ''
  }
}

/** The arguments of a chat.completion body's tool calls (first choice), for the banned-terms check. */
export function chatAnswerToolText(value: string): string {
  try {
    const parsed = JSON.parse(value) as {
      choices?: Array<{ message?: { tool_calls?: Array<{ function?: { arguments?: unknown } }> } }>
    }
    return (parsed.choices?.[0]?.message?.tool_calls ?? [])
      .map((c) => (typeof c.function?.arguments === 'string' ? c.function.arguments : ''))
      .join('\n')
  } catch {
    return ''
  }
}

type Block = Record<string, unknown> & { type: string }

/** Anthropic messages: the system prompt, text blocks and tool results (string or text blocks). */
export function messagesTexts(body: MessagesBody): Texts {
  const texts: Texts = []
  if (typeof body.system === 'string') texts.push({ role: 'system', text: body.system })
  else for (const b of body.system ?? []) texts.push({ role: 'system', text: b.text })
  for (const m of body.messages) {
    if (typeof m.content === 'string') {
      texts.push({ role: m.role, text: m.content })
      continue
    }
    for (const b of m.content as Block[]) {
      if (b.type === 'text' && typeof b.text === 'string') texts.push({ role: m.role, text: b.text })
      if (b.type === 'tool_result') {
        if (typeof b.content === 'string') texts.push({ role: 'tool', text: b.content })
        else if (Array.isArray(b.content))
          for (const inner of b.content as Block[])
            if (inner.type === 'text' && typeof inner.text === 'string') texts.push({ role: 'tool', text: inner.text })
      }
    }
  }
  return texts
}

function rewriteBlock(b: Block, map: Map): Block {
  if (b.type === 'text' && typeof b.text === 'string') return { ...b, text: map(b.text) }
  if (b.type === 'tool_result')
    return {
      ...b,
      content:
        typeof b.content === 'string'
          ? map(b.content)
          : Array.isArray(b.content)
            ? (b.content as Block[]).map((inner) => rewriteBlock(inner, map))
            : b.content,
    }
  return b
}

export function rewriteMessages(body: MessagesBody, map: Map): MessagesBody {
  return {
    ...body,
    system: typeof body.system === 'string' ? map(body.system) : body.system?.map((b) => ({ ...b, text: map(b.text) })),
    messages: body.messages.map((m) => ({
      ...m,
      content: typeof m.content === 'string' ? map(m.content) : (m.content as Block[]).map((b) => rewriteBlock(b, map)),
    })),
  }
}

/** The text blocks of an Anthropic `message` body, joined ('' when it has none). */
export function messagesAnswerText(value: string): string {
  try {
    const parsed = JSON.parse(value) as { content?: Array<{ type?: unknown; text?: unknown }> }
    return (parsed.content ?? [])
      .filter((b) => b.type === 'text' && typeof b.text === 'string')
      .map((b) => b.text as string)
      .join('\n')
  } catch {
    return ''
  }
}

/** The input of an Anthropic message's `tool_use` blocks, as JSON, for the banned-terms check. */
export function messagesAnswerToolText(value: string): string {
  try {
    const parsed = JSON.parse(value) as { content?: Array<{ type?: unknown; input?: unknown }> }
    return (parsed.content ?? [])
      .filter((b) => b.type === 'tool_use')
      .map((b) => JSON.stringify(b.input ?? {}))
      .join('\n')
  } catch {
    return ''
  }
}

type Part = Record<string, unknown> & { type: string }
type Item = Record<string, unknown> & { type?: string | undefined; role?: string | undefined }

const partsTexts = (role: string, value: unknown, texts: Texts) => {
  if (typeof value === 'string') texts.push({ role, text: value })
  else if (Array.isArray(value))
    for (const p of value as Part[]) if (typeof p.text === 'string') texts.push({ role, text: p.text })
}

const rewriteParts = (value: unknown, map: Map): unknown =>
  typeof value === 'string'
    ? map(value)
    : Array.isArray(value)
      ? (value as Part[]).map((p) => (typeof p.text === 'string' ? { ...p, text: map(p.text) } : p))
      : value

/**
 * Responses API input items: message contents (string or text parts) and function call outputs.
 * A bare string input is the caller's user message.
 */
export function responsesTexts(instructions: string | null | undefined, items: readonly Item[]): Texts {
  const texts: Texts = instructions ? [{ role: 'developer', text: instructions }] : []
  for (const item of items) {
    if (item.type === 'message' || (item.type === undefined && item.role))
      partsTexts(item.role ?? 'user', item.content, texts)
    else if (item.type === 'function_call_output') partsTexts('tool', item.output, texts)
  }
  return texts
}

export function rewriteResponseItems<T extends Item>(items: readonly T[], map: Map): T[] {
  return items.map((item) =>
    item.type === 'message' || (item.type === undefined && item.role)
      ? { ...item, content: rewriteParts(item.content, map) }
      : item.type === 'function_call_output'
        ? { ...item, output: rewriteParts(item.output, map) }
        : item,
  )
}

/** The Responses body with its `instructions` and `input` texts rewritten (the ledger's copy). */
export function rewriteResponsesBody<B extends { instructions?: string | null | undefined; input: unknown }>(
  body: B,
  map: Map,
): B {
  return {
    ...body,
    instructions: typeof body.instructions === 'string' ? map(body.instructions) : body.instructions,
    input: typeof body.input === 'string' ? map(body.input) : rewriteResponseItems(body.input as Item[], map),
  }
}

/** The text of a Responses `response` object's output messages ('' when it has none). */
export function responsesAnswerText(value: string): string {
  try {
    return outputText(JSON.parse(value) as { output?: unknown })
  } catch {
    return ''
  }
}

/** The arguments of a response's `function_call` items, for the banned-terms check. */
export function responsesAnswerToolText(value: string): string {
  try {
    const parsed = JSON.parse(value) as { output?: Array<{ type?: unknown; arguments?: unknown }> }
    return (Array.isArray(parsed.output) ? parsed.output : [])
      .filter((item) => item.type === 'function_call' && typeof item.arguments === 'string')
      .map((item) => item.arguments as string)
      .join('\n')
  } catch {
    return ''
  }
}

/** Embeddings input: its strings (token arrays carry no text we can read). */
export function embeddingTexts(input: unknown): Texts {
  if (typeof input === 'string') return [{ role: 'user', text: input }]
  if (Array.isArray(input))
    return input.filter((s): s is string => typeof s === 'string').map((text) => ({ role: 'user', text }))
  return []
}

export function rewriteEmbeddingInput<I>(input: I, map: Map): I {
  if (typeof input === 'string') return map(input) as I
  if (Array.isArray(input)) return input.map((s: unknown) => (typeof s === 'string' ? map(s) : s)) as I
  return input
}

/** The text the `data:` lines of SSE text add, each read by `read` (lines without `marker` are skipped unparsed). */
function sseText(piece: string, marker: string, read: (data: Record<string, unknown>) => unknown): string {
  if (!piece.includes(marker)) return ''
  let text = ''
  for (const line of piece.split('\n')) {
    if (!line.startsWith('data:') || !line.includes(marker)) continue
    try {
      const value = read(JSON.parse(line.slice(line.charAt(5) === ' ' ? 6 : 5)) as Record<string, unknown>)
      if (typeof value === 'string') text += value
    } catch {
      // The relay already refused malformed events; anything else carries no text.
    }
  }
  return text
}

/** OpenAI chat SSE: the content deltas of every choice. */
export const chatStreamText = (piece: string) =>
  sseText(piece, '"content"', (data) =>
    Array.isArray(data.choices)
      ? (data.choices as Array<{ delta?: { content?: unknown } }>)
          .map((c) => (typeof c?.delta?.content === 'string' ? c.delta.content : ''))
          .join('')
      : '',
  )

/** Anthropic Messages SSE: `text_delta`s. */
export const messagesStreamText = (piece: string) =>
  sseText(piece, '"text_delta"', (data) => (data.delta as { text?: unknown } | undefined)?.text)

/** Responses SSE: the `delta`s of the events of one type. */
const responsesDeltas = (type: string) => (piece: string) =>
  sseText(piece, `"${type}"`, (data) => (data.type === type ? data.delta : undefined))

/** Responses SSE: `response.output_text.delta`s. */
export const responsesStreamText = responsesDeltas('response.output_text.delta')

/** OpenAI chat SSE: the tool-call argument deltas of every choice. */
export const chatStreamToolText = (piece: string) =>
  sseText(piece, '"arguments"', (data) =>
    Array.isArray(data.choices)
      ? (data.choices as Array<{ delta?: { tool_calls?: Array<{ function?: { arguments?: unknown } }> } }>)
          .flatMap((c) => c?.delta?.tool_calls ?? [])
          .map((call) => (typeof call?.function?.arguments === 'string' ? call.function.arguments : ''))
          .join('')
      : '',
  )

/** Anthropic Messages SSE: `input_json_delta`s (a `tool_use` block's input as it streams). */
export const messagesStreamToolText = (piece: string) =>
  sseText(piece, '"input_json_delta"', (data) => (data.delta as { partial_json?: unknown } | undefined)?.partial_json)

/** Responses SSE: `response.function_call_arguments.delta`s. */
export const responsesStreamToolText = responsesDeltas('response.function_call_arguments.delta')
