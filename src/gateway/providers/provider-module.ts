import type { EmbeddingModelV3, LanguageModelV3 } from '@ai-sdk/provider'
import type { z } from 'zod'
import type { ProviderName } from '../provider-names.ts'

export type FetchFunction = typeof globalThis.fetch
export type ModelFactory = (modelId: string) => LanguageModelV3
export type EmbeddingModelFactory = (modelId: string) => EmbeddingModelV3

/** Where a provider's API lives and how to authenticate to it. */
export type ProviderEndpoint = {
  provider: ProviderName
  /** `openai-chat`: POST `chatCompletionsUrl` with an OpenAI chat-completions body (OpenAI, Azure, OpenAI-compatible, Mistral). */
  format: 'openai-chat' | 'anthropic-messages' | 'gemini' | 'bedrock-converse'
  baseURL: string
  /** Full URL of the chat endpoint (for Gemini: the `generateContent` URL template with `{model}`). */
  chatCompletionsUrl: string
  headers: Record<string, string>
}

/**
 * Everything one provider needs, in one file (`gateway/providers/<name>.ts`): its part of the env
 * schema, the settings read from it, when it counts as configured, the AI SDK factory, and the raw
 * endpoint a pass-through may call. Adding a provider is adding a file and listing it in `index.ts`.
 */
export type ProviderModule<Name extends ProviderName, Env extends z.ZodRawShape, Settings> = {
  name: Name
  /** The env variables this provider reads (the SDK's usual names), merged into `config/env.ts`'s schema. */
  env: Env
  settings(env: { [K in keyof Env]: z.output<Env[K]> }): Settings
  isConfigured(settings: Settings): boolean
  /** The AI SDK provider for these settings; `fetch` replaces the SDK's fetch (tests, pooled clients). */
  createModelFactory(settings: Settings, fetch: FetchFunction | undefined): ModelFactory
  /** The AI SDK's embedding models, for providers `/v1/embeddings` translates to (OpenAI-format ones are passed through). */
  createEmbeddingFactory?(settings: Settings, fetch: FetchFunction | undefined): EmbeddingModelFactory
  endpoint(settings: Settings): Omit<ProviderEndpoint, 'provider'>
  /** The model to use when neither the call nor `AI_MODEL` names one (otherwise the catalog's default). */
  defaultModel?(settings: Settings): string | undefined
}

/** Identity with inference: `defineProvider({ … })` keeps each module's env and settings types. */
export function defineProvider<Name extends ProviderName, Env extends z.ZodRawShape, Settings>(
  module: ProviderModule<Name, Env, Settings>,
): ProviderModule<Name, Env, Settings> {
  return module
}

/** `fetch` as the AI SDK providers take it: only when given. */
export const fetchOption = (fetch: FetchFunction | undefined) => (fetch ? { fetch } : {})

export const bearer = (key: string | undefined): Record<string, string> =>
  header('authorization', key && `Bearer ${key}`)

/** One header when its value is set, else none. */
export const header = (name: string, value: string | undefined): Record<string, string> =>
  value ? { [name]: value } : {}
