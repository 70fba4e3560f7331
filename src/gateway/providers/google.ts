import { createGoogleGenerativeAI } from '@ai-sdk/google'
import { optionalText, optionalUrl } from './env-fields.ts'
import { defineProvider, fetchOption } from './provider-module.ts'

/** Google Gemini (Generative Language API). @see https://ai.google.dev/api/generate-content */
export const google = defineProvider({
  name: 'google',
  env: { GOOGLE_GENERATIVE_AI_API_KEY: optionalText, GOOGLE_GENERATIVE_AI_BASE_URL: optionalUrl },
  settings: (env) => ({ apiKey: env.GOOGLE_GENERATIVE_AI_API_KEY, baseURL: env.GOOGLE_GENERATIVE_AI_BASE_URL }),
  isConfigured: (s) => s.apiKey !== undefined,
  createModelFactory(s, fetch) {
    const provider = createGoogleGenerativeAI({ apiKey: s.apiKey, baseURL: s.baseURL, ...fetchOption(fetch) })
    return (id) => provider.languageModel(id)
  },
  createEmbeddingFactory(s, fetch) {
    const provider = createGoogleGenerativeAI({ apiKey: s.apiKey, baseURL: s.baseURL, ...fetchOption(fetch) })
    return (id) => provider.embedding(id)
  },
  endpoint(s) {
    const baseURL = s.baseURL ?? 'https://generativelanguage.googleapis.com/v1beta'
    return {
      format: 'gemini',
      baseURL,
      chatCompletionsUrl: `${baseURL}/models/{model}:generateContent`,
      headers: { 'x-goog-api-key': s.apiKey ?? '' },
    }
  },
})
