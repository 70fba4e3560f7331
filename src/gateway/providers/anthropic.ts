import { createAnthropic } from '@ai-sdk/anthropic'
import { optionalText, optionalUrl } from './env-fields.ts'
import { defineProvider, fetchOption } from './provider-module.ts'

/** Anthropic Messages API. @see https://docs.anthropic.com/en/api/messages */
export const anthropic = defineProvider({
  name: 'anthropic',
  env: { ANTHROPIC_API_KEY: optionalText, ANTHROPIC_BASE_URL: optionalUrl },
  settings: (env) => ({ apiKey: env.ANTHROPIC_API_KEY, baseURL: env.ANTHROPIC_BASE_URL }),
  isConfigured: (s) => s.apiKey !== undefined,
  createModelFactory(s, fetch) {
    const provider = createAnthropic({ apiKey: s.apiKey, baseURL: s.baseURL, ...fetchOption(fetch) })
    return (id) => provider.languageModel(id)
  },
  endpoint(s) {
    const baseURL = s.baseURL ?? 'https://api.anthropic.com/v1'
    return {
      format: 'anthropic-messages',
      baseURL,
      chatCompletionsUrl: `${baseURL}/messages`,
      headers: { 'x-api-key': s.apiKey ?? '', 'anthropic-version': '2023-06-01' },
    }
  },
})
