import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { z } from 'zod'
import type { ConfigWithGateway as Config } from './config.ts'
import type { Database } from '../data/db.ts'
import { catalog as builtInCatalog, type Catalog } from './catalog/model-catalog.ts'
import type { OpenAiUpstream } from './calls/passthrough.ts'
import {
  createAiClient,
  type AiClientOptions,
  type AiGateway,
  type GatewayCatalog,
  type GatewayProviders,
} from './client.ts'
import { createProviderRegistry, type ProviderRegistry } from './providers/index.ts'

/** The provider registry as the gateway sees it. */
export function gatewayProviders(registry: ProviderRegistry): GatewayProviders {
  return {
    names: registry.configured,
    defaultModel: (provider) => registry.defaultModel(provider),
    languageModel: (provider, model) => registry.languageModel(provider, model),
    embeddingModel: (provider, model) => registry.embeddingModel(provider, model),
  }
}

/** The catalog as the gateway sees it: aliases resolve to provider + real model id; prices per provider/model. */
export function gatewayCatalog(catalog: Catalog): GatewayCatalog {
  const infos = new Map<string, ReturnType<Catalog['resolveModel']>>()
  return {
    resolveModel(name) {
      const ref = catalog.parseModelRef(name)
      return ref.info && ref.provider ? { provider: ref.provider, model: ref.model } : undefined
    },
    costUsd(provider, model, usage) {
      const key = `${provider}/${model}`
      let info = infos.get(key)
      if (!infos.has(key)) {
        info = catalog.parseModelRef(key).info ?? catalog.resolveModel(model)
        infos.set(key, info)
      }
      return catalog.costUsd(info, usage)
    },
    models: () => [...catalog.models],
  }
}

/**
 * Providers whose endpoint takes an OpenAI chat-completions body as is. Mistral speaks nearly the
 * same format but rejects unknown fields (e.g. `stream_options`), so it goes through the AI SDK.
 */
const PASSTHROUGH = new Set(['openai', 'azure', 'custom'])

export function passthroughUpstreams(registry: ProviderRegistry): Map<string, OpenAiUpstream> {
  const map = new Map<string, OpenAiUpstream>()
  for (const provider of registry.configured) {
    if (!PASSTHROUGH.has(provider)) continue
    const endpoint = registry.endpoint(provider)
    if (endpoint.format === 'openai-chat')
      map.set(provider, {
        provider,
        chatCompletionsUrl: endpoint.chatCompletionsUrl,
        baseURL: endpoint.baseURL,
        headers: endpoint.headers,
      })
  }
  return map
}

const candidateSpec = z.union([
  z.string().min(1),
  z.object({
    provider: z.string().min(1),
    model: z.string().min(1),
    weight: z.number().positive().optional(),
    params: z.record(z.string(), z.unknown()).optional(),
  }),
])
/** The part of the `OPTIMALIQ_CONFIG` JSON file the gateway reads: named routes. */
export const routesFileSchema = z.looseObject({
  routes: z.record(z.string().min(1), z.array(candidateSpec).min(1)).optional(),
  /** Routes whose `/v1` cache is shared across tenants (their prompts carry no user data). */
  sharedCacheRoutes: z.array(z.string().min(1)).optional(),
})

/** The gateway's part of the `OPTIMALIQ_CONFIG` JSON file: named routes and shared-cache routes. */
export function loadGatewayFile(file: string | undefined): z.infer<typeof routesFileSchema> {
  if (!file) return {}
  let data: unknown
  try {
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new Error(
      `OPTIMALIQ_CONFIG ${file} could not be read as JSON: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    )
  }
  const parsed = routesFileSchema.safeParse(data)
  if (!parsed.success)
    throw new Error(
      `OPTIMALIQ_CONFIG ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    )
  return parsed.data
}

/** Named routes from the `OPTIMALIQ_CONFIG` file, e.g. `{"routes": {"cheap": ["gpt-4.1-mini", {"provider": "anthropic", "model": "claude-3-5-haiku-latest", "weight": 2}]}}`. */
export function loadRoutes(file: string | undefined) {
  return loadGatewayFile(file).routes ?? {}
}

/** The process's gateway, built from Config: AI SDK providers, the built-in catalog, router, cache, ledger, health. */
export function createGateway(
  options: { config: Config; db: Database; logger?: Logger | undefined } & Partial<AiClientOptions>,
): AiGateway {
  const registry = createProviderRegistry(options.config.ai, { catalog: builtInCatalog })
  const file = loadGatewayFile(options.config.ai.configFile)
  return createAiClient({
    providers: gatewayProviders(registry),
    catalog: gatewayCatalog(builtInCatalog),
    upstreams: passthroughUpstreams(registry),
    routes: file.routes ?? {},
    sharedCacheRoutes: file.sharedCacheRoutes ?? [],
    ...options,
  })
}
