import { createOpenAI } from '@ai-sdk/openai'
import { optionalText, optionalUrl } from './env-fields.ts'
import { bearer, defineProvider, fetchOption } from './provider-module.ts'

/** OpenAI. @see https://platform.openai.com/docs/api-reference/chat */
export const openai = defineProvider({
  name: 'openai',
  env: { OPENAI_API_KEY: optionalText, OPENAI_BASE_URL: optionalUrl },
  settings: (env) => ({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL }),
  isConfigured: (s) => s.apiKey !== undefined,
  createModelFactory(s, fetch) {
    const provider = createOpenAI({ apiKey: s.apiKey, baseURL: s.baseURL, ...fetchOption(fetch) })
    // Chat Completions: the format every OpenAI-compatible upstream and our simulator speak.
    return (id) => provider.chat(id)
  },
  endpoint(s) {
    const baseURL = s.baseURL ?? 'https://api.openai.com/v1'
    return {
      format: 'openai-chat',
      baseURL,
      chatCompletionsUrl: `${baseURL}/chat/completions`,
      headers: bearer(s.apiKey),
    }
  },
})
