import { createAnthropic } from '@ai-sdk/anthropic'
import { createAzure } from '@ai-sdk/azure'
import { createGoogleGenerativeAI } from '@ai-sdk/google'
import { createVertex } from '@ai-sdk/google-vertex'
import { createMistral } from '@ai-sdk/mistral'
import { createOpenAI } from '@ai-sdk/openai'
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import type { LanguageModelV3 } from '@ai-sdk/provider'
import { AI_PROVIDERS, type AiProviderName, type Config } from '../../config/env.ts'
import { OptimaliqError } from '../../errors.ts'
import { catalog as builtInCatalog, type Catalog } from '../catalog/model-catalog.ts'

/**
 * AI SDK providers built from Config: one per configured provider, each with its key and base
 * URL. No wire code here — the `@ai-sdk/*` packages speak the protocols.
 */

export type ProviderName = AiProviderName
export type AiConfig = Config['ai']
export type FetchFunction = typeof globalThis.fetch

export type ProviderRegistry = {
  /** Configured providers, `AI_PROVIDER` first, then in AI_PROVIDERS order. Empty when `AI_ENABLED=false`. */
  configured: ProviderName[]
  /** `AI_PROVIDER` when configured, else the first configured provider; undefined when none. */
  defaultProvider: ProviderName | undefined
  isConfigured(provider: string): provider is ProviderName
  /** A language model; `modelId` may be a catalog alias of this provider (default: the provider's default model). */
  languageModel(provider: string, modelId?: string): LanguageModelV3
  /** The provider's default model id (`AI_MODEL` for the default provider), or undefined if unknown. */
  defaultModel(provider: string): string | undefined
  /** Generation defaults from `AI_MAX_TOKENS` / `AI_TEMPERATURE` (0 stays 0). */
  defaults: { maxOutputTokens: number; temperature: number }
  /**
   * The raw endpoint of a configured provider, for a pass-through that skips translation (the
   * `/v1` path to an OpenAI-format upstream). Everything else should go through `languageModel`.
   */
  endpoint(provider: string): ProviderEndpoint
}

/** Where a provider's API lives and how to authenticate to it. */
export type ProviderEndpoint = {
  provider: ProviderName
  /** `openai-chat`: POST `chatCompletionsUrl` with an OpenAI chat-completions body (OpenAI, Azure, OpenAI-compatible, Mistral). */
  format: 'openai-chat' | 'anthropic-messages' | 'gemini'
  baseURL: string
  /** Full URL of the chat endpoint (for Gemini: the `generateContent` URL template with `{model}`). */
  chatCompletionsUrl: string
  headers: Record<string, string>
}

export type ProviderRegistryOptions = {
  /** A custom fetch for every provider (e.g. an undici Pool-backed one). */
  fetch?: FetchFunction
  catalog?: Catalog
}

/** Thrown when a caller asks for a provider that is not configured. */
export class ProviderNotConfiguredError extends OptimaliqError {
  readonly provider: string
  constructor(provider: string) {
    super('provider_not_configured', `AI provider "${provider}" is not configured.`, {
      status: 503,
      details: { provider },
    })
    this.provider = provider
  }
}

type ModelFactory = (modelId: string) => LanguageModelV3

/** Whether Config carries enough for this provider to be called. */
export function isProviderConfigured(ai: AiConfig, provider: ProviderName): boolean {
  const p = ai.providers
  switch (provider) {
    case 'openai':
      return p.openai.apiKey !== undefined
    case 'anthropic':
      return p.anthropic.apiKey !== undefined
    case 'google':
      return p.google.apiKey !== undefined
    case 'vertex':
      // Express mode (API key) or a project with application default / file credentials.
      return p.vertex.apiKey !== undefined || p.vertex.project !== undefined
    case 'mistral':
      return p.mistral.apiKey !== undefined
    case 'azure':
      return p.azure.apiKey !== undefined && (p.azure.resourceName !== undefined || p.azure.baseURL !== undefined)
    case 'custom':
      return p.custom.baseURL !== undefined
  }
}

