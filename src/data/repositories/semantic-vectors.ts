import { sql, type SQL } from 'drizzle-orm'
import type pg from 'pg'
import { driverRows, rows, statementOf, type Database, type Executor, type Tx } from '../db.ts'
import { floatsOf, vectorText } from './semantic-cache.ts'

/**
 * The semantic cache's search in SQL, where the server has pgvector (PGlite loads it from
 * `@electric-sql/pglite-pgvector`; a PostgreSQL server may or may not have it). No migration needs
 * the extension: `enableVectorSearch` adds it at start, idempotently, under an advisory lock — the
 * column `ai_semantic_cache.embedding_vector` (untyped `vector`), filled from the `bytea` embedding of
 * rows that lack it, and per vector size an HNSW index on `embedding_vector::vector(n)`
 * (`vector_cosine_ops`, partial on `dimensions = n`) plus a btree on (tenant, scope), so the planner
 * can take a small tenant's rows exactly instead of walking the graph.
 */

/** pgvector ≥ 0.8: iterative index scans, which the tenant filter needs (else a filtered HNSW scan can come back short). */
const MIN_VERSION = [0, 8, 0]

export type VectorSupport =
  { available: true; version: string } | { available: false; reason: string; version?: string | undefined }

const atLeast = (version: string, min: number[]) => {
  const parts = version.split('.').map((p) => Number.parseInt(p, 10) || 0)
  for (let i = 0; i < min.length; i++) {
    const a = parts[i] ?? 0
    const b = min[i] as number
    if (a !== b) return a > b
  }
  return true
}

/** Whether this server can run the search in SQL: pgvector available (or installed) at ≥ 0.8. */
export async function vectorSupport(db: Executor): Promise<VectorSupport> {
  const [row] = await rows<{ default_version: string | null; installed_version: string | null }>(
    db,
    sql`select default_version, installed_version from pg_available_extensions where name = 'vector'`,
  )
  if (!row) return { available: false, reason: 'the server has no pgvector extension' }
  const version = row.installed_version ?? row.default_version ?? '0'
  if (!atLeast(version, MIN_VERSION))
    return { available: false, reason: `pgvector ${version} is older than 0.8 (no iterative index scans)`, version }
  return { available: true, version }
}

/** A validated vector size, inlined in DDL and in the search (the partial index's predicate must match it literally). */
function size(dimensions: number) {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 16_000)
    throw new Error(`bad vector size ${dimensions}`)
  return sql.raw(String(dimensions))
}

/**
 * Create the extension, column and indexes if missing, and fill `embedding_vector` for rows of this
 * model and size stored without it (rows written before, or by a process without pgvector). Safe
 * to run from several processes at once (one at a time, under an advisory lock).
 */
