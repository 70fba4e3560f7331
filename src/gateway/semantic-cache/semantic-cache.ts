import { z } from 'zod'
import type { Logger } from 'pino'
import type { Database } from '../../data/db.ts'
import type { AiCaller } from '../types.ts'
import { createSemanticStore, type SemanticSearch, type SemanticStore } from './store.ts'

/** The ledger's feature of the semantic cache's own embedding calls. */
export const SEMANTIC_CACHE_FEATURE = 'semantic_cache'

/** The `semanticCache` key of the `OPTIMALIQ_CONFIG` file: off unless a route is listed. */
export const semanticCacheConfigSchema = z.object({
  /** The embedding model prompts are embedded with, through the gateway (`text-embedding-3-small`, `mistral-embed`, …). */
  embeddingModel: z.string().min(1),
  /** The size of the stored vectors (the model's output size, or the size asked for). */
  dimensions: z.number().int().min(1).max(8192),
  /** Send `dimensions` with each embedding request (false for models with one size, e.g. `mistral-embed`). */
  sendDimensions: z.boolean().default(true),
  /** How often a process reads entries other processes added (ms; the in-process index only). */
  refreshMs: z.number().int().min(0).default(2000),
  /** The nearest-neighbour search: pgvector where the server has it (`auto`), or the in-process index (`ivf`). */
  search: z.enum(['auto', 'pgvector', 'ivf']).default('auto'),
  /** Routes (the `model` clients name) with a semantic cache: cosine threshold and entry lifetime. */
  routes: z.record(
    z.string().min(1),
    z.object({ threshold: z.number().gt(0).max(1), ttlSeconds: z.number().int().positive() }),
  ),
})
export type SemanticCacheConfig = z.input<typeof semanticCacheConfigSchema>

/** Embeds one text for a caller (through the gateway's pipeline): the vector, or throws. */
export type Embed = (text: string, caller: AiCaller, signal: AbortSignal | undefined) => Promise<Float32Array>

export type SemanticCache = {
  /** The route's settings, or undefined when its cache is off. */
  settingsFor(route: string): { threshold: number; ttlSeconds: number } | undefined
  embed: Embed
  lookup: SemanticStore['lookup']
  store(entry: {
    tenant: string
    scope: string
    vector: Float32Array
    value: unknown
    ttlSeconds: number
    userId: string | undefined
  }): Promise<number>
  /** Which search serves lookups: pgvector or the in-process index (undefined while starting). */
  readonly search: SemanticSearch | undefined
  /** Live entries the search covers. */
  size(): number
  /** The start-up load. */
  readonly ready: Promise<void>
  close(): void
}

/** The semantic cache of a gateway: its settings per route, the embedder, and the store. */
export function createSemanticCache(options: {
  config: SemanticCacheConfig
  db: Database
  embed: Embed
  logger?: Logger | undefined
}): SemanticCache {
  const config = semanticCacheConfigSchema.parse(options.config)
  const store = createSemanticStore({
    db: options.db,
    embeddingModel: config.embeddingModel,
    dimensions: config.dimensions,
    refreshMs: config.refreshMs,
    search: config.search,
    logger: options.logger,
  })
  return {
    settingsFor: (route) => config.routes[route],
    embed: options.embed,
    lookup: (key) => store.lookup(key),
    store: (entry) => store.store(entry),
    get search() {
      return store.search
    },
    size: () => store.size(),
    ready: store.ready,
    close: () => store.close(),
  }
}
