import { createHash } from 'node:crypto'
import { BadRequest, isRecord } from './formats/wire.ts'

/**
 * Embeddings in the simulator: OpenAI (and Azure, OpenAI-compatible), Mistral, Gemini
 * (`:embedContent`, `:batchEmbedContents`) and Bedrock Titan (`/model/{id}/invoke`). Vectors are
 * deterministic hashed features of the text (words and character trigrams, signed, L2-normalised),
 * so the same text gives the same vector and texts sharing words lie near each other (cosine).
 */

export type EmbeddingFormat = 'openai' | 'mistral' | 'gemini' | 'bedrock'

/** Each model's native size; unknown models get 1536. */
const NATIVE: Array<[RegExp, number]> = [
  [/text-embedding-3-large/, 3072],
  [/text-embedding-3-small|text-embedding-ada-002/, 1536],
  [/text-embedding-004|text-embedding-005/, 768],
  [/gemini-embedding/, 3072],
  [/mistral-embed/, 1024],
  [/titan-embed-text-v2/, 1024],
  [/titan-embed/, 1536],
]

export function nativeDimensions(model: string): number {
  for (const [pattern, dims] of NATIVE) if (pattern.test(model)) return dims
  return 1536
}

/** Whether a model takes a requested size (OpenAI: text-embedding-3 only; Titan v2: 256/512/1024; Gemini: up to its size). */
function checkDimensions(format: EmbeddingFormat, model: string, dims: number | undefined): number {
  const native = nativeDimensions(model)
  if (dims === undefined) return native
  if (!Number.isInteger(dims) || dims < 1) throw new BadRequest('dimensions must be a positive integer')
  if (format === 'openai' && !/text-embedding-3/.test(model))
    throw new BadRequest(`This model does not support specifying dimensions.`)
  if (format === 'mistral') throw new BadRequest('mistral-embed has one output dimension')
  if (format === 'bedrock' && ![256, 512, 1024].includes(dims))
    throw new BadRequest('dimensions must be one of 256, 512, 1024')
  if (dims > native) throw new BadRequest(`dimensions must be at most ${native} for ${model}`)
  return dims
}

const features = (text: string): string[] => {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  const out: string[] = []
  for (const word of words) {
    out.push(`w:${word}`)
    const padded = ` ${word} `
    for (let i = 0; i + 3 <= padded.length; i++) out.push(`t:${padded.slice(i, i + 3)}`)
  }
  return out
}

/** A deterministic unit vector of `dims` numbers for `text` (hashed words and trigrams, signed). */
export function hashedEmbedding(text: string, dims: number): number[] {
  const vector = new Float64Array(dims)
  const found = features(text)
  for (const feature of found.length > 0 ? found : [`empty:${text}`]) {
    const hash = createHash('sha1').update(feature).digest()
    const index = hash.readUInt32LE(0) % dims
    const sign = (hash[4] as number) & 1 ? 1 : -1
    vector[index] = (vector[index] as number) + sign * (feature.startsWith('w:') ? 2 : 1)
  }
  let norm = 0
  for (const v of vector) norm += v * v
  norm = Math.sqrt(norm) || 1
  return Array.from(vector, (v) => Math.round((v / norm) * 1e6) / 1e6)
}

/** Tokens as the simulator counts them: about one per four characters, at least one per input. */
const tokensOf = (text: string) => Math.max(1, Math.ceil(text.length / 4))

const base64Of = (vector: number[]) => {
  const floats = Float32Array.from(vector)
  return Buffer.from(floats.buffer).toString('base64')
}

type Input = { text: string; tokens: number }

