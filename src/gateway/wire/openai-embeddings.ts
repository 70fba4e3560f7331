import { z } from 'zod'
import type { AiUsage } from '../types.ts'
import type { TranslationTarget, Unsupported } from './translate.ts'

/**
 * OpenAI's embeddings format (`POST /v1/embeddings`), in and out: the body we read (everything
 * else passes through to OpenAI-format upstreams), the `list` of `embedding` objects we write for
 * translated providers (Gemini, Mistral, Bedrock), float or base64, and what each translated
 * provider can carry. @see https://platform.openai.com/docs/api-reference/embeddings/create
 */

/** OpenAI's own limit on inputs per request. */
export const MAX_EMBEDDING_INPUTS = 2048

// eslint-disable-next-line no-control-regex
const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/

const tokens = z.array(z.number().int().min(0)).min(1, 'must not be an empty token array')

/** The `/v1/embeddings` body. */
export const embeddingsBody = z.looseObject({
  model: z.string().min(1).max(200).regex(PRINTABLE, 'must not contain control characters'),
  input: z.union([
    z.string().min(1, 'must not be an empty string'),
    z.array(z.string().min(1, 'must not be an empty string')).min(1).max(MAX_EMBEDDING_INPUTS),
    tokens,
    z.array(tokens).min(1).max(MAX_EMBEDDING_INPUTS),
  ]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).max(65_536).optional(),
  user: z.string().max(256).optional(),
})
export type EmbeddingsBody = z.infer<typeof embeddingsBody>

/** The inputs as a list, in order: texts, or token arrays (which only OpenAI-format upstreams read). */
export function inputsOf(body: EmbeddingsBody): { texts: string[] } | { tokens: number[][] } {
  const input = body.input
  if (typeof input === 'string') return { texts: [input] }
  if (input.every((item) => typeof item === 'string')) return { texts: input as string[] }
  if (input.every((item) => typeof item === 'number')) return { tokens: [input as number[]] }
  return { tokens: input as number[][] }
}

/** Characters (texts) or tokens (token arrays) of the input: the estimate for limits and pacing. */
export function estimatedInputTokens(body: EmbeddingsBody): number {
  const inputs = inputsOf(body)
  if ('tokens' in inputs) return inputs.tokens.reduce((n, t) => n + t.length, 0)
  return Math.ceil(inputs.texts.reduce((n, t) => n + t.length, 0) / 4)
}

/**
 * What each translated provider carries. `dimensions`: Gemini's `outputDimensionality`, Titan v2's
 * `dimensions` (256, 512 or 1024); Mistral's `mistral-embed` has one size. Token arrays need the
 * model's own tokenizer, which only OpenAI-format upstreams read.
 */
const DIMENSIONS: Record<string, (model: string, dimensions: number) => string | undefined> = {
  google: () => undefined,
  vertex: () => undefined,
  bedrock: (model, dimensions) =>
    !model.includes('titan-embed-text-v2')
      ? `${model} takes no dimensions on Bedrock (only amazon.titan-embed-text-v2:0 does)`
      : [256, 512, 1024].includes(dimensions)
        ? undefined
        : `${model} takes dimensions 256, 512 or 1024`,
}

const READ = new Set(['model', 'input', 'encoding_format', 'dimensions'])

/** What a translated provider cannot take from this body (OpenAI-format upstreams take it as sent). */
export function unsupportedEmbeddingParams(body: EmbeddingsBody, target: TranslationTarget): Unsupported[] {
  const name = `${target.provider}/${target.model}`
  const out: Unsupported[] = []
  if (target.capabilities && !target.capabilities.includes('embeddings'))
    out.push({ param: 'model', message: `${name} is not an embedding model` })
  if ('tokens' in inputsOf(body))
    out.push({
      param: 'input',
      message: `${name} takes text only: token arrays need the model's own tokenizer (OpenAI-format upstreams only)`,
    })
  if (body.dimensions !== undefined) {
    const check = DIMENSIONS[target.provider]
    const why = check ? check(target.model, body.dimensions) : `${name} has one output size and takes no dimensions`
    if (why) out.push({ param: 'dimensions', message: why })
  }
  for (const [key, value] of Object.entries(body)) {
    if (READ.has(key) || value === undefined || value === null) continue
    out.push({ param: key, message: `${name} does not take the parameter "${key}"` })
  }
  return out
}

/** Provider options that carry `dimensions` to a translated provider. */
export function embeddingProviderOptions(
  provider: string,
  body: EmbeddingsBody,
  dropped: ReadonlySet<string>,
): Record<string, Record<string, number>> | undefined {
  if (body.dimensions === undefined || dropped.has('dimensions')) return undefined
  if (provider === 'google' || provider === 'vertex') return { google: { outputDimensionality: body.dimensions } }
  if (provider === 'bedrock') return { bedrock: { dimensions: body.dimensions } }
  return undefined
}

/** A float vector as OpenAI's base64: little-endian float32 bytes. */
export function toBase64(vector: readonly number[]): string {
  const floats = Float32Array.from(vector)
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64')
}

/** OpenAI's base64 embedding back to floats. */
export function fromBase64(text: string): number[] {
  const bytes = Buffer.from(text, 'base64')
  const floats = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4))
  return Array.from(floats)
}

/** OpenAI's `list` of embeddings for vectors in input order. */
export function toEmbeddingList(
  vectors: readonly (readonly number[])[],
  meta: { model: string; encoding: 'float' | 'base64'; usage: AiUsage },
): string {
  const prompt = meta.usage.inputTokens
  return JSON.stringify({
    object: 'list',
    data: vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: meta.encoding === 'base64' ? toBase64(vector) : vector,
    })),
    model: meta.model,
    // Unknown stays unknown (Gemini reports no token count): null, never 0.
    usage: { prompt_tokens: prompt ?? null, total_tokens: prompt ?? null },
  })
}

/** The vectors of an OpenAI embeddings answer (float or base64), in `index` order. */
export function vectorsOf(text: string): number[][] {
  const parsed = JSON.parse(text) as { data?: Array<{ index?: number; embedding?: unknown }> }
  const data = [...(parsed.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
  return data.map((d) =>
    typeof d.embedding === 'string' ? fromBase64(d.embedding) : Array.isArray(d.embedding) ? d.embedding : [],
  )
}
