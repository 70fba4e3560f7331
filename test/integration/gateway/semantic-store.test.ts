import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src/data/db.ts'
import { insertSemanticEntries } from '../../../src/data/repositories/semantic-cache.ts'
import { normalize } from '../../../src/gateway/semantic-cache/ivf.ts'
import { createSemanticStore, type SemanticSearch } from '../../../src/gateway/semantic-cache/store.ts'
import { BACKENDS, createTestDatabase, type BackendKind, type TestDatabase } from '../../helpers/backends.ts'

/**
 * The semantic cache's two searches behind one store (issue 13, item 7): pgvector (PGlite always
 * loads it; PostgreSQL when the server has it) and the in-process IVF index (this machine's
 * PostgreSQL 15, or `search: 'ivf'`). The same cases on each: a hit at or above the threshold and a
 * miss below it, tenant and scope isolation among thousands of other tenants' near duplicates,
 * expiry, rows written by another process, and a start-up that runs twice.
 */

const DIMS = 64
const MODEL = 'test-embed'

/** Seeded unit vectors. */
function generator(seed: number) {
  let s = seed
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s / 2147483648 - 0.5
  }
  return () => normalize(Array.from({ length: DIMS }, next))
}
const dot = (a: Float32Array, b: Float32Array) => a.reduce((n, x, i) => n + x * (b[i] as number), 0)
/** `v` moved towards `w` until their cosine is about `target`. */
function towards(v: Float32Array, w: Float32Array, amount: number) {
  return normalize(Array.from(v, (x, i) => x * (1 - amount) + (w[i] as number) * amount))
}

type Variant = { backend: BackendKind; search: SemanticSearch | 'auto' }
const variants: Variant[] = [
  ...BACKENDS.map((backend): Variant => ({ backend, search: 'auto' })),
  // The in-process index on each database, also where the server has pgvector.
  ...BACKENDS.map((backend): Variant => ({ backend, search: 'ivf' })),
]

