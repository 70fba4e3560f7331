import type { z } from 'zod'
import { OptimaliqError } from '../../errors.ts'
import { catalog as builtInCatalog, type Catalog } from '../catalog/model-catalog.ts'
import type { GatewayConfig } from '../config.ts'
import { AI_PROVIDERS, type ProviderName } from '../provider-names.ts'
import { anthropic } from './anthropic.ts'
import { azure } from './azure.ts'
import { bedrock } from './bedrock.ts'
import { custom } from './custom.ts'
import { google } from './google.ts'
import { mistral } from './mistral.ts'
import { openai } from './openai.ts'
import type {
  EmbeddingModelFactory,
  FetchFunction,
  ModelFactory,
  ProviderEndpoint,
  ProviderModule,
} from './provider-module.ts'
import { vertex } from './vertex.ts'
import type { EmbeddingModelV3, LanguageModelV3 } from '@ai-sdk/provider'

export type { FetchFunction, ProviderEndpoint, ProviderName }
/**
 * AI SDK providers built from Config: one per configured provider, each with its key and base
 * URL. No wire code here — the `@ai-sdk/*` packages speak the protocols.
 */

export type AiConfig = GatewayConfig

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
  /** An embedding model of a provider the AI SDK translates embeddings for; undefined when the provider has none. */
  embeddingModel(provider: string, modelId: string): EmbeddingModelV3 | undefined
  /** Generation defaults from `AI_MAX_TOKENS` / `AI_TEMPERATURE` (0 stays 0). */
  defaults: { maxOutputTokens: number; temperature: number }
  /**
   * The raw endpoint of a configured provider, for a pass-through that skips translation (the
   * `/v1` path to an OpenAI-format upstream). Everything else should go through `languageModel`.
   */
  endpoint(provider: string): ProviderEndpoint
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

/** Every provider module, in the order of `AI_PROVIDERS`. */
export const PROVIDER_MODULES = { openai, anthropic, google, vertex, mistral, azure, bedrock, custom }

/** Each provider's settings, as read from the environment by its module. */
export type ProviderSettings = { [K in ProviderName]: ReturnType<(typeof PROVIDER_MODULES)[K]['settings']> }

/** The env variables of every provider, merged into `config/env.ts`'s schema. */
export const PROVIDER_ENV = {
  ...openai.env,
  ...anthropic.env,
  ...google.env,
  ...vertex.env,
  ...mistral.env,
  ...azure.env,
  ...bedrock.env,
  ...custom.env,
}
type ProviderEnv = { [K in keyof typeof PROVIDER_ENV]: z.output<(typeof PROVIDER_ENV)[K]> }

/** Every provider's settings from a parsed environment. */
export function readProviderSettings(env: ProviderEnv): ProviderSettings {
  return {
    openai: openai.settings(env),
    anthropic: anthropic.settings(env),
    google: google.settings(env),
    vertex: vertex.settings(env),
    mistral: mistral.settings(env),
    azure: azure.settings(env),
    bedrock: bedrock.settings(env),
    custom: custom.settings(env),
  }
}

// One place where the modules' distinct setting types meet: each call passes a module its own settings.
type AnyModule = ProviderModule<ProviderName, z.ZodRawShape, unknown>
const moduleOf = (provider: ProviderName) => PROVIDER_MODULES[provider] as unknown as AnyModule

/** Whether Config carries enough for this provider to be called. */
export function isProviderConfigured(ai: AiConfig, provider: ProviderName): boolean {
  return moduleOf(provider).isConfigured(ai.providers[provider])
}

/** The raw endpoint of a provider, with the same defaults the AI SDK providers use. */
export function providerEndpoint(ai: AiConfig, provider: ProviderName): ProviderEndpoint {
  return { provider, ...moduleOf(provider).endpoint(ai.providers[provider]) }
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
  const embeddingFactories = new Map<ProviderName, EmbeddingModelFactory | undefined>()
  const embeddingModels = new Map<string, EmbeddingModelV3>()

  const isConfigured = (provider: string): provider is ProviderName => (configured as string[]).includes(provider)

  function resolveId(provider: ProviderName, modelId: string): string {
    const ref = catalog.parseModelRef(modelId.includes('/') ? modelId : `${provider}/${modelId}`)
    if (ref.provider !== undefined && ref.provider !== provider) return modelId
    return ref.model
  }

  function defaultModel(provider: string): string | undefined {
    if (!isConfigured(provider)) return undefined
    if (provider === defaultProvider && ai.model !== undefined) return resolveId(provider, ai.model)
    return moduleOf(provider).defaultModel?.(ai.providers[provider]) ?? catalog.defaultModel(provider)?.id
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
        factory = moduleOf(provider).createModelFactory(ai.providers[provider], options.fetch)
        factories.set(provider, factory)
      }
      model = factory(id)
      models.set(key, model)
    }
    return model
  }

  function embeddingModel(provider: string, modelId: string): EmbeddingModelV3 | undefined {
    if (!isConfigured(provider)) throw new ProviderNotConfiguredError(provider)
    const id = resolveId(provider, modelId)
    const key = `${provider}/${id}`
    let model = embeddingModels.get(key)
    if (!model) {
      if (!embeddingFactories.has(provider))
        embeddingFactories.set(
          provider,
          moduleOf(provider).createEmbeddingFactory?.(ai.providers[provider], options.fetch),
        )
      const factory = embeddingFactories.get(provider)
      if (!factory) return undefined
      model = factory(id)
      embeddingModels.set(key, model)
    }
    return model
  }

  return {
    configured,
    defaultProvider,
    isConfigured,
    languageModel,
    embeddingModel,
    defaultModel,
    defaults: { maxOutputTokens: ai.maxTokens, temperature: ai.temperature },
    endpoint(provider) {
      if (!isConfigured(provider)) throw new ProviderNotConfiguredError(provider)
      return providerEndpoint(ai, provider)
    },
  }
}
