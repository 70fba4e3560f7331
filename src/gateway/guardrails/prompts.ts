import type { ChatCompletionBody } from '../wire/openai-chat.ts'
import type { MessagesBody } from '../wire/anthropic-messages.ts'

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
