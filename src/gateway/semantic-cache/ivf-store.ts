import {
  deleteExpiredSemanticEntries,
  findSemanticEntry,
  insertSemanticEntry,
  lastSemanticEntryId,
  loadSemanticEntries,
} from '../../data/repositories/semantic-cache.ts'
import { createIvfIndex, unitVector, type IvfIndex } from './ivf.ts'
import type { SemanticStore, SemanticStoreOptions } from './store.ts'

/**
 * The semantic cache's search where the server has no pgvector: rows in Postgres (`ai_semantic_cache`),
 * searched in an in-process IVF index per tenant and scope (so one tenant's lookups never see another's entries). Built from
 * the stored rows at start; rows other processes add are read by id every `refreshMs` before a
 * lookup; an entry found is read back from its row (expiry and tenant checked again).
 */

const CANDIDATES = 4
const CLEANUP_MS = 10 * 60_000

export function createIvfSemanticStore(options: SemanticStoreOptions): SemanticStore {
  const { db, embeddingModel, dimensions } = options
  const now = options.now ?? Date.now
  const refreshMs = options.refreshMs ?? 2000
  const batch = options.batch ?? 5000
  const indexes = new Map<string, IvfIndex>()
  const expiry = new Map<number, { key: string; expiresAt: number }>()
  let lastId = 0
  let lastRefresh = 0
  let refreshing: Promise<void> | undefined
  let lastCleanup = now()

  const partition = (tenant: string, scope: string) => `${tenant}\u0000${scope}`
  const indexOf = (key: string) => {
    let index = indexes.get(key)
    if (!index) {
      index = createIvfIndex({ dimensions })
      indexes.set(key, index)
    }
    return index
  }

  /** Read rows with an id above the last seen, into their indexes (one `addMany` per partition). */
  async function readNewer() {
    for (;;) {
      const found = await loadSemanticEntries(db.orm, {
        embeddingModel,
        dimensions,
        afterId: lastId,
        now: new Date(now()),
        limit: batch,
      })
      const byPartition = new Map<string, Array<{ id: number; vector: Float32Array }>>()
      for (const row of found) {
        const key = partition(row.tenant, row.scope)
        expiry.set(row.id, { key, expiresAt: row.expiresAt.getTime() })
        const list = byPartition.get(key) ?? []
        list.push({ id: row.id, vector: row.embedding })
        byPartition.set(key, list)
        lastId = Math.max(lastId, row.id)
      }
      for (const [key, entries] of byPartition) indexOf(key).addMany(entries)
      if (found.length < batch) break
    }
    lastRefresh = now()
  }

  const ready = (async () => {
    // Expired rows are skipped: start after the newest row of any kind that existed before the
    // load (read first: a row stored while loading has a higher id and is read by the next refresh).
    const newest = await lastSemanticEntryId(db.orm)
    await readNewer()
    lastId = Math.max(lastId, newest)
    // The lists are trained in the background (the event loop keeps serving); lookups start on them.
    for (const index of indexes.values()) await index.trained()
  })()

  async function refresh() {
    if (now() - lastRefresh < refreshMs) return
    refreshing ??= readNewer().finally(() => {
      refreshing = undefined
    })
    await refreshing
  }

  function drop(id: number) {
    const entry = expiry.get(id)
    if (!entry) return
    indexes.get(entry.key)?.remove(id)
    expiry.delete(id)
  }

  function cleanup() {
    if (now() - lastCleanup < CLEANUP_MS) return
    lastCleanup = now()
    for (const [id, entry] of expiry) if (entry.expiresAt <= now()) drop(id)
    void deleteExpiredSemanticEntries(db.orm, new Date(now())).catch((error: unknown) =>
      options.logger?.warn({ err: error }, 'semantic cache: deleting expired entries failed'),
    )
  }

  return {
    search: 'ivf',
    ready,
    async lookup({ tenant, scope, vector, threshold }) {
      await ready
      await refresh()
      cleanup()
      const index = indexes.get(partition(tenant, scope))
      if (!index) return undefined
      for (const candidate of index.search(unitVector(vector, dimensions), CANDIDATES)) {
        if (candidate.similarity < threshold) return undefined
        const entry = expiry.get(candidate.id)
        if (!entry || entry.expiresAt <= now()) {
          drop(candidate.id)
          continue
        }
        const value = await findSemanticEntry(db, { id: candidate.id, tenant, scope, now: new Date(now()) })
        if (value === undefined) {
          drop(candidate.id)
          continue
        }
        return { id: candidate.id, similarity: candidate.similarity, value }
      }
      return undefined
    },
    async store({ tenant, scope, vector, value, ttlSeconds, userId }) {
      const unit = unitVector(vector, dimensions)
      const expiresAt = now() + ttlSeconds * 1000
      const id = await insertSemanticEntry(db.orm, {
        tenant,
        scope,
        embeddingModel,
        embedding: unit,
        value,
        userId,
        expiresAt: new Date(expiresAt),
      })
      const key = partition(tenant, scope)
      expiry.set(id, { key, expiresAt })
      indexOf(key).add(id, unit)
      return id
    },
    size: () => [...indexes.values()].reduce((n, index) => n + index.size, 0),
    close() {
      indexes.clear()
      expiry.clear()
    },
  }
}
