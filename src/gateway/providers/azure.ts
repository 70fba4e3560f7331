import { createAzure } from '@ai-sdk/azure'
import { optionalText, optionalUrl } from './env-fields.ts'
import { defineProvider, fetchOption, header } from './provider-module.ts'

/** Azure OpenAI: the model id is the deployment name; `api-key` header instead of a bearer token. */
export const azure = defineProvider({
  name: 'azure',
  env: { AZURE_API_KEY: optionalText, AZURE_RESOURCE_NAME: optionalText, AZURE_BASE_URL: optionalUrl },
  settings: (env) => ({
    apiKey: env.AZURE_API_KEY,
    resourceName: env.AZURE_RESOURCE_NAME,
    baseURL: env.AZURE_BASE_URL,
  }),
  isConfigured: (s) => s.apiKey !== undefined && (s.resourceName !== undefined || s.baseURL !== undefined),
  createModelFactory(s, fetch) {
    const provider = createAzure({
      apiKey: s.apiKey,
      resourceName: s.resourceName,
      baseURL: s.baseURL,
      ...fetchOption(fetch),
    })
    return (id) => provider.chat(id)
  },
  endpoint(s) {
    // Same rule as @ai-sdk/azure: the resource's /openai/v1 API with api-version=v1, or a given base URL as is.
    const baseURL = s.baseURL ?? `https://${s.resourceName}.openai.azure.com/openai/v1`
    const url = s.baseURL ? `${baseURL}/chat/completions` : `${baseURL}/chat/completions?api-version=v1`
    return { format: 'openai-chat', baseURL, chatCompletionsUrl: url, headers: header('api-key', s.apiKey) }
  },
})
