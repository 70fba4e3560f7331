import type { ProviderName as AiProviderName } from '../gateway/provider-names.ts'

/**
 * Where each provider format lives on one simulator, and the OptimaliQ environment variables that
 * point the gateway's providers at it.
 */

export const SIMULATED_PROVIDERS = [
  'openai',
  'anthropic',
  'google',
  'vertex',
  'mistral',
  'azure',
  'bedrock',
  'custom',
] as const satisfies readonly AiProviderName[]
export type SimulatedProvider = (typeof SIMULATED_PROVIDERS)[number]

/** The model the simulator advertises for the OpenAI-compatible (`custom`) provider. */
export const SIM_CUSTOM_MODEL = 'sim-llama-3.1-8b'

/** Base URLs in the form each AI SDK provider's `baseURL` option expects. */
export function simulatorBaseUrls(url: string): Record<SimulatedProvider, string> {
  const root = url.replace(/\/$/, '')
  return {
    openai: `${root}/openai/v1`,
    anthropic: `${root}/anthropic/v1`,
    google: `${root}/google/v1beta`,
    vertex: `${root}/vertex/v1/projects/simulator/locations/us-central1/publishers/google`,
    mistral: `${root}/mistral/v1`,
    azure: `${root}/azure/openai/v1`,
    custom: `${root}/custom/v1`,
    bedrock: `${root}/bedrock`,
  }
}

/** Environment variables (names from `config/env.ts`) that configure these providers against the simulator. */
export function simulatorEnv(
  url: string,
  providers: readonly SimulatedProvider[] = SIMULATED_PROVIDERS,
): Record<string, string> {
  const base = simulatorBaseUrls(url)
  const env: Record<string, string> = {}
  for (const provider of providers) {
    switch (provider) {
      case 'openai':
        Object.assign(env, { OPENAI_API_KEY: 'sim-openai-key', OPENAI_BASE_URL: base.openai })
        break
      case 'anthropic':
        Object.assign(env, { ANTHROPIC_API_KEY: 'sim-anthropic-key', ANTHROPIC_BASE_URL: base.anthropic })
        break
      case 'google':
        Object.assign(env, {
          GOOGLE_GENERATIVE_AI_API_KEY: 'sim-google-key',
          GOOGLE_GENERATIVE_AI_BASE_URL: base.google,
        })
        break
      case 'vertex':
        Object.assign(env, {
          GOOGLE_VERTEX_API_KEY: 'sim-vertex-key',
          GOOGLE_VERTEX_PROJECT: 'simulator',
          GOOGLE_VERTEX_LOCATION: 'us-central1',
          GOOGLE_VERTEX_BASE_URL: base.vertex,
        })
        break
      case 'mistral':
        Object.assign(env, { MISTRAL_API_KEY: 'sim-mistral-key', MISTRAL_BASE_URL: base.mistral })
        break
      case 'azure':
        Object.assign(env, {
          AZURE_API_KEY: 'sim-azure-key',
          AZURE_RESOURCE_NAME: 'simulator',
          AZURE_BASE_URL: base.azure,
        })
        break
      case 'bedrock':
        Object.assign(env, {
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'sim-access-key',
          AWS_SECRET_ACCESS_KEY: 'sim-secret-key',
          AWS_BEDROCK_BASE_URL: base.bedrock,
        })
        break
      case 'custom':
        Object.assign(env, {
          OPENAI_COMPATIBLE_BASE_URL: base.custom,
          OPENAI_COMPATIBLE_API_KEY: 'sim-custom-key',
          OPENAI_COMPATIBLE_MODEL: SIM_CUSTOM_MODEL,
        })
        break
    }
  }
  return env
}
