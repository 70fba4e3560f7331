import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { z } from 'zod'
import type { ConfigWithGateway as Config } from './config.ts'
import type { Database } from '../data/db.ts'
import { catalog as builtInCatalog, type Catalog } from './catalog/model-catalog.ts'
import type { OpenAiUpstream } from './calls/passthrough.ts'
import type { AnthropicUpstream } from './calls/anthropic-passthrough.ts'
import {
  createAiClient,
  type AiClientOptions,
  type AiGateway,
  type GatewayCatalog,
  type GatewayProviders,
} from './client.ts'
import { guardrailsConfigSchema } from './guardrails/config.ts'
import { semanticCacheConfigSchema } from './semantic-cache/semantic-cache.ts'
import { createProviderRegistry, type ProviderRegistry } from './providers/index.ts'
import { modelPrice, routeFileEntry, type ModelPrice } from '../contracts/routing.ts'
import type { AiUsage } from './types.ts'

/** The provider registry as the gateway sees it. */
export function gatewayProviders(registry: ProviderRegistry): GatewayProviders {
  return {
    names: registry.configured,
    defaultModel: (provider) => registry.defaultModel(provider),
    languageModel: (provider, model) => registry.languageModel(provider, model),
    embeddingModel: (provider, model) => registry.embeddingModel(provider, model),
  }
}

/**
 * The catalog as the gateway sees it: aliases resolve to provider + real model id; prices per
 * provider/model, custom prices (`prices` of the `OPTIMALIQ_CONFIG` file) first.
 */
export function gatewayCatalog(catalog: Catalog, prices: Readonly<Record<string, ModelPrice>> = {}): GatewayCatalog {
  const infos = new Map<string, ReturnType<Catalog['resolveModel']>>()
  // Keyed as written and, for a catalog alias, by the model's real id (what the router calls).
  const custom = new Map<string, ModelPrice>()
  for (const [key, price] of Object.entries(prices)) {
    custom.set(key, price)
    const ref = catalog.parseModelRef(key)
    if (ref.provider && ref.info) custom.set(`${ref.provider}/${ref.info.id}`, price)
  }
  return {
    resolveModel(name) {
      const ref = catalog.parseModelRef(name)
      return ref.info && ref.provider ? { provider: ref.provider, model: ref.model } : undefined
    },
    costUsd(provider, model, usage) {
      const key = `${provider}/${model}`
      const price = custom.get(key)
      if (price) return customCost(price, usage)
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

/** Providers whose endpoint speaks the Anthropic Messages API (the `/v1/messages` passthrough). */
export function anthropicUpstreams(registry: ProviderRegistry): Map<string, AnthropicUpstream> {
  const map = new Map<string, AnthropicUpstream>()
  for (const provider of registry.configured) {
    const endpoint = registry.endpoint(provider)
    if (endpoint.format === 'anthropic-messages')
      map.set(provider, { provider, messagesUrl: endpoint.chatCompletionsUrl, headers: endpoint.headers })
  }
  return map
}

/** A custom price applied to usage; unknown counts stay unknown. */
function customCost(price: ModelPrice, usage: AiUsage): number | undefined {
  const { inputTokens, outputTokens } = usage
  if (inputTokens === undefined || outputTokens === undefined) return undefined
  if (!Number.isFinite(inputTokens) || !Number.isFinite(outputTokens)) return undefined
  const cost = (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000
  return Math.round(cost * 1e12) / 1e12
}

/** The part of the `OPTIMALIQ_CONFIG` JSON file the gateway reads: named routes, shared-cache routes, prices. */
export const routesFileSchema = z
  .looseObject({
    /** A list of candidates (weights → `weighted`) or `{strategy, candidates, rules, latency}`. */
    routes: z.record(z.string().min(1), routeFileEntry).optional(),
    /** Routes whose `/v1` cache is shared across tenants (their prompts carry no user data). */
    sharedCacheRoutes: z.array(z.string().min(1)).optional(),
    /** Guardrails per route or feature (off when absent). */
    guardrails: guardrailsConfigSchema.optional(),
    /** The semantic cache (off unless set): embedding model, vector size, routes with thresholds. */
    semanticCache: semanticCacheConfigSchema.optional(),
    /** Custom prices per `provider/model` (USD per million tokens): a custom model's cost is then known. */
    prices: z
      .record(
        z
          .string()
          .min(3)
          .regex(/^[^/]+\/.+$/, 'must be provider/model'),
        modelPrice,
      )
      .optional(),
  })
  .superRefine((file, ctx) => {
    for (const [name, route] of Object.entries(file.routes ?? {})) {
      if (Array.isArray(route)) continue
      if (!route.candidates && !route.rules?.length && name !== 'default')
        ctx.addIssue({ code: 'custom', path: ['routes', name], message: 'needs candidates or rules' })
      route.rules?.forEach((rule, i) => {
        if (rule.route !== 'default' && !file.routes?.[rule.route])
          ctx.addIssue({
            code: 'custom',
            path: ['routes', name, 'rules', i, 'route'],
            message: `no route named "${rule.route}"`,
          })
      })
    }
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
    catalog: gatewayCatalog(builtInCatalog, file.prices),
    upstreams: passthroughUpstreams(registry),
    anthropicUpstreams: anthropicUpstreams(registry),
    routes: file.routes ?? {},
    sharedCacheRoutes: file.sharedCacheRoutes ?? [],
    guardrails: file.guardrails,
    semanticCache: file.semanticCache,
    ...options,
  })
}
