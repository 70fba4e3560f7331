import type { AiUsage } from '../types.ts'

/** A chat message in OpenAI's shape, as `/v1` receives it (the in-code client uses the text subset). */
export type ChatMessage = {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool'
  content?: string | ContentPart[] | null | undefined
  name?: string | undefined
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> | undefined
  tool_call_id?: string | undefined
  /** A tool result that reports a failure (Anthropic's `is_error`), carried as the AI SDK's `error-text` output. */
  is_error?: boolean | undefined
}

/** A content part as OpenAI clients send it: text, an image (`data:` or https URL), audio, … */
export type ContentPart = {
  type: string
  text?: string | undefined
  image_url?: { url: string; detail?: string | undefined } | undefined
  input_audio?: { data: string; format: string } | undefined
}

export type ChatTool = {
  type: 'function'
  function: { name: string; description?: string | undefined; parameters?: Record<string, unknown> | undefined }
}

/** One chat call, provider-neutral. */
export type ChatRequest = {
  system?: string | undefined
  messages: ChatMessage[]
  temperature?: number | undefined
  maxTokens?: number | undefined
  topP?: number | undefined
  topK?: number | undefined
  seed?: number | undefined
  presencePenalty?: number | undefined
  frequencyPenalty?: number | undefined
  stop?: string[] | undefined
  /** AI SDK provider options (e.g. `{anthropic: {metadata: {userId}}}`), for parameters a provider has under its own name. */
  providerOptions?: Record<string, Record<string, unknown>> | undefined
  responseFormat?:
    | { type: 'text' }
    | { type: 'json'; schema?: Record<string, unknown> | undefined; name?: string | undefined }
    | undefined
  tools?: ChatTool[] | undefined
  toolChoice?: 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } } | undefined
}

export type ToolCall = { id: string; name: string; arguments: string }

/** A finished chat call. */
export type ChatResult = {
  text: string
  toolCalls: ToolCall[]
  /** OpenAI's finish_reason vocabulary. */
  finishReason: 'stop' | 'length' | 'tool_calls' | 'content_filter'
  usage: AiUsage
  /**
   * Set when the provider says a stop sequence ended the answer (Anthropic's and Bedrock's
   * `stop_sequence`), with the sequence when it names it. OpenAI says `stop` for both a natural end
   * and a stop sequence, and strips the sequence: then this stays unset.
   */
  stop?: StopDetail | undefined
}

export type StopDetail = { sequence: string | undefined }

/** A piece of a streamed chat call. */
export type ChatChunk =
  | { type: 'text'; text: string }
  | { type: 'tool-call'; call: ToolCall }
  | { type: 'finish'; finishReason: ChatResult['finishReason']; usage: AiUsage; stop?: StopDetail | undefined }

/** The text of an OpenAI message content (string, or its text parts in order, one per line). */
export function contentText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content
  if (!content) return ''
  return content
    .filter((part) => part.type === 'text')
    .map((part) => part.text ?? '')
    .join('\n')
}

export const unknownUsage = (): AiUsage => ({ inputTokens: undefined, outputTokens: undefined })

export function addUsage(a: AiUsage, b: AiUsage): AiUsage {
  const add = (x: number | undefined, y: number | undefined) =>
    x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0)
  return { inputTokens: add(a.inputTokens, b.inputTokens), outputTokens: add(a.outputTokens, b.outputTokens) }
}
