import { describe, expect, it } from 'vitest'
import { embeddingAnswer, hashedEmbedding, nativeDimensions } from './embeddings.ts'

const cosine = (a: number[], b: number[]) => a.reduce((n, x, i) => n + x * (b[i] as number), 0)

describe('simulated embeddings', () => {
  it('are deterministic unit vectors, near for similar texts', () => {
    const a = hashedEmbedding('How do I grow my bakery?', 256)
    expect(hashedEmbedding('How do I grow my bakery?', 256)).toEqual(a)
    expect(cosine(a, a)).toBeCloseTo(1, 4)
    const near = cosine(a, hashedEmbedding('how can I grow my bakery', 256))
    const far = cosine(a, hashedEmbedding('quarterly VAT filing rules', 256))
    expect(near).toBeGreaterThan(0.6)
    expect(far).toBeLessThan(0.3)
    expect(hashedEmbedding('!!!', 8)).toHaveLength(8)
  })

  it('know each model size and refuse what the provider would', () => {
    expect(nativeDimensions('text-embedding-3-large')).toBe(3072)
    expect(nativeDimensions('amazon.titan-embed-text-v2:0')).toBe(1024)
    expect(nativeDimensions('other')).toBe(1536)
    expect(() => embeddingAnswer('openai', { model: 'text-embedding-ada-002', input: 'x', dimensions: 8 }, {})).toThrow(
      /dimensions/,
    )
    expect(() => embeddingAnswer('openai', { input: 'x' }, {})).toThrow(/model/)
    expect(() => embeddingAnswer('openai', { model: 'm', input: '' }, {})).toThrow(/input/)
    expect(() => embeddingAnswer('openai', { model: 'm', input: [] }, {})).toThrow(/input/)
    expect(() => embeddingAnswer('openai', { model: 'm', input: 'x', encoding_format: 'hex' }, {})).toThrow(/encoding/)
    expect(() => embeddingAnswer('mistral', { model: 'mistral-embed', input: 'x', dimensions: 8 }, {})).toThrow()
    expect(() =>
      embeddingAnswer('gemini', { content: { parts: [{ text: '' }] } }, { model: 'text-embedding-004' }),
    ).toThrow()
    expect(() => embeddingAnswer('gemini', {}, { model: 'text-embedding-004', batch: true })).toThrow(/requests/)
    expect(() => embeddingAnswer('bedrock', { inputText: 'x' }, { model: 'cohere.embed-v4' })).toThrow(/Titan/)
    expect(() =>
      embeddingAnswer('bedrock', { inputText: 'x', dimensions: 300 }, { model: 'amazon.titan-embed-text-v2:0' }),
    ).toThrow()
  })

  it('answer each format', () => {
    const openai = embeddingAnswer(
      'openai',
      { model: 'text-embedding-3-small', input: [[1, 2], [3]], dimensions: 4 },
      {},
    )
    expect(openai.json).toMatchObject({
      object: 'list',
      data: [{ index: 0 }, { index: 1 }],
      usage: { prompt_tokens: 3 },
    })
    const gemini = embeddingAnswer(
      'gemini',
      { requests: [{ content: { parts: [{ text: 'a' }] }, outputDimensionality: 16 }] },
      { model: 'text-embedding-004', batch: true },
    )
    expect((gemini.json as { embeddings: Array<{ values: number[] }> }).embeddings[0]!.values).toHaveLength(16)
    const bedrock = embeddingAnswer('bedrock', { inputText: 'hello there' }, { model: 'amazon.titan-embed-text-v2:0' })
    expect(bedrock.json).toMatchObject({ inputTextTokenCount: 3 })
    expect(bedrock.headers).toEqual({ 'x-amzn-bedrock-input-token-count': '3' })
  })
})