function buildFactory(ai: AiConfig, provider: ProviderName, fetch: FetchFunction | undefined): ModelFactory {
  const p = ai.providers
  const f = fetch ? { fetch } : {}
  switch (provider) {
    case 'openai': {
      const openai = createOpenAI({ apiKey: p.openai.apiKey, baseURL: p.openai.baseURL, ...f })
      // Chat Completions: the format every OpenAI-compatible upstream and our simulator speak.
      return (id) => openai.chat(id)
    }
    case 'anthropic': {
      const anthropic = createAnthropic({ apiKey: p.anthropic.apiKey, baseURL: p.anthropic.baseURL, ...f })
      return (id) => anthropic.languageModel(id)
    }
    case 'google': {
      const google = createGoogleGenerativeAI({ apiKey: p.google.apiKey, baseURL: p.google.baseURL, ...f })
      return (id) => google.languageModel(id)
    }
    case 'vertex': {
      const v = p.vertex
      const vertex = createVertex({
        project: v.project,
        location: v.location,
        baseURL: v.baseURL,
        ...(v.apiKey !== undefined ? { apiKey: v.apiKey } : {}),
        ...(v.apiKey === undefined && v.credentialsFile !== undefined
          ? { googleAuthOptions: { keyFile: v.credentialsFile } }
          : {}),
        ...f,
      })
      return (id) => vertex.languageModel(id)
    }
    case 'mistral': {
      const mistral = createMistral({ apiKey: p.mistral.apiKey, baseURL: p.mistral.baseURL, ...f })
      return (id) => mistral.languageModel(id)
    }
    case 'azure': {
      const azure = createAzure({
        apiKey: p.azure.apiKey,
        resourceName: p.azure.resourceName,
        baseURL: p.azure.baseURL,
        ...f,
      })
      // The model id is the deployment name.
      return (id) => azure.chat(id)
    }
    case 'custom': {
      const custom = createOpenAICompatible({
        name: 'custom',
        baseURL: p.custom.baseURL as string,
        apiKey: p.custom.apiKey,
        includeUsage: true,
        supportsStructuredOutputs: true,
        ...f,
      })
      return (id) => custom.chatModel(id)
    }
  }
}

/** The raw endpoint of a provider, with the same defaults the AI SDK providers use. */
export function providerEndpoint(ai: AiConfig, provider: ProviderName): ProviderEndpoint {
  const p = ai.providers
  const bearer = (key: string | undefined): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {})
  switch (provider) {
    case 'openai': {
      const baseURL = p.openai.baseURL ?? 'https://api.openai.com/v1'
      return {
        provider,
        format: 'openai-chat',
        baseURL,
        chatCompletionsUrl: `${baseURL}/chat/completions`,
        headers: bearer(p.openai.apiKey),
      }
    }
    case 'azure': {
      // Same rule as @ai-sdk/azure: the resource's /openai/v1 API with api-version=v1, or a given base URL as is.
      const baseURL = p.azure.baseURL ?? `https://${p.azure.resourceName}.openai.azure.com/openai/v1`
      const url = p.azure.baseURL ? `${baseURL}/chat/completions` : `${baseURL}/chat/completions?api-version=v1`
      return {
        provider,
        format: 'openai-chat',
        baseURL,
        chatCompletionsUrl: url,
        headers: p.azure.apiKey ? { 'api-key': p.azure.apiKey } : {},
      }
    }
    case 'custom': {
      const baseURL = p.custom.baseURL as string
      return {
        provider,
        format: 'openai-chat',
        baseURL,
        chatCompletionsUrl: `${baseURL}/chat/completions`,
        headers: bearer(p.custom.apiKey),
      }
    }
    case 'mistral': {
      const baseURL = p.mistral.baseURL ?? 'https://api.mistral.ai/v1'
      return {
        provider,
        format: 'openai-chat',
        baseURL,
        chatCompletionsUrl: `${baseURL}/chat/completions`,
        headers: bearer(p.mistral.apiKey),
      }
    }
    case 'anthropic': {
      const baseURL = p.anthropic.baseURL ?? 'https://api.anthropic.com/v1'
      return {
        provider,
        format: 'anthropic-messages',
        baseURL,
        chatCompletionsUrl: `${baseURL}/messages`,
        headers: { 'x-api-key': p.anthropic.apiKey ?? '', 'anthropic-version': '2023-06-01' },
      }
    }
    case 'google': {
      const baseURL = p.google.baseURL ?? 'https://generativelanguage.googleapis.com/v1beta'
      return {
        provider,
        format: 'gemini',
        baseURL,
        chatCompletionsUrl: `${baseURL}/models/{model}:generateContent`,
        headers: { 'x-goog-api-key': p.google.apiKey ?? '' },
      }
    }
    case 'vertex': {
      const v = p.vertex
      const location = v.location ?? 'us-central1'
      const baseURL =
        v.baseURL ??
        (v.apiKey
          ? 'https://aiplatform.googleapis.com/v1/publishers/google'
          : `https://${location === 'global' ? '' : `${location}-`}aiplatform.googleapis.com/v1beta1/projects/${v.project}/locations/${location}/publishers/google`)
      // Without an API key Vertex needs an OAuth token: use `languageModel`, which fetches one.
      return {
        provider,
        format: 'gemini',
        baseURL,
        chatCompletionsUrl: `${baseURL}/models/{model}:generateContent`,
        headers: v.apiKey ? { 'x-goog-api-key': v.apiKey } : {},
      }
    }
  }
}

