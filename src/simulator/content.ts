import { createHash } from 'node:crypto'
import { sampleFromSchema, violateSchema, type JsonSchema } from './json-schema-sample.ts'

/**
 * The provider-neutral core of a simulated completion: each wire format parses its request into a
 * `SimRequest`, `produce` decides the answer deterministically from a hash of the request body,
 * and the format renders it as JSON or as its streaming events.
 */

export type OutputMode =
  | { kind: 'text' }
  | { kind: 'json'; schema: JsonSchema | undefined }
  | { kind: 'tool'; name: string; schema: JsonSchema | undefined }

export type SimRequest = {
  model: string
  stream: boolean
  /** All prompt text, for the input-token estimate. */
  promptChars: number
  maxTokens: number | undefined
  output: OutputMode
  /** Stop sequences: prose ends before the first one it holds (which is not sent, as providers do). */
  stop?: readonly string[] | undefined
}

export type SimOutput = {
  /** Text content (for json: the JSON text). Empty for a tool call. */
  text: string
  toolCall: { id: string; name: string; arguments: string } | undefined
  finish: 'stop' | 'length' | 'tool'
  /** The stop sequence that ended the text, when one did. */
  stopSequence?: string | undefined
  inputTokens: number
  outputTokens: number
  id: string
}

const VOCABULARY = (
  'growth strategy process technology customers revenue pipeline automation insight team market ' +
  'focus improve measure data operations retention quality pricing channel partner scale ' +
  'efficiency roadmap priority value clear next quarter build reduce test learn'
).split(' ')

/** A stable digest of the request body: the seed for everything the simulator says. */
export function digest(body: string): Buffer {
  return createHash('sha1').update(body).digest()
}

/** Roughly four characters per token, never below one. */
export function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4))
}

export function produce(request: SimRequest, seed: Buffer, invalidSchema: boolean): SimOutput {
  const id = seed.subarray(0, 12).toString('hex')
  const inputTokens = estimateTokens(request.promptChars)
  const { output } = request
  if (output.kind === 'tool') {
    const value = invalidSchema
      ? violateSchema(output.schema, seed)
      : sampleFromSchema(output.schema ?? { type: 'object' }, seed)
    const args = JSON.stringify(value)
    return {
      text: '',
      toolCall: { id: `call_${id}`, name: output.name, arguments: args },
      finish: 'tool',
      inputTokens,
      outputTokens: estimateTokens(args.length),
      id,
    }
  }
  if (output.kind === 'json') {
    let value: unknown
    if (output.schema === undefined) value = invalidSchema ? 'not an object' : { text: sentence(seed, 12) }
    else value = invalidSchema ? violateSchema(output.schema, seed) : sampleFromSchema(output.schema, seed)
    const text = JSON.stringify(value)
    return { text, toolCall: undefined, finish: 'stop', inputTokens, outputTokens: estimateTokens(text.length), id }
  }
  const wanted = 8 + ((seed[4] ?? 0) % 17)
  const cap = request.maxTokens !== undefined && request.maxTokens > 0 ? request.maxTokens : Infinity
  const words = Math.min(wanted, cap)
  const text = sentence(seed, words)
  const stopped = firstStop(text, request.stop)
  if (stopped)
    return {
      text: text.slice(0, stopped.at),
      toolCall: undefined,
      finish: 'stop',
      stopSequence: stopped.sequence,
      inputTokens,
      outputTokens: Math.max(1, text.slice(0, stopped.at).split(' ').length),
      id,
    }
  return {
    text,
    toolCall: undefined,
    finish: words < wanted ? 'length' : 'stop',
    inputTokens,
    outputTokens: words,
    id,
  }
}

/** Why the text ended, in the words Anthropic and Bedrock share. */
export const stopReasonOf = (out: SimOutput) =>
  out.finish === 'tool'
    ? 'tool_use'
    : out.finish === 'length'
      ? 'max_tokens'
      : out.stopSequence !== undefined
        ? 'stop_sequence'
        : 'end_turn'

/** The earliest stop sequence in `text` and where it starts. */
function firstStop(text: string, stop: readonly string[] | undefined): { at: number; sequence: string } | undefined {
  let found: { at: number; sequence: string } | undefined
  for (const sequence of stop ?? []) {
    const at = sequence === '' ? -1 : text.indexOf(sequence)
    if (at >= 0 && (!found || at < found.at)) found = { at, sequence }
  }
  return found
}

/** A request's stop sequences: a string or a list of strings. */
export const stopSequences = (value: unknown): string[] | undefined =>
  typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.filter((s): s is string => typeof s === 'string')
      : undefined

function sentence(seed: Buffer, words: number): string {
  const out: string[] = []
  for (let i = 0; i < words; i += 1) {
    const byte = (seed[(i + 5) % seed.length] ?? 0) ^ (i * 31)
    out.push(VOCABULARY[byte % VOCABULARY.length] as string)
  }
  const text = out.join(' ')
  return text.charAt(0).toUpperCase() + text.slice(1) + '.'
}

/** Split text into stream pieces: words for prose, short slices for JSON. */
export function chunksOf(text: string, json: boolean): string[] {
  if (text === '') return []
  if (json) {
    const pieces: string[] = []
    for (let i = 0; i < text.length; i += 16) pieces.push(text.slice(i, i + 16))
    return pieces
  }
  return text.match(/\S+\s*/g) ?? [text]
}

/** Sum of the lengths of every string found in a value (messages, parts, blocks). */
export function textLength(value: unknown): number {
  if (typeof value === 'string') return value.length
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + textLength(v), 0)
  if (typeof value === 'object' && value !== null) {
    let n = 0
    for (const [key, v] of Object.entries(value)) if (key !== 'type' && key !== 'role') n += textLength(v)
    return n
  }
  return 0
}
