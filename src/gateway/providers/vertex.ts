import { createVertex } from '@ai-sdk/google-vertex'
import { optionalText, optionalUrl } from './env-fields.ts'
import { defineProvider, fetchOption, header } from './provider-module.ts'

/** Google Vertex AI: express mode (API key) or a project with application-default or file credentials. */
export const vertex = defineProvider({
  name: 'vertex',
  env: {
    GOOGLE_VERTEX_PROJECT: optionalText,
    GOOGLE_VERTEX_LOCATION: optionalText,
    GOOGLE_APPLICATION_CREDENTIALS: optionalText,
    GOOGLE_VERTEX_API_KEY: optionalText,
    GOOGLE_VERTEX_BASE_URL: optionalUrl,
  },
  settings: (env) => ({
    project: env.GOOGLE_VERTEX_PROJECT,
    location: env.GOOGLE_VERTEX_LOCATION,
    credentialsFile: env.GOOGLE_APPLICATION_CREDENTIALS,
    apiKey: env.GOOGLE_VERTEX_API_KEY,
    baseURL: env.GOOGLE_VERTEX_BASE_URL,
  }),
  isConfigured: (s) => s.apiKey !== undefined || s.project !== undefined,
  createModelFactory(s, fetch) {
    const provider = createVertex({
      project: s.project,
      location: s.location,
      baseURL: s.baseURL,
      ...(s.apiKey !== undefined ? { apiKey: s.apiKey } : {}),
      ...(s.apiKey === undefined && s.credentialsFile !== undefined
        ? { googleAuthOptions: { keyFile: s.credentialsFile } }
        : {}),
      ...fetchOption(fetch),
    })
    return (id) => provider.languageModel(id)
  },
  endpoint(s) {
    const location = s.location ?? 'us-central1'
    const host = `${location === 'global' ? '' : `${location}-`}aiplatform.googleapis.com`
    const baseURL =
      s.baseURL ??
      (s.apiKey
        ? 'https://aiplatform.googleapis.com/v1/publishers/google'
        : `https://${host}/v1beta1/projects/${s.project}/locations/${location}/publishers/google`)
    // Without an API key Vertex needs an OAuth token: use `languageModel`, which fetches one.
    return {
      format: 'gemini',
      baseURL,
      chatCompletionsUrl: `${baseURL}/models/{model}:generateContent`,
      headers: header('x-goog-api-key', s.apiKey),
    }
  },
})