/** The texts of an OpenAI/Mistral `input` (strings, or token arrays embedded as their numbers), with their token counts. */
function openAiInputs(input: unknown): Input[] {
  const one = (item: unknown): Input => {
    if (typeof item === 'string') {
      if (item === '') throw new BadRequest("'$.input' is invalid: empty strings are not embedded")
      return { text: item, tokens: tokensOf(item) }
    }
    if (Array.isArray(item) && item.length > 0 && item.every((t) => Number.isInteger(t)))
      return { text: item.map((t) => `tok${String(t)}`).join(' '), tokens: item.length }
    throw new BadRequest("'$.input' is invalid: a string, an array of strings, or token arrays")
  }
  if (typeof input === 'string') return [one(input)]
  if (!Array.isArray(input) || input.length === 0) throw new BadRequest("'$.input' is invalid")
  if (input.every((t) => typeof t === 'number')) return [one(input)]
  if (input.length > 2048) throw new BadRequest("'$.input' is invalid: at most 2048 inputs")
  return input.map(one)
}

/** An embeddings answer in the provider's format (throws `BadRequest` for what the provider would refuse). */
export function embeddingAnswer(
  format: EmbeddingFormat,
  body: Record<string, unknown>,
  context: { model?: string | undefined; batch?: boolean | undefined },
): { json: unknown; headers?: Record<string, string> } {
  switch (format) {
    case 'openai':
    case 'mistral': {
      const model = typeof body.model === 'string' && body.model !== '' ? body.model : undefined
      if (!model) throw new BadRequest('model is required')
      const inputs = openAiInputs(body.input)
      const dims = checkDimensions(format, model, body.dimensions as number | undefined)
      const encoding = body.encoding_format ?? 'float'
      if (encoding !== 'float' && encoding !== 'base64')
        throw new BadRequest(`encoding_format must be "float" or "base64"`)
      const tokens = inputs.reduce((n, t) => n + t.tokens, 0)
      return {
        json: {
          ...(format === 'mistral'
            ? {
                id: `embd-${createHash('sha1')
                  .update(inputs.map((i) => i.text).join('\n'))
                  .digest('hex')}`,
              }
            : {}),
          object: 'list',
          data: inputs.map(({ text }, index) => {
            const vector = hashedEmbedding(text, dims)
            return { object: 'embedding', index, embedding: encoding === 'base64' ? base64Of(vector) : vector }
          }),
          model,
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        },
      }
    }
    case 'gemini': {
      const model = context.model ?? ''
      const textOf = (request: unknown): { text: string; dims: number } => {
        if (!isRecord(request) || !isRecord(request.content) || !Array.isArray(request.content.parts))
          throw new BadRequest('content.parts is required')
        const text = request.content.parts
          .map((p: unknown) => (isRecord(p) && typeof p.text === 'string' ? p.text : ''))
          .join('')
        if (text === '') throw new BadRequest('* contents: text must not be empty')
        return { text, dims: checkDimensions('gemini', model, request.outputDimensionality as number | undefined) }
      }
      if (context.batch) {
        if (!Array.isArray(body.requests) || body.requests.length === 0) throw new BadRequest('requests is required')
        if (body.requests.length > 100) throw new BadRequest('at most 100 requests can be in one batch')
        return {
          json: {
            embeddings: body.requests.map((r) => {
              const { text, dims } = textOf(r)
              return { values: hashedEmbedding(text, dims) }
            }),
          },
        }
      }
      const { text, dims } = textOf(body)
      return { json: { embedding: { values: hashedEmbedding(text, dims) } } }
    }
    case 'bedrock': {
      const model = context.model ?? ''
      if (!/titan-embed/.test(model)) throw new BadRequest(`The simulator embeds with Titan models only, not ${model}`)
      if (typeof body.inputText !== 'string' || body.inputText === '')
        throw new BadRequest('Malformed input request: inputText must be a non-empty string')
      const dims = checkDimensions('bedrock', model, body.dimensions as number | undefined)
      const tokens = tokensOf(body.inputText)
      return {
        json: { embedding: hashedEmbedding(body.inputText, dims), inputTextTokenCount: tokens },
        headers: { 'x-amzn-bedrock-input-token-count': String(tokens) },
      }
    }
  }
}
