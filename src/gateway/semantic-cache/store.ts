import type { Logger } from 'pino'
import type { Database } from '../../data/db.ts'
import {
  analyzeSemanticEntries,
  enableVectorSearch,
  vectorIndexState,
  vectorSupport,
} from '../../data/repositories/semantic-vectors.ts'
import { createIvfSemanticStore } from './ivf-store.ts'
import { createPgvectorSemanticStore } from './pgvector-store.ts'

/**
 * The semantic cache's storage: rows in `ai_semantic_cache`, searched by nearest neighbour within one
 * tenant and scope. Two searches behind one shape, chosen at start: **pgvector** (an HNSW index in
 * SQL) where the server has pgvector ≥ 0.8 — PGlite always (it loads `@electric-sql/pglite-pgvector`),
 * PostgreSQL when the extension is available — else the in-process **IVF** index (ivf-store.ts).
 * `search: 'ivf'` forces the in-process index; `'pgvector'` fails the start-up load without pgvector.
 */

export type SemanticSearch = 'pgvector' | 'ivf'

export type SemanticHit = { id: number; similarity: number; value: unknown }

export type SemanticStore = {
  /** Which search serves lookups (undefined until the start-up choice is made). */
  readonly search: SemanticSearch | undefined
  /** The first lookup waits for this (the start-up load). */
  readonly ready: Promise<void>
  lookup(key: {
    tenant: string
    scope: string
    vector: Float32Array
    threshold: number
  }): Promise<SemanticHit | undefined>
  store(entry: {
    tenant: string
    scope: string
    vector: Float32Array
    value: unknown
    ttlSeconds: number
    userId: string | undefined
  }): Promise<number>
  /** Live entries the search covers (in-process indexes; with pgvector, rows counted at start plus those stored since). */
  size(): number
  close(): void
}

export type SemanticStoreOptions = {
  db: Database
  embeddingModel: string
  dimensions: number
  logger?: Logger | undefined
  /** How often a lookup first reads rows other processes added (ms; default 2000; the in-process index). */
  refreshMs?: number | undefined
  now?: (() => number) | undefined
  /** Entries read per statement while loading (default 5000; the in-process index). */
  batch?: number | undefined
}

/** The innermost message of an error (the driver's, under the query builder's "Failed query: …"). */
function rootMessage(error: unknown): string {
  let current = error
  while (current instanceof Error && current.cause instanceof Error) current = current.cause
  return current instanceof Error ? current.message : String(current)
}

/** pgvector if the server has it (and it could be set up), else the in-process index. */
async function chooseStore(
  options: SemanticStoreOptions & { search: SemanticSearch | 'auto' },
): Promise<SemanticStore> {
  const { db, logger } = options
  if (options.search !== 'ivf') {
    const support = await vectorSupport(db.orm)
    if (support.available) {
      try {
        const state = await vectorIndexState(db.orm, options)
        // PGlite runs Postgres on this thread: a CREATE INDEX over many rows stops the event loop.
        if (!state.indexed && state.entries > 1000)
          logger?.warn(
            { entries: state.entries, backend: db.kind },
            db.kind === 'pglite'
              ? `semantic cache: building pgvector's HNSW index over ${state.entries} stored entries; embedded PGlite runs it on this process's thread, which answers nothing until it ends (about 2 minutes per 100,000 entries on 2 cores; once per vector size)`
              : `semantic cache: building pgvector's HNSW index over ${state.entries} stored entries (the table takes no semantic-cache writes until it ends; once per vector size)`,
          )
        const started = performance.now()
        const { filled } = await db.transaction((tx) =>
          enableVectorSearch(tx, { embeddingModel: options.embeddingModel, dimensions: options.dimensions }),
        )
        await analyzeSemanticEntries(db.orm)
        logger?.info(
          { search: 'pgvector', version: support.version, filled, ms: Math.round(performance.now() - started) },
          `semantic cache: nearest-neighbour search by pgvector ${support.version} (HNSW, vector_cosine_ops)`,
        )
        return createPgvectorSemanticStore(options)
      } catch (error) {
        const reason = rootMessage(error)
        if (options.search === 'pgvector')
          throw new Error(`semantic cache: pgvector asked for, but it could not be set up: ${reason}`, { cause: error })
        logger?.warn(
          { err: error, reason },
          `semantic cache: pgvector could not be set up (${reason}); using the in-process index`,
        )
      }
    } else {
      if (options.search === 'pgvector') throw new Error(`semantic cache: pgvector asked for, but ${support.reason}`)
      logger?.info(
        { search: 'ivf', reason: support.reason },
        `semantic cache: nearest-neighbour search by the in-process IVF index (${support.reason})`,
      )
    }
  } else
    logger?.info({ search: 'ivf' }, 'semantic cache: nearest-neighbour search by the in-process IVF index (configured)')
  return createIvfSemanticStore(options)
}

export function createSemanticStore(
  options: SemanticStoreOptions & { search?: SemanticSearch | 'auto' | undefined },
): SemanticStore {
  let chosen: SemanticStore | undefined
  let closed = false
  const choice = chooseStore({ ...options, search: options.search ?? 'auto' }).then((store) => {
    chosen = store
    if (closed) store.close()
    return store
  })
  const ready = choice.then((store) => store.ready)
  ready.catch((error: unknown) => options.logger?.warn({ err: error }, 'semantic cache: loading failed'))
  return {
    get search() {
      return chosen?.search
    },
    ready,
    lookup: async (key) => (await choice).lookup(key),
    store: async (entry) => (await choice).store(entry),
    size: () => chosen?.size() ?? 0,
    close() {
      closed = true
      chosen?.close()
    },
  }
}
