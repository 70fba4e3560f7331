import { createHash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { Logger } from 'pino'
import type { Database } from '../../data/db.ts'
import { findCacheEntry, upsertCacheEntry } from '../../data/repositories/ai-cache.ts'

/** The parts of a request that make two requests the same answer. */
export type CacheKeyParts = {
  route: string
  feature?: string | undefined
  system?: string | undefined
  messages: unknown
  params?: Record<string, unknown> | undefined
  schema?: unknown
  promptVersion?: string | undefined
  cacheScope?: string | undefined
  /** Whose answer this is (the API key's owner, or the user): two tenants never share an entry. Undefined: shared. */
  tenant?: string | undefined
}

/** JSON with object keys sorted, so key order never changes a hash. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`
}

/** Exact-match key: SHA-256 over route/model, prompt, parameters, schema, feature, prompt version and scope. */
export function cacheKey(parts: CacheKeyParts): string {
  return createHash('sha256').update(stableStringify(parts)).digest('base64url')
}

export type AiCache = {
  get<T>(key: string): Promise<T | undefined>
  set(
    key: string,
    value: unknown,
    ttlSeconds: number,
    owner?: { feature?: string | undefined; userId?: string | undefined },
  ): void
  /**
   * The cached value, or compute it once: identical concurrent requests share one call (single
   * flight). `hit` is true when no upstream call was made for this caller.
   */
  getOrCompute<T>(
    key: string,
    ttlSeconds: number,
    compute: () => Promise<{ value: T; cacheable: boolean }>,
    owner?: { feature?: string | undefined; userId?: string | undefined },
  ): Promise<{ value: T; hit: boolean }>
  /** Wait for pending writes to the table. */
  flush(): Promise<void>
}

export type CacheOptions = {
  db?: Database | undefined
  logger?: Logger | undefined
  maxEntries?: number | undefined
  now?: (() => number) | undefined
}

/** In-process LRU in front of the `ai_cache` table; the table is shared by every process. */
export function createAiCache(options: CacheOptions = {}): AiCache {
  const lru = new LRUCache<string, { value: unknown }>({ max: options.maxEntries ?? 5_000, ttlAutopurge: false })
  const inflight = new Map<string, Promise<{ value: unknown; hit: boolean }>>()
  const pending = new Set<Promise<unknown>>()
  const now = options.now ?? Date.now

  async function get<T>(key: string): Promise<T | undefined> {
    const local = lru.get(key)
    if (local) return local.value as T
    if (!options.db) return undefined
    try {
      const row = await findCacheEntry(options.db.orm, key, new Date(now()))
      if (!row) return undefined
      lru.set(key, { value: row.value }, { ttl: Math.max(1, row.expiresAt.getTime() - now()) })
      return row.value as T
    } catch (error) {
      options.logger?.warn({ err: error }, 'ai cache read failed')
      return undefined
    }
  }

  function set(
    key: string,
    value: unknown,
    ttlSeconds: number,
    owner: { feature?: string | undefined; userId?: string | undefined } = {},
  ) {
    if (ttlSeconds <= 0) return
    lru.set(key, { value }, { ttl: ttlSeconds * 1000 })
    if (!options.db) return
    const expiresAt = new Date(now() + ttlSeconds * 1000)
    const write = upsertCacheEntry(options.db.orm, {
      key,
      feature: owner.feature ?? null,
      userId: owner.userId ?? null,
      value,
      expiresAt,
    })
      .catch((error: unknown) => options.logger?.warn({ err: error }, 'ai cache write failed'))
      .finally(() => pending.delete(write))
    pending.add(write)
  }

  async function getOrCompute<T>(
    key: string,
    ttlSeconds: number,
    compute: () => Promise<{ value: T; cacheable: boolean }>,
    owner?: { feature?: string | undefined; userId?: string | undefined },
  ) {
    const local = lru.get(key)
    if (local) return { value: local.value as T, hit: true }
    const shared = inflight.get(key)
    if (shared) return { value: (await shared).value as T, hit: true }
    const promise = (async () => {
      const cached = await get<T>(key)
      if (cached !== undefined) return { value: cached as unknown, hit: true }
      const result = await compute()
      if (result.cacheable) set(key, result.value, ttlSeconds, owner)
      return { value: result.value as unknown, hit: false }
    })()
    inflight.set(key, promise)
    try {
      return (await promise) as { value: T; hit: boolean }
    } finally {
      inflight.delete(key)
    }
  }

  return {
    get,
    set,
    getOrCompute,
    async flush() {
      while (pending.size > 0) await Promise.all([...pending])
    },
  }
}
