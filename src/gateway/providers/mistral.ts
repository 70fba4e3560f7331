import { createMistral } from '@ai-sdk/mistral'
import { optionalText, optionalUrl } from './env-fields.ts'
import { bearer, defineProvider, fetchOption } from './provider-module.ts'

/** Mistral: its chat API is OpenAI-shaped, so a pass-through can call it directly. */
export const mistral = defineProvider({
  name: 'mistral',
  env: { MISTRAL_API_KEY: optionalText, MISTRAL_BASE_URL: optionalUrl },
  settings: (env) => ({ apiKey: env.MISTRAL_API_KEY, baseURL: env.MISTRAL_BASE_URL }),
  isConfigured: (s) => s.apiKey !== undefined,
  createModelFactory(s, fetch) {
    const provider = createMistral({ apiKey: s.apiKey, baseURL: s.baseURL, ...fetchOption(fetch) })
    return (id) => provider.languageModel(id)
  },
  createEmbeddingFactory(s, fetch) {
    const provider = createMistral({ apiKey: s.apiKey, baseURL: s.baseURL, ...fetchOption(fetch) })
    return (id) => provider.embedding(id)
  },
  endpoint(s) {
    const baseURL = s.baseURL ?? 'https://api.mistral.ai/v1'
    return {
      format: 'openai-chat',
      baseURL,
      chatCompletionsUrl: `${baseURL}/chat/completions`,
      headers: bearer(s.apiKey),
    }
  },
})
