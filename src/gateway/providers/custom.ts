import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { optionalText, optionalUrl } from './env-fields.ts'
import { bearer, defineProvider, fetchOption } from './provider-module.ts'

/** Any OpenAI-compatible server (Ollama, vLLM, LM Studio, …): the seed's `custom` provider. */
export const custom = defineProvider({
  name: 'custom',
  env: {
    OPENAI_COMPATIBLE_BASE_URL: optionalUrl,
    OPENAI_COMPATIBLE_API_KEY: optionalText,
    OPENAI_COMPATIBLE_MODEL: optionalText,
  },
  settings: (env) => ({
    baseURL: env.OPENAI_COMPATIBLE_BASE_URL,
    apiKey: env.OPENAI_COMPATIBLE_API_KEY,
    model: env.OPENAI_COMPATIBLE_MODEL,
  }),
  isConfigured: (s) => s.baseURL !== undefined,
  createModelFactory(s, fetch) {
    const provider = createOpenAICompatible({
      name: 'custom',
      baseURL: s.baseURL as string,
      apiKey: s.apiKey,
      includeUsage: true,
      supportsStructuredOutputs: true,
      ...fetchOption(fetch),
    })
    return (id) => provider.chatModel(id)
  },
  endpoint(s) {
    const baseURL = s.baseURL as string
    return {
      format: 'openai-chat',
      baseURL,
      chatCompletionsUrl: `${baseURL}/chat/completions`,
      headers: bearer(s.apiKey),
    }
  },
  defaultModel: (s) => s.model,
})
