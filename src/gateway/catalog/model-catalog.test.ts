import { describe, expect, it } from 'vitest'
import builtIn from './models.json' with { type: 'json' }
import {
  catalog,
  costUsd,
  createCatalog,
  defaultModel,
  modelsFor,
  parseModelRef,
  resolveModel,
} from './model-catalog.ts'

const SEED_ALIASES: Record<string, [provider: string, id: string]> = {
  'gpt-4.1-mini': ['openai', 'gpt-4.1-mini'],
  'gpt-4.1': ['openai', 'gpt-4.1'],
  'gpt-4-turbo': ['openai', 'gpt-4-turbo'],
  'gpt-3.5-turbo': ['openai', 'gpt-3.5-turbo'],
  'claude-sonnet-3.5': ['anthropic', 'claude-3-5-sonnet-20241022'],
  'claude-sonnet-3.7': ['anthropic', 'claude-3-7-sonnet-20250219'],
  'claude-sonnet-4': ['anthropic', 'claude-sonnet-4-20250514'],
  'claude-opus-4': ['anthropic', 'claude-opus-4-20250514'],
  'claude-haiku-3.5': ['anthropic', 'claude-3-5-haiku-20241022'],
  'gemini-2.0-flash': ['google', 'gemini-2.0-flash'],
  'gemini-2.0-flash-lite': ['google', 'gemini-2.0-flash-lite'],
  'gemini-2.5-pro': ['google', 'gemini-2.5-pro'],
  'gemini-2.5-flash': ['google', 'gemini-2.5-flash'],
  'gemini-1.5-pro': ['google', 'gemini-1.5-pro'],
  'mistral-large': ['mistral', 'mistral-large-latest'],
  'mistral-medium': ['mistral', 'mistral-medium-latest'],
  'mistral-small': ['mistral', 'mistral-small-latest'],
}

describe('model catalog', () => {
  it.each(Object.entries(SEED_ALIASES))('resolves the seed name %s to a real model id', (alias, [provider, id]) => {
    const model = resolveModel(alias)
    expect(model).toMatchObject({ provider, id })
    expect(model?.contextWindow).toBeGreaterThan(0)
    expect(model?.inputPricePerMillion).toBeGreaterThan(0)
    expect(model?.outputPricePerMillion).toBeGreaterThan(0)
    expect(model?.capabilities).toContain('streaming')
  })

  it('resolves provider/model, case-insensitively, and scopes aliases to the provider', () => {
    expect(resolveModel('anthropic/claude-sonnet-3.5')?.id).toBe('claude-3-5-sonnet-20241022')
    expect(resolveModel('CLAUDE-SONNET-3.5')?.id).toBe('claude-3-5-sonnet-20241022')
    expect(resolveModel('vertex/gemini-2.5-pro')).toMatchObject({ provider: 'vertex', id: 'gemini-2.5-pro' })
    expect(resolveModel('azure/gpt-4.1-mini')).toMatchObject({ provider: 'azure', id: 'gpt-4.1-mini' })
    expect(resolveModel('openai/claude-sonnet-4')).toBeUndefined()
    expect(resolveModel('no-such-model')).toBeUndefined()
  })

  it('parses references to models outside the catalog', () => {
    expect(parseModelRef('custom/llama3.1:8b')).toEqual({ provider: 'custom', model: 'llama3.1:8b', info: undefined })
    expect(parseModelRef('openai/gpt-9')).toEqual({ provider: 'openai', model: 'gpt-9', info: undefined })
    expect(parseModelRef('meta-llama/Llama-3')).toEqual({
      provider: undefined,
      model: 'meta-llama/Llama-3',
      info: undefined,
    })
    expect(parseModelRef(' mistral-large ')).toMatchObject({ provider: 'mistral', model: 'mistral-large-latest' })
  })

  it('lists models per provider and names a default for each', () => {
    for (const provider of ['openai', 'anthropic', 'google', 'vertex', 'mistral', 'azure', 'bedrock']) {
      expect(modelsFor(provider).length).toBeGreaterThan(0)
      expect(modelsFor(provider).every((m) => m.provider === provider)).toBe(true)
      expect(defaultModel(provider)?.provider).toBe(provider)
    }
    expect(modelsFor('custom')).toEqual([])
    expect(defaultModel('custom')).toBeUndefined()
    expect(catalog.models.length).toBe(
      modelsFor('openai').length * 2 +
        modelsFor('anthropic').length +
        modelsFor('google').length * 2 +
        modelsFor('mistral').length +
        modelsFor('bedrock').length,
    )
    expect(costUsd('amazon.nova-lite-v1:0', { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBeCloseTo(0.3, 12)
  })

  it('prices usage from list prices per million tokens', () => {
    expect(costUsd('gpt-4.1-mini', { inputTokens: 1_000, outputTokens: 500 })).toBeCloseTo(0.0012, 12)
    expect(costUsd('claude-opus-4', { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBe(90)
    expect(costUsd(resolveModel('gemini-2.0-flash'), { inputTokens: 0, outputTokens: 0 })).toBe(0)
  })

  it('never treats an unknown token count or model as zero', () => {
    expect(costUsd('gpt-4.1', { inputTokens: undefined, outputTokens: 10 })).toBeUndefined()
    expect(costUsd('gpt-4.1', { inputTokens: 10, outputTokens: undefined })).toBeUndefined()
    expect(costUsd('gpt-4.1', { inputTokens: Number.NaN, outputTokens: 10 })).toBeUndefined()
    expect(costUsd('custom/llama3', { inputTokens: 10, outputTokens: 10 })).toBeUndefined()
    expect(costUsd(undefined, { inputTokens: 10, outputTokens: 10 })).toBeUndefined()
  })

  it('validates the catalog file at load', () => {
    const model = builtIn.models[0] as (typeof builtIn.models)[number]
    expect(() => createCatalog({ ...builtIn, models: [{ ...model, inputPricePerMillion: -1 }] })).toThrow(
      /inputPricePerMillion/,
    )
    expect(() =>
      createCatalog({ ...builtIn, models: [model, { ...model, id: 'other', aliases: [model.id] }] }),
    ).toThrow(/already names/)
    expect(() => createCatalog({ ...builtIn, defaults: { openai: 'gpt-0' } })).toThrow(/default model "gpt-0"/)
    expect(() => createCatalog({ ...builtIn, models: [{ ...model, providers: ['nobody'] }] })).toThrow(
      /Invalid model catalog/,
    )
    expect(createCatalog({ defaults: {}, models: [model] }).models).toHaveLength(model.providers.length)
  })
})
