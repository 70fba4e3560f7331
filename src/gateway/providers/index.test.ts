import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../config/env.ts'
import { createProviderRegistry, isProviderConfigured, providerEndpoint, ProviderNotConfiguredError } from './index.ts'

const ai = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...env }).ai

const ALL = {
  OPENAI_API_KEY: 'k',
  ANTHROPIC_API_KEY: 'k',
  GOOGLE_GENERATIVE_AI_API_KEY: 'k',
  GOOGLE_VERTEX_API_KEY: 'k',
  MISTRAL_API_KEY: 'k',
  AZURE_API_KEY: 'k',
  AZURE_RESOURCE_NAME: 'res',
  OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:11434/v1',
  OPENAI_COMPATIBLE_MODEL: 'llama3.1',
}

describe('provider registry', () => {
  it('configures nothing without keys', () => {
    const registry = createProviderRegistry(ai({}))
    expect(registry.configured).toEqual([])
    expect(registry.defaultProvider).toBeUndefined()
    expect(registry.defaultModel('openai')).toBeUndefined()
    expect(() => registry.languageModel('openai')).toThrow(ProviderNotConfiguredError)
  })

  it('configures nothing when AI_ENABLED=false, even with keys', () => {
    const registry = createProviderRegistry(ai({ ...ALL, AI_ENABLED: 'false' }))
    expect(registry.configured).toEqual([])
    expect(registry.isConfigured('openai')).toBe(false)
  })

  it('lists every configured provider, AI_PROVIDER first', () => {
    expect(createProviderRegistry(ai(ALL)).configured).toEqual([
      'openai',
      'anthropic',
      'google',
      'vertex',
      'mistral',
      'azure',
      'custom',
    ])
    const registry = createProviderRegistry(ai({ ...ALL, AI_PROVIDER: 'anthropic' }))
    expect(registry.configured[0]).toBe('anthropic')
    expect(registry.configured).toHaveLength(7)
    expect(registry.defaultProvider).toBe('anthropic')
    // AI_PROVIDER naming an unconfigured provider falls back to the first configured one.
    const partial = createProviderRegistry(ai({ MISTRAL_API_KEY: 'k', AI_PROVIDER: 'openai' }))
    expect(partial.configured).toEqual(['mistral'])
    expect(partial.defaultProvider).toBe('mistral')
  })

  it('needs what each provider needs', () => {
    expect(isProviderConfigured(ai({ AZURE_API_KEY: 'k' }), 'azure')).toBe(false)
    expect(
      isProviderConfigured(ai({ AZURE_API_KEY: 'k', AZURE_BASE_URL: 'http://127.0.0.1:1/openai/v1' }), 'azure'),
    ).toBe(true)
    expect(
      isProviderConfigured(ai({ GOOGLE_VERTEX_PROJECT: 'p', GOOGLE_VERTEX_LOCATION: 'europe-west4' }), 'vertex'),
    ).toBe(true)
    expect(isProviderConfigured(ai({ OPENAI_COMPATIBLE_API_KEY: 'k' }), 'custom')).toBe(false)
    expect(isProviderConfigured(ai({ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' }), 'openai')).toBe(false)
  })

  it('uses catalog defaults, AI_MODEL for the default provider (aliases resolved), and the compatible model', () => {
    const registry = createProviderRegistry(ai({ ...ALL, AI_PROVIDER: 'anthropic', AI_MODEL: 'claude-sonnet-3.5' }))
    expect(registry.defaultModel('anthropic')).toBe('claude-3-5-sonnet-20241022')
    expect(registry.defaultModel('openai')).toBe('gpt-4.1-mini')
    expect(registry.defaultModel('mistral')).toBe('mistral-medium-latest')
    expect(registry.defaultModel('custom')).toBe('llama3.1')
    const unknown = createProviderRegistry(ai({ OPENAI_API_KEY: 'k', AI_MODEL: 'gpt-9-preview' }))
    expect(unknown.defaultModel('openai')).toBe('gpt-9-preview')
  })

  it('builds AI SDK models, resolving aliases and reusing instances', () => {
    const registry = createProviderRegistry(ai(ALL))
    const sonnet = registry.languageModel('anthropic', 'claude-sonnet-4')
    expect(sonnet.modelId).toBe('claude-sonnet-4-20250514')
    expect(sonnet.provider).toMatch(/anthropic/)
    expect(registry.languageModel('anthropic', 'claude-sonnet-4-20250514')).toBe(sonnet)
    expect(registry.languageModel('openai').provider).toBe('openai.chat')
    expect(registry.languageModel('azure', 'gpt-4.1').provider).toBe('azure.chat')
    expect(registry.languageModel('google', 'gemini-2.0-flash').provider).toMatch(/google/)
    expect(registry.languageModel('vertex', 'gemini-2.5-pro').provider).toMatch(/vertex/)
    expect(registry.languageModel('mistral', 'mistral-large').modelId).toBe('mistral-large-latest')
    expect(registry.languageModel('custom').modelId).toBe('llama3.1')
    // A model of another provider's catalog passes through unchanged.
    expect(registry.languageModel('custom', 'gpt-4.1-mini').modelId).toBe('gpt-4.1-mini')
  })

  it('builds Vertex with service-account credentials when there is no API key', () => {
    const registry = createProviderRegistry(
      ai({
        GOOGLE_VERTEX_PROJECT: 'p',
        GOOGLE_VERTEX_LOCATION: 'us-central1',
        GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/key.json',
      }),
    )
    expect(registry.languageModel('vertex').modelId).toBe('gemini-2.5-flash')
  })

  it('refuses a configured provider without any model', () => {
    const registry = createProviderRegistry(ai({ OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:1/v1' }))
    expect(() => registry.languageModel('custom')).toThrow(/No model given/)
  })

  it('keeps a temperature of 0 and the token limit as defaults', () => {
    expect(createProviderRegistry(ai({ AI_TEMPERATURE: '0', AI_MAX_TOKENS: '256' })).defaults).toEqual({
      temperature: 0,
      maxOutputTokens: 256,
    })
  })

  it('describes raw endpoints with the AI SDK defaults, for a pass-through', () => {
    const registry = createProviderRegistry(ai(ALL))
    expect(registry.endpoint('openai')).toEqual({
      provider: 'openai',
      format: 'openai-chat',
      baseURL: 'https://api.openai.com/v1',
      chatCompletionsUrl: 'https://api.openai.com/v1/chat/completions',
      headers: { authorization: 'Bearer k' },
    })
    expect(registry.endpoint('azure').chatCompletionsUrl).toBe(
      'https://res.openai.azure.com/openai/v1/chat/completions?api-version=v1',
    )
    expect(registry.endpoint('azure').headers).toEqual({ 'api-key': 'k' })
    expect(registry.endpoint('custom').chatCompletionsUrl).toBe('http://127.0.0.1:11434/v1/chat/completions')
    expect(registry.endpoint('custom').headers).toEqual({})
    expect(registry.endpoint('mistral').chatCompletionsUrl).toBe('https://api.mistral.ai/v1/chat/completions')
    expect(registry.endpoint('anthropic')).toMatchObject({
      format: 'anthropic-messages',
      chatCompletionsUrl: 'https://api.anthropic.com/v1/messages',
      headers: { 'x-api-key': 'k' },
    })
    expect(registry.endpoint('google').chatCompletionsUrl).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/{model}:generateContent',
    )
    expect(registry.endpoint('vertex').baseURL).toBe('https://aiplatform.googleapis.com/v1/publishers/google')
    const oauth = ai({ GOOGLE_VERTEX_PROJECT: 'p', GOOGLE_VERTEX_LOCATION: 'europe-west4' })
    expect(providerEndpoint(oauth, 'vertex')).toMatchObject({
      baseURL:
        'https://europe-west4-aiplatform.googleapis.com/v1beta1/projects/p/locations/europe-west4/publishers/google',
      headers: {},
    })
    expect(
      providerEndpoint(ai({ GOOGLE_VERTEX_PROJECT: 'p', GOOGLE_VERTEX_LOCATION: 'global' }), 'vertex').baseURL,
    ).toMatch(/^https:\/\/aiplatform\.googleapis\.com\/v1beta1\/projects\/p\/locations\/global/)
    const azureUrl = ai({ AZURE_API_KEY: 'k', AZURE_BASE_URL: 'http://127.0.0.1:9/azure/openai/v1' })
    expect(providerEndpoint(azureUrl, 'azure').chatCompletionsUrl).toBe(
      'http://127.0.0.1:9/azure/openai/v1/chat/completions',
    )
    expect(() => createProviderRegistry(ai({})).endpoint('openai')).toThrow(ProviderNotConfiguredError)
  })
})
