import type { EmbeddingModelV3, LanguageModelV3 } from '@ai-sdk/provider'
import type { AiUsage, ModelInfo } from './types.ts'

/** What the gateway needs from the provider registry (`gateway/providers`). */
export type GatewayProviders = {
  /** Configured providers, `AI_PROVIDER` first. */
  names: readonly string[]
  defaultModel(provider: string): string | undefined
  languageModel(provider: string, model: string): LanguageModelV3
  /** The AI SDK embedding model (`/v1/embeddings` to providers that are not OpenAI-format); undefined: none. */
  embeddingModel?(provider: string, model: string): EmbeddingModelV3 | undefined
}

/** What the gateway needs from the catalog (`gateway/catalog`). */
export type GatewayCatalog = {
  resolveModel(name: string): { provider: string; model: string } | undefined
  costUsd(provider: string, model: string, usage: AiUsage): number | undefined
  models(): ModelInfo[]
}
