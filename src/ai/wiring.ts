import type { Logger } from 'pino'
import type { Config } from '../config/env.ts'
import type { Database } from '../data/db.ts'
import { catalog as builtInCatalog, type Catalog } from './catalog/index.ts'
import { createAiClient, type AiClientOptions, type AiGateway, type GatewayCatalog, type GatewayProviders } from './client.ts'
import { createProviderRegistry, type ProviderRegistry } from './providers/index.ts'

/** The provider registry as the gateway sees it. */
export function gatewayProviders(registry: ProviderRegistry): GatewayProviders {
  return {
    names: registry.configured,
    defaultModel: (provider) => registry.defaultModel(provider),
    languageModel: (provider, model) => registry.languageModel(provider, model),
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

/** The process's gateway, built from Config: AI SDK providers, the built-in catalog, router, cache, ledger, health. */
export function createGateway(options: { config: Config; db: Database; logger?: Logger | undefined } & Partial<AiClientOptions>): AiGateway {
  const registry = createProviderRegistry(options.config.ai, { catalog: builtInCatalog })
  return createAiClient({ providers: gatewayProviders(registry), catalog: gatewayCatalog(builtInCatalog), ...options })
}