export async function enableVectorSearch(
  tx: Tx,
  options: { embeddingModel: string; dimensions: number; batch?: number },
): Promise<{ filled: number }> {
  const n = size(options.dimensions)
  const batch = options.batch ?? 1000
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('optimaliq.ai_semantic_cache.vector'))`)
  await tx.execute(sql`create extension if not exists vector`)
  await tx.execute(sql`alter table ai_semantic_cache add column if not exists embedding_vector vector`)
  let filled = 0
  for (;;) {
    const missing = await rows<{ id: string | number; embedding: Uint8Array }>(
      tx,
      sql`select id, embedding from ai_semantic_cache
        where embedding_vector is null and embedding_model = ${options.embeddingModel} and dimensions = ${n}
        order by id limit ${batch}`,
    )
    if (missing.length === 0) break
    const values = missing.map((r) => sql`(${Number(r.id)}::bigint, ${vectorText(floatsOf(r.embedding))})`)
    await tx.execute(
      sql`update ai_semantic_cache c set embedding_vector = v.e::vector
        from (values ${sql.join(values, sql`, `)}) as v(id, e) where c.id = v.id`,
    )
    filled += missing.length
  }
  // The graph is built in memory when it fits: far faster than spilling (a one-time build per size).
  await tx.execute(sql`select set_config('maintenance_work_mem', '512MB', true)`)
  await tx.execute(
    sql`create index if not exists ${sql.raw(`ai_semantic_cache_hnsw_${options.dimensions}`)} on ai_semantic_cache
      using hnsw ((embedding_vector::vector(${n})) vector_cosine_ops) where dimensions = ${n}`,
  )
  await tx.execute(sql`create index if not exists ai_semantic_cache_partition_idx on ai_semantic_cache (tenant, scope)`)
  return { filled }
}

/** Stored entries of this model and size, and whether their HNSW index exists yet (before `enableVectorSearch`). */
export async function vectorIndexState(
  db: Executor,
  options: { embeddingModel: string; dimensions: number },
): Promise<{ entries: number; indexed: boolean }> {
  const n = size(options.dimensions)
  const [row] = await rows<{ entries: string | number; indexed: boolean }>(
    db,
    sql`select (select count(*) from ai_semantic_cache
        where embedding_model = ${options.embeddingModel} and dimensions = ${n}) as entries,
      to_regclass(${`ai_semantic_cache_hnsw_${options.dimensions}`}) is not null as indexed`,
  )
  return { entries: Number(row?.entries ?? 0), indexed: Boolean(row?.indexed) }
}

/** Fresh planner statistics (PGlite has no autovacuum): which index a lookup takes depends on them. */
export async function analyzeSemanticEntries(db: Executor): Promise<void> {
  await db.execute(sql`analyze ai_semantic_cache`)
}

/** Unexpired entries of one model and size (what the SQL search covers). */
export async function countSemanticEntries(
  db: Executor,
  query: { embeddingModel: string; dimensions: number; now: Date },
): Promise<number> {
  const [row] = await rows<{ n: string | number }>(
    db,
    sql`select count(*) as n from ai_semantic_cache
      where embedding_model = ${query.embeddingModel} and dimensions = ${query.dimensions}
        and expires_at > ${query.now.toISOString()}::timestamptz`,
  )
  return Number(row?.n ?? 0)
}

/**
 * Iterative index scans (`strict_order`) for the session: a filtered HNSW walk goes on until a row
 * passes the tenant filter, in order, up to `hnsw.max_scan_tuples`. Only HNSW scans read it.
 */
const ITERATIVE_SCAN = `select set_config('hnsw.iterative_scan', 'strict_order', false)`
export async function useIterativeScan(db: Executor): Promise<void> {
  await db.execute(sql.raw(ITERATIVE_SCAN))
}

type NearestKey = {
  tenant: string
  scope: string
  embeddingModel: string
  dimensions: number
  vector: Float32Array
  now: Date
}
type NearestRow = { id: string | number; distance: number; value: unknown }

function nearestQuery(key: NearestKey): SQL {
  const n = size(key.dimensions)
  // Ordered by the output column: the index orders by the same expression, and the vector is parsed once.
  return sql`select id, embedding_vector::vector(${n}) <=> ${vectorText(key.vector)}::vector(${n}) as distance, value
      from ai_semantic_cache
      where tenant = ${key.tenant} and scope = ${key.scope} and embedding_model = ${key.embeddingModel}
        and dimensions = ${n} and expires_at > ${key.now.toISOString()}::timestamptz
      order by distance limit 1`
}

const hit = (row: NearestRow | undefined) =>
  row ? { id: Number(row.id), similarity: 1 - Number(row.distance), value: row.value } : undefined

/**
 * The nearest unexpired entry of this tenant and scope by cosine similarity (`1 - <=>`), with its
 * answer; undefined when the partition has none. The threshold is the caller's to apply, as with the
 * in-process index. On PGlite's one session, after `useIterativeScan`.
 */
export async function nearestSemanticEntry(
  db: Database,
  key: NearestKey,
): Promise<{ id: number; similarity: number; value: unknown } | undefined> {
  const [row] = await driverRows<NearestRow>(db, nearestQuery(key))
  return hit(row)
}

/** Pooled connections that have iterative scans on for their session. */
const iterative = new WeakSet<pg.PoolClient>()

/**
 * `nearestSemanticEntry` on a PostgreSQL pool in one round trip: each pooled connection turns
 * iterative scans on for its session the first time it serves a lookup (a setting only HNSW scans
 * read), instead of a transaction per lookup (begin, set_config, select, commit).
 */
export async function nearestSemanticEntryPooled(
  pool: pg.Pool,
  key: NearestKey,
): Promise<{ id: number; similarity: number; value: unknown } | undefined> {
  const query = statementOf(nearestQuery(key))
  const client = await pool.connect()
  let failed: Error | undefined
  try {
    if (!iterative.has(client)) {
      await client.query(ITERATIVE_SCAN)
      iterative.add(client)
    }
    const result = await client.query<NearestRow>(query.sql, query.params)
    return hit(result.rows[0])
  } catch (error) {
    failed = error as Error
    throw error
  } finally {
    // A connection whose statement failed is not handed out again.
    client.release(failed)
  }
}
