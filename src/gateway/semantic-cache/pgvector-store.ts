import { deleteExpiredSemanticEntries, insertSemanticEntry } from '../../data/repositories/semantic-cache.ts'
import {
  analyzeSemanticEntries,
  countSemanticEntries,
  nearestSemanticEntry,
  nearestSemanticEntryPooled,
  useIterativeScan,
} from '../../data/repositories/semantic-vectors.ts'
import { unitVector } from './ivf.ts'
import type { SemanticStore, SemanticStoreOptions } from './store.ts'

/**
 * The semantic cache's search in SQL (pgvector set up by store.ts): one statement per lookup, the
 * nearest unexpired row of the tenant and scope by an HNSW index (`vector_cosine_ops`), a hit when its
 * cosine similarity reaches the threshold — the in-process index's rule. Nothing is kept in memory,
 * so rows other processes add are found at once (no `refreshMs`). Expired rows are deleted, and the
 * table analysed (the planner's choice of index depends on it), every 10 minutes.
 */

const CLEANUP_MS = 10 * 60_000

export function createPgvectorSemanticStore(options: SemanticStoreOptions): SemanticStore {
  const { db, embeddingModel, dimensions } = options
  const now = options.now ?? Date.now
  let entries = 0
  let lastCleanup = now()

  const ready = (async () => {
    // PGlite has one session: set once. A pool's connections each set it on their first lookup.
    if (db.kind === 'pglite') await useIterativeScan(db.orm)
    entries = await countSemanticEntries(db.orm, { embeddingModel, dimensions, now: new Date(now()) })
  })()

  function cleanup() {
    if (now() - lastCleanup < CLEANUP_MS) return
    lastCleanup = now()
    void (async () => {
      await deleteExpiredSemanticEntries(db.orm, new Date(now()))
      await analyzeSemanticEntries(db.orm)
      entries = await countSemanticEntries(db.orm, { embeddingModel, dimensions, now: new Date(now()) })
    })().catch((error: unknown) =>
      options.logger?.warn({ err: error }, 'semantic cache: deleting expired entries failed'),
    )
  }

  return {
    search: 'pgvector',
    ready,
    async lookup({ tenant, scope, vector, threshold }) {
      await ready
      cleanup()
      const unit = unitVector(vector, dimensions)
      const key = { tenant, scope, embeddingModel, dimensions, vector: unit, now: new Date(now()) }
      const nearest =
        db.driver.kind === 'pglite'
          ? await nearestSemanticEntry(db, key)
          : await nearestSemanticEntryPooled(db.driver.pool, key)
      return nearest && nearest.similarity >= threshold ? nearest : undefined
    },
    async store({ tenant, scope, vector, value, ttlSeconds, userId }) {
      const unit = unitVector(vector, dimensions)
      const id = await insertSemanticEntry(
        db.orm,
        {
          tenant,
          scope,
          embeddingModel,
          embedding: unit,
          value,
          userId,
          expiresAt: new Date(now() + ttlSeconds * 1000),
        },
        { vector: true },
      )
      entries += 1
      return id
    },
    size: () => entries,
    close() {},
  }
}