for (const variant of variants) {
  describe(`semantic store [${variant.backend}, search ${variant.search}]`, () => {
    let t: TestDatabase
    let expected: SemanticSearch
    const random = generator(7)
    const mine = Array.from({ length: 20 }, random)
    const expiresAt = new Date(Date.now() + 3_600_000)

    beforeAll(async () => {
      t = await createTestDatabase(variant.backend)
      const [available] = await t.db.query<{ name: string }>(
        `select name from pg_available_extensions where name = 'vector'`,
      )
      // PGlite ships pgvector (our dependency); this machine's PostgreSQL 15 has none.
      if (variant.backend === 'pglite') expect(available).toBeDefined()
      expected = variant.search === 'ivf' || !available ? 'ivf' : 'pgvector'
      // Rows written before the store starts (and without `embedding_vector`): 3,000 of other
      // tenants, each a near duplicate of one of ours, and ours, in tenant `a`, scope `s`.
      const others = Array.from({ length: 3000 }, (_, i) =>
        towards(mine[i % mine.length] as Float32Array, random(), 0.02),
      )
      for (let i = 0; i < others.length; i += 500)
        await insertSemanticEntries(
          t.db.orm,
          others.slice(i, i + 500).map((embedding, k) => ({
            tenant: `other-${(i + k) % 40}`,
            scope: 's',
            embeddingModel: MODEL,
            embedding,
            value: { value: `theirs ${i + k}` },
            userId: undefined,
            expiresAt,
          })),
        )
      await insertSemanticEntries(
        t.db.orm,
        mine.map((embedding, i) => ({
          tenant: 'a',
          scope: 's',
          embeddingModel: MODEL,
          embedding,
          value: { value: `mine ${i}` },
          userId: undefined,
          expiresAt,
        })),
      )
    })
    afterAll(async () => {
      await t?.drop()
    })

    const open = () =>
      createSemanticStore({ db: t.db, embeddingModel: MODEL, dimensions: DIMS, refreshMs: 0, search: variant.search })

    it('starts on the expected search, and starts again on the same database', async () => {
      // A pino logger into memory: the first pgvector start over the 3,020 stored rows warns that it
      // builds the index (on PGlite it stops the event loop); a second start finds it built.
      const lines: Array<{ level: number; msg: string; entries?: number }> = []
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
      const first = createSemanticStore({
        db: t.db,
        embeddingModel: MODEL,
        dimensions: DIMS,
        search: variant.search,
        logger,
      })
      await first.ready
      const building = lines.filter((l) => l.msg.includes('building pgvector'))
      if (expected === 'pgvector') {
        expect(building).toEqual([expect.objectContaining({ level: 40, entries: 3020 })])
        if (variant.backend === 'pglite') expect(building[0]?.msg).toMatch(/answers nothing until it ends/)
      } else expect(building).toEqual([])
      expect(first.search).toBe(expected)
      expect(first.size()).toBe(3020)
      lines.length = 0
      const second = createSemanticStore({
        db: t.db,
        embeddingModel: MODEL,
        dimensions: DIMS,
        search: variant.search,
        logger,
      })
      await second.ready
      expect(second.search).toBe(expected)
      expect(lines.filter((l) => l.msg.includes('building pgvector'))).toEqual([])
      expect(lines.map((l) => l.msg)).toContainEqual(
        expect.stringMatching(`search by ${expected === 'pgvector' ? 'pgvector' : 'the in-process IVF'}`),
      )
      if (expected === 'pgvector') {
        const [row] = await t.db.query<{ n: string }>(
          'select count(*) as n from ai_semantic_cache where embedding_vector is null',
        )
        // Rows written without the vector column were filled at the first start.
        expect(Number(row?.n)).toBe(0)
        const indexes = await t.db.query<{ indexname: string }>(
          `select indexname from pg_indexes where tablename = 'ai_semantic_cache' and indexdef like '%hnsw%vector_cosine_ops%'`,
        )
        expect(indexes.map((i) => i.indexname)).toEqual([`ai_semantic_cache_hnsw_${DIMS}`])
      }
      first.close()
      second.close()
    })

    it('hits at or above the threshold with the similarity, misses below it', async () => {
      const store = open()
      const target = mine[3] as Float32Array
      const query = towards(target, random(), 0.25)
      const similarity = dot(query, target)
      expect(similarity).toBeGreaterThan(0.8)
      expect(similarity).toBeLessThan(0.99)
      const hit = await store.lookup({ tenant: 'a', scope: 's', vector: query, threshold: similarity - 0.01 })
      expect(hit).toMatchObject({ value: { value: 'mine 3' }, similarity: expect.closeTo(similarity, 4) })
      expect(await store.lookup({ tenant: 'a', scope: 's', vector: query, threshold: similarity + 0.01 })).toBe(
        undefined,
      )
      // A query unlike anything stored misses at a usual threshold.
      expect(await store.lookup({ tenant: 'a', scope: 's', vector: random(), threshold: 0.9 })).toBe(undefined)
      store.close()
    })

    it('keeps tenants and scopes apart, even where another tenant has the nearer vector', async () => {
      const store = open()
      for (let i = 0; i < mine.length; i++) {
        const query = mine[i] as Float32Array
        // Ours: the exact vector.
        expect(await store.lookup({ tenant: 'a', scope: 's', vector: query, threshold: 0.99 })).toMatchObject({
          value: { value: `mine ${i}` },
        })
        // Tenant other-k holds near duplicates of ours (k ≡ i mod 20 among 40 tenants): never ours.
        const theirs = await store.lookup({ tenant: `other-${i}`, scope: 's', vector: query, threshold: 0.9 })
        expect(theirs?.value).toMatchObject({ value: expect.stringMatching(/^theirs /) })
      }
      expect(await store.lookup({ tenant: 'a', scope: 'other', vector: mine[0]!, threshold: 0.1 })).toBe(undefined)
      expect(await store.lookup({ tenant: 'nobody', scope: 's', vector: mine[0]!, threshold: 0.1 })).toBe(undefined)
      store.close()
    })

    it('answers rows another process stores, never an expired one', async () => {
      const reader = open()
      const writer = open()
      const vector = random()
      const id = await writer.store({
        tenant: 'b',
        scope: 's',
        vector,
        value: { value: 'new' },
        ttlSeconds: 60,
        userId: undefined,
      })
      expect(await reader.lookup({ tenant: 'b', scope: 's', vector, threshold: 0.99 })).toMatchObject({
        id,
        value: { value: 'new' },
      })
      await t.db.query(`update ai_semantic_cache set expires_at = now() - interval '1 second' where id = $1`, [id])
      expect(await reader.lookup({ tenant: 'b', scope: 's', vector, threshold: 0.5 })).toBe(undefined)
      reader.close()
      writer.close()
    })

    if (variant.search === 'auto')
      it('walks the HNSW graph past other tenants when the planner takes it (iterative scan)', async (ctx) => {
        if (expected !== 'pgvector') ctx.skip()
        // Make the graph the only way in, as for a tenant holding most rows. PGlite has one session;
        // on PostgreSQL the setting is the database's, so the store gets a pool of new connections
        // (each turns iterative scans on for itself at its first lookup).
        let db = t.db
        if (variant.backend === 'pglite') await t.db.exec('set enable_seqscan = off')
        else {
          await t.db.exec(`alter database ${t.name} set enable_seqscan = off`)
          db = await openDatabase({ kind: 'postgres', url: t.url as string, poolSize: 3 })
        }
        const store = createSemanticStore({ db, embeddingModel: MODEL, dimensions: DIMS, search: 'pgvector' })
        await store.ready
        await t.db.exec('drop index ai_semantic_cache_partition_idx')
        try {
          const plan = await db.query<{ 'QUERY PLAN': string }>(
            `explain select id from ai_semantic_cache where tenant = 'a' and scope = 's' and embedding_model = $2
               and dimensions = ${DIMS} order by embedding_vector::vector(${DIMS}) <=> $1::vector(${DIMS}) limit 1`,
            [`[${Array.from(mine[0]!).join(',')}]`, MODEL],
          )
          expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(`ai_semantic_cache_hnsw_${DIMS}`)
          // Tenant `a` holds 20 of 3,020 rows, each with 75 near duplicates in other tenants: a plain
          // filtered scan (ef_search 40) comes back short for about a third of them. The graph is
          // approximate (a point among many near duplicates can lose its incoming edges), so: nearly
          // all found, and whatever is answered is tenant `a`'s own. Concurrent lookups, so that
          // more than one pooled connection serves them.
          const hits = await Promise.all(
            mine.map((vector) =>
              store.lookup({ tenant: 'a', scope: 's', vector: towards(vector, random(), 0.1), threshold: 0.9 }),
            ),
          )
          hits.forEach((hit, i) => {
            if (hit) expect(hit.value).toEqual({ value: `mine ${i}` })
          })
          expect(hits.filter(Boolean).length).toBeGreaterThanOrEqual(18)
        } finally {
          store.close()
          if (variant.backend === 'pglite') await t.db.exec('reset enable_seqscan')
          else {
            await db.close()
            await t.db.exec(`alter database ${t.name} reset enable_seqscan`)
          }
          // The next start puts the index back.
          await open().ready
        }
      })

    if (variant.backend === 'postgres' && variant.search === 'auto')
      it('falls back to the in-process index, saying why, when its role may not create the extension', async (ctx) => {
        if (expected !== 'pgvector') ctx.skip()
        // pgvector is not a trusted extension: a role without superuser cannot create it. A fresh
        // database (no extension yet) whose table that role owns.
        const other = await createTestDatabase('postgres')
        const role = `oq_plain_${other.name.slice(-8)}`
        await other.db.exec(`create role ${role} login; alter table ai_semantic_cache owner to ${role}`)
        const url = new URL(other.url as string)
        url.username = role
        const db = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 2 })
        try {
          const lines: Array<{ level: number; msg: string; err?: { message?: string } }> = []
          const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
          const store = createSemanticStore({ db, embeddingModel: MODEL, dimensions: DIMS, logger })
          await store.ready
          expect(store.search).toBe('ivf')
          expect(lines).toContainEqual(
            expect.objectContaining({
              level: 40,
              msg: 'semantic cache: pgvector could not be set up (permission denied to create extension "vector"); using the in-process index',
            }),
          )
          // And it serves: a stored entry is found again.
          const vector = random()
          const id = await store.store({
            tenant: 'a',
            scope: 's',
            vector,
            value: { v: 1 },
            ttlSeconds: 60,
            userId: undefined,
          })
          expect(await store.lookup({ tenant: 'a', scope: 's', vector, threshold: 0.99 })).toMatchObject({
            id,
            value: { v: 1 },
          })
          store.close()
          // Asked for by name, the same failure stops the start.
          const forced = createSemanticStore({ db, embeddingModel: MODEL, dimensions: DIMS, search: 'pgvector' })
          await expect(forced.ready).rejects.toThrow(
            'semantic cache: pgvector asked for, but it could not be set up: permission denied to create extension "vector"',
          )
          forced.close()
        } finally {
          await db.close()
          await other.drop()
          await t.db.exec(`drop role if exists ${role}`)
        }
      })

    if (variant.backend === 'postgres')
      it('fails the start-up when pgvector is asked for and the server has none', async () => {
        const [available] = await t.db.query(`select 1 from pg_available_extensions where name = 'vector'`)
        const forced = createSemanticStore({ db: t.db, embeddingModel: MODEL, dimensions: DIMS, search: 'pgvector' })
        if (available) await expect(forced.ready).resolves.toBeUndefined()
        else await expect(forced.ready).rejects.toThrow(/no pgvector/)
        forced.close()
      })
  })
}
