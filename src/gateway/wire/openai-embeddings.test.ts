import { describe, expect, it } from 'vitest'
import {
  embeddingProviderOptions,
  embeddingsBody,
  estimatedInputTokens,
  fromBase64,
  inputsOf,
  toBase64,
  toEmbeddingList,
  unsupportedEmbeddingParams,
  vectorsOf,
} from './openai-embeddings.ts'

const body = (extra: Record<string, unknown>) => embeddingsBody.parse({ model: 'm', input: 'hello', ...extra })

describe('OpenAI embeddings wire format', () => {
  it('reads every input shape in order', () => {
    expect(inputsOf(body({ input: 'a' }))).toEqual({ texts: ['a'] })
    expect(inputsOf(body({ input: ['a', 'b'] }))).toEqual({ texts: ['a', 'b'] })
    expect(inputsOf(body({ input: [1, 2] }))).toEqual({ tokens: [[1, 2]] })
    expect(inputsOf(body({ input: [[1], [2, 3]] }))).toEqual({ tokens: [[1], [2, 3]] })
    expect(estimatedInputTokens(body({ input: ['abcd', 'abcdefgh'] }))).toBe(3)
    expect(estimatedInputTokens(body({ input: [[1], [2, 3]] }))).toBe(3)
    expect(embeddingsBody.safeParse({ model: 'm', input: ['a', 1] }).success).toBe(false)
    expect(embeddingsBody.safeParse({ model: 'm', input: [[]] }).success).toBe(false)
  })

  it('round-trips base64 as little-endian float32 and writes OpenAI lists', () => {
    const vector = [0.5, -0.25, 1, 0]
    expect(fromBase64(toBase64(vector))).toEqual(vector)
    const usage = { inputTokens: 7, outputTokens: 0 }
    const floats = toEmbeddingList([vector, [1, 2, 3, 4]], { model: 'x', encoding: 'float', usage })
    expect(JSON.parse(floats)).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: vector },
        { object: 'embedding', index: 1, embedding: [1, 2, 3, 4] },
      ],
      model: 'x',
      usage: { prompt_tokens: 7, total_tokens: 7 },
    })
    const base64 = toEmbeddingList([vector], {
      model: 'x',
      encoding: 'base64',
      usage: { ...usage, inputTokens: undefined },
    })
    expect(JSON.parse(base64).usage).toEqual({ prompt_tokens: null, total_tokens: null })
    expect(vectorsOf(base64)).toEqual([vector])
    // Out-of-order data comes back in index order.
    expect(
      vectorsOf(
        JSON.stringify({
          data: [
            { index: 1, embedding: [2] },
            { index: 0, embedding: [1] },
          ],
        }),
      ),
    ).toEqual([[1], [2]])
  })

  it('names what a translated provider cannot take', () => {
    const params = (b: Record<string, unknown>, provider: string, model: string, capabilities?: string[]) =>
      unsupportedEmbeddingParams(body(b), { provider, model, capabilities }).map((u) => u.param)
    expect(params({ dimensions: 256 }, 'google', 'text-embedding-004', ['embeddings'])).toEqual([])
    expect(params({ dimensions: 256 }, 'bedrock', 'amazon.titan-embed-text-v2:0')).toEqual([])
    expect(params({ dimensions: 300 }, 'bedrock', 'amazon.titan-embed-text-v2:0')).toEqual(['dimensions'])
    expect(params({ dimensions: 256 }, 'bedrock', 'cohere.embed-english-v3')).toEqual(['dimensions'])
    expect(params({ dimensions: 256 }, 'mistral', 'mistral-embed')).toEqual(['dimensions'])
    expect(params({ input: [1, 2] }, 'mistral', 'mistral-embed')).toEqual(['input'])
    expect(params({ user: 'u', extra: true }, 'mistral', 'mistral-embed')).toEqual(['user', 'extra'])
    expect(params({}, 'google', 'gemini-2.5-flash', ['tools'])).toEqual(['model'])
  })

  it('carries dimensions as each provider names them', () => {
    expect(embeddingProviderOptions('google', body({ dimensions: 64 }), new Set())).toEqual({
      google: { outputDimensionality: 64 },
    })
    expect(embeddingProviderOptions('vertex', body({ dimensions: 64 }), new Set())).toEqual({
      google: { outputDimensionality: 64 },
    })
    expect(embeddingProviderOptions('bedrock', body({ dimensions: 256 }), new Set())).toEqual({
      bedrock: { dimensions: 256 },
    })
    expect(embeddingProviderOptions('bedrock', body({ dimensions: 256 }), new Set(['dimensions']))).toBeUndefined()
    expect(embeddingProviderOptions('mistral', body({ dimensions: 256 }), new Set())).toBeUndefined()
    expect(embeddingProviderOptions('google', body({}), new Set())).toBeUndefined()
  })
})
