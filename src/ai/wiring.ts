import type { Logger } from 'pino'
import type { Config } from '../config/env.ts'
import type { Database } from '../data/db.ts'
import { createAiClient, type AiClientOptions, type AiGateway, type GatewayCatalog, type GatewayProviders } from './client.ts'

/** The provider registry and catalog as the gateway sees them (adapters over `ai/providers`, `ai/catalog`). */
export function gatewayDeps(_config: Config): { providers: GatewayProviders; catalog: GatewayCatalog } {
  return {
    providers: { names: [], defaultModel: () => undefined, languageModel: () => { throw new Error('no providers') } },
    catalog: { resolveModel: () => undefined, costUsd: () => undefined, models: () => [] },
  }
}

/** The process's gateway, built from Config. */
export function createGateway(options: { config: Config; db: Database; logger?: Logger | undefined } & Partial<AiClientOptions>): AiGateway {
  return createAiClient({ ...gatewayDeps(options.config), ...options })
}