/** Build the provider registry from Config. Nothing is configured when `AI_ENABLED=false`. */
export function createProviderRegistry(ai: AiConfig, options: ProviderRegistryOptions = {}): ProviderRegistry {
  const catalog = options.catalog ?? builtInCatalog
  const available = ai.enabled ? AI_PROVIDERS.filter((p) => isProviderConfigured(ai, p)) : []
  const configured =
    ai.provider !== undefined && available.includes(ai.provider)
      ? [ai.provider, ...available.filter((p) => p !== ai.provider)]
      : [...available]
  const defaultProvider = configured[0]
  const factories = new Map<ProviderName, ModelFactory>()
  const models = new Map<string, LanguageModelV3>()

  const isConfigured = (provider: string): provider is ProviderName => (configured as string[]).includes(provider)

  function resolveId(provider: ProviderName, modelId: string): string {
    const ref = catalog.parseModelRef(modelId.includes('/') ? modelId : `${provider}/${modelId}`)
    if (ref.provider !== undefined && ref.provider !== provider) return modelId
    return ref.model
  }

  function defaultModel(provider: string): string | undefined {
    if (!isConfigured(provider)) return undefined
    if (provider === defaultProvider && ai.model !== undefined) return resolveId(provider, ai.model)
    if (provider === 'custom') return ai.providers.custom.model
    return catalog.defaultModel(provider)?.id
  }

  function languageModel(provider: string, modelId?: string): LanguageModelV3 {
    if (!isConfigured(provider)) throw new ProviderNotConfiguredError(provider)
    const wanted = modelId ?? defaultModel(provider)
    if (wanted === undefined) {
      throw new OptimaliqError(
        'model_not_configured',
        `No model given and no default model for provider "${provider}".`,
        { status: 503, details: { provider } },
      )
    }
    const id = resolveId(provider, wanted)
    const key = `${provider}/${id}`
    let model = models.get(key)
    if (!model) {
      let factory = factories.get(provider)
      if (!factory) {
        factory = buildFactory(ai, provider, options.fetch)
        factories.set(provider, factory)
      }
      model = factory(id)
      models.set(key, model)
    }
    return model
  }

  return {
    configured,
    defaultProvider,
    isConfigured,
    languageModel,
    defaultModel,
    defaults: { maxOutputTokens: ai.maxTokens, temperature: ai.temperature },
    endpoint(provider) {
      if (!isConfigured(provider)) throw new ProviderNotConfiguredError(provider)
      return providerEndpoint(ai, provider)
    },
  }
}
