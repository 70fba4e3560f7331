import { sql } from 'drizzle-orm'
import { driverRows, rows, type Database, type Executor } from '../db.ts'

/**
 * The semantic cache's rows (migration 0014, `ai_semantic_cache`): prompt embeddings (little-endian
 * float32 bytes) with the answer they got, per tenant and scope. The nearest-neighbour search runs
 * in SQL where pgvector is there (semantic-vectors.ts), else in the gateway's in-process index
 * (src/gateway/semantic-cache/); these statements load, add, read and expire rows.
 */

export type SemanticRow = {
  id: number
  tenant: string
  scope: string
  embedding: Float32Array
  expiresAt: Date
}

export type NewSemanticRow = {
  tenant: string
  scope: string
  embeddingModel: string
  embedding: Float32Array
  value: unknown
  userId: string | undefined
  expiresAt: Date
}

const bytesOf = (vector: Float32Array) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength)

/** pgvector's text form `[x,y,…]` (a float32 printed as a double reads back as the same float32). */
export const vectorText = (vector: Float32Array) => `[${Array.from(vector).join(',')}]`

/**
 * Where pgvector searches (semantic-vectors.ts), rows carry `embedding_vector` as well: that column
 * exists only there, so only callers that enabled it ask for it.
 */
export type InsertOptions = { vector?: boolean }

/** pg answers bytea as a Buffer, PGlite as a Uint8Array: both become float32s (copied: aligned). */
export function floatsOf(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength)
  copy.set(bytes)
  return new Float32Array(copy.buffer, 0, Math.floor(copy.byteLength / 4))
}

/** Store one entry; its id. */
export async function insertSemanticEntry(
  db: Executor,
  row: NewSemanticRow,
  options: InsertOptions = {},
): Promise<number> {
  const [inserted] = await rows<{ id: string | number }>(
    db,
    sql`insert into ai_semantic_cache (tenant, scope, embedding_model, dimensions, embedding, value, user_id, expires_at
        ${options.vector ? sql`, embedding_vector` : sql``})
      values (${row.tenant}, ${row.scope}, ${row.embeddingModel}, ${row.embedding.length}, ${bytesOf(row.embedding)},
        ${JSON.stringify(row.value)}::jsonb, ${row.userId ?? null}, ${row.expiresAt.toISOString()}::timestamptz
        ${options.vector ? sql`, ${vectorText(row.embedding)}::vector` : sql``})
      returning id`,
  )
  return Number(inserted?.id)
}

/** Unexpired entries of one embedding model and size with an id above `afterId`, in id order, `limit` at a time. */
export async function loadSemanticEntries(
  db: Executor,
  query: { embeddingModel: string; dimensions: number; afterId: number; now: Date; limit: number },
): Promise<SemanticRow[]> {
  const found = await rows<{
    id: string | number
    tenant: string
    scope: string
    embedding: Uint8Array
    expires_at: Date | string
  }>(
    db,
    sql`select id, tenant, scope, embedding, expires_at from ai_semantic_cache
      where embedding_model = ${query.embeddingModel} and dimensions = ${query.dimensions} and id > ${query.afterId}
        and expires_at > ${query.now.toISOString()}::timestamptz
      order by id limit ${query.limit}`,
  )
  return found.map((r) => ({
    id: Number(r.id),
    tenant: r.tenant,
    scope: r.scope,
    embedding: floatsOf(r.embedding),
    expiresAt: new Date(r.expires_at),
  }))
}

/** The highest id of any entry (expired or not): where reading newer rows starts after a full load. */
export async function lastSemanticEntryId(db: Executor): Promise<number> {
  const [row] = await rows<{ id: string | number | null }>(db, sql`select max(id) as id from ai_semantic_cache`)
  return Number(row?.id ?? 0)
}

/** The stored answer of an unexpired entry of this tenant and scope (the index's pick, checked again). */
export async function findSemanticEntry(
  db: Database,
  key: { id: number; tenant: string; scope: string; now: Date },
): Promise<unknown> {
  // On the driver: a lookup's hot read (db.ts, `driverRows`).
  const [row] = await driverRows<{ value: unknown }>(
    db,
    sql`select value from ai_semantic_cache
      where id = ${key.id} and tenant = ${key.tenant} and scope = ${key.scope}
        and expires_at > ${key.now.toISOString()}::timestamptz`,
  )
  return row?.value
}

/** Delete expired entries; how many. */
export async function deleteExpiredSemanticEntries(db: Executor, now: Date): Promise<number> {
  const deleted = await rows<{ n: string | number }>(
    db,
    sql`with d as (delete from ai_semantic_cache where expires_at <= ${now.toISOString()}::timestamptz returning 1)
      select count(*) as n from d`,
  )
  return Number(deleted[0]?.n ?? 0)
}

/** Store many entries in one statement (benchmarks, imports). */
export async function insertSemanticEntries(
  db: Executor,
  entries: NewSemanticRow[],
  options: InsertOptions = {},
): Promise<void> {
  if (entries.length === 0) return
  const values = entries.map(
    (row) =>
      sql`(${row.tenant}, ${row.scope}, ${row.embeddingModel}, ${row.embedding.length}, ${bytesOf(row.embedding)},
        ${JSON.stringify(row.value)}::jsonb, ${row.userId ?? null}, ${row.expiresAt.toISOString()}::timestamptz
        ${options.vector ? sql`, ${vectorText(row.embedding)}::vector` : sql``})`,
  )
  await db.execute(
    sql`insert into ai_semantic_cache (tenant, scope, embedding_model, dimensions, embedding, value, user_id, expires_at
        ${options.vector ? sql`, embedding_vector` : sql``})
      values ${sql.join(values, sql`, `)}`,
  )
}
