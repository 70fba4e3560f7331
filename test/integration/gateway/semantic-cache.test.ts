import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { normalize } from '../../../src/gateway/semantic-cache/ivf.ts'
import { createSemanticStore } from '../../../src/gateway/semantic-cache/store.ts'
import { hashedEmbedding } from '../../../src/simulator/embeddings.ts'
import { createSimulator, type Simulator } from '../../../src/simulator/index.ts'
import { signUp } from '../../helpers/app.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'

/**
 * The semantic cache (issue 13, item 7) on both databases, each with the search it gets: pgvector on
 * PGlite (it loads the extension), the in-process IVF index on this machine's PostgreSQL 15 (no
 * pgvector; semantic-store.test.ts runs each search on its own). A similar prompt on a route with the cache
 * answers from it (`x-optimaliq-cache: semantic`, free in the ledger), a prompt below the threshold,
 * other parameters or another tenant does not, entries survive a restart (rebuilt from the table) and
 * rows another process wrote are found.
 */
describeBackends('semantic cache', (backend) => {
  let sim: Simulator
  let t: GatewayTestApp
  let alice: Awaited<ReturnType<typeof userWithKey>>
  const THRESHOLD = 0.9
  const DIMS = 256

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    const dir = mkdtempSync(join(tmpdir(), 'oq-semantic-'))
    const file = join(dir, 'config.json')
    writeFileSync(
      file,
      JSON.stringify({
        semanticCache: {
          embeddingModel: 'text-embedding-3-small',
          dimensions: DIMS,
          refreshMs: 0,
          routes: { default: { threshold: THRESHOLD, ttlSeconds: 3600 } },
        },
      }),
    )
    t = await startGatewayApp(backend, { ...sim.env(['openai']), AI_PROVIDER: 'openai', OPTIMALIQ_CONFIG: file })
    alice = await userWithKey(t.app)
  })
  afterAll(async () => {
    await t?.close()
    await sim?.close()
  })
  beforeEach(() => sim.resetStats())

  const ask = (who: { v1: { authorization: string } }, content: string, extra: Record<string, unknown> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: who.v1,
      payload: { model: 'default', messages: [{ role: 'user', content }], ...extra },
    })

  /** The simulator's cosine of two prompts as the cache embeds them (`user: …`). */
  const similarity = (a: string, b: string) => {
    const x = hashedEmbedding(`user: ${a}`, DIMS)
    const y = hashedEmbedding(`user: ${b}`, DIMS)
    return x.reduce((n, v, i) => n + v * (y[i] as number), 0)
  }

  const stored = async () => {
    const [row] = await t.database.db.query<{ n: string }>('select count(*) as n from ai_semantic_cache')
    return Number(row?.n)
  }
  /** Entries are stored once the answer settled (in the background): wait for the count. */
  const storedAtLeast = async (n: number) => {
    for (let i = 0; i < 100 && (await stored()) < n; i++) await new Promise((r) => setTimeout(r, 20))
    expect(await stored()).toBeGreaterThanOrEqual(n)
  }

  const ledger = async (requestId: string) => {
    await t.container.ai.ledger?.flush()
    return t.database.db.query<{ feature: string; cache_hit: boolean; cost_usd: string | null; model: string }>(
      'select feature, cache_hit, cost_usd, model from ai_log where request_id = $1 order by feature',
      [requestId],
    )
  }

  const first = 'What are three practical ways to grow revenue for my small bakery this year?'
  const near = 'What are three practical ways to grow the revenue for my small bakery this year?'
  const far = 'How should I prepare the quarterly VAT filing for a consultancy in Germany?'

  it('searches with pgvector where the server has it, else the in-process index, and says which', async () => {
    const [available] = await t.database.db.query(`select 1 from pg_available_extensions where name = 'vector'`)
    const expected = available ? 'pgvector' : 'ivf'
    if (backend === 'pglite') expect(expected).toBe('pgvector')
    await ask(alice, 'a first question so the cache has started')
    await storedAtLeast(1)
    expect(t.container.ai.semanticCacheStatus()).toMatchObject({ search: expected })
    const admin = await signUp(t.app, { email: 'admin@example.com' })
    const report = await t.app.inject({ method: 'GET', url: '/api/admin/ai/providers', headers: admin.auth })
    expect(report.json()).toMatchObject({ semanticCache: { search: expected } })
  })

  it('answers a similar prompt from the cache, labelled semantic and free in the ledger', async () => {
    expect(similarity(first, near)).toBeGreaterThanOrEqual(THRESHOLD)
    const before = await stored()
    const miss = await ask(alice, first)
    expect(miss.statusCode).toBe(200)
    expect(miss.headers['x-optimaliq-cache']).toBe('miss')
    await storedAtLeast(before + 1)

    const hit = await ask(alice, near)
    expect(hit.statusCode).toBe(200)
    expect(hit.headers['x-optimaliq-cache']).toBe('semantic')
    expect(hit.headers['x-optimaliq-provider']).toBe('openai')
    expect(hit.body).toBe(miss.body)
    // Two embeddings and one chat completion reached the provider.
    expect(sim.stats().byProvider.openai).toBe(3)

    const rows = await ledger(String(hit.headers['x-request-id']))
    const chat = rows.find((r) => r.feature === 'v1')
    expect(chat).toMatchObject({ cache_hit: true })
    expect(Number(chat!.cost_usd)).toBe(0)
    // The prompt's embedding is a ledgered call of its own, at the embedding model's price.
    const embedding = rows.find((r) => r.feature === 'semantic_cache')
    expect(embedding).toMatchObject({ cache_hit: false, model: 'text-embedding-3-small' })
    expect(Number(embedding!.cost_usd)).toBeGreaterThan(0)
  })

  it('misses below the threshold, with other parameters, and on a route without the cache', async () => {
    expect(similarity(first, far)).toBeLessThan(THRESHOLD)
    const distant = await ask(alice, far)
    expect(distant.headers['x-optimaliq-cache']).toBe('miss')
    const warmer = await ask(alice, near, { temperature: 1.5 })
    expect(warmer.headers['x-optimaliq-cache']).toBe('miss')
    sim.resetStats()
    const elsewhere = await ask(alice, first, { model: 'openai/gpt-4.1-mini' })
    expect(elsewhere.headers['x-optimaliq-cache']).toBe('miss')
    // No semantic cache on that route: no embedding call, only the completion.
    expect(sim.stats().byProvider.openai).toBe(1)
  })

  it('keeps tenants apart: another user with the same prompt misses, then hits their own entry', async () => {
    await storedAtLeast(1)
    const bob = await userWithKey(t.app)
    const before = await stored()
    const theirs = await ask(bob, first)
    expect(theirs.headers['x-optimaliq-cache']).toBe('miss')
    await storedAtLeast(before + 1)
    const again = await ask(bob, near)
    expect(again.headers['x-optimaliq-cache']).toBe('semantic')
    expect(again.body).toBe(theirs.body)
  })

  it('rebuilds from the table at start and reads rows another process added', async () => {
    await storedAtLeast(1)
    const [row] = await t.database.db.query<{ tenant: string; scope: string }>(
      'select tenant, scope from ai_semantic_cache where tenant = $1 order by id limit 1',
      [alice.user.id],
    )
    const query = normalize(hashedEmbedding(`user: ${near}`, DIMS))
    // A new process: its index is built from the stored rows.
    const restarted = createSemanticStore({
      db: t.database.db,
      embeddingModel: 'text-embedding-3-small',
      dimensions: DIMS,
      refreshMs: 0,
    })
    const found = await restarted.lookup({
      tenant: row!.tenant,
      scope: row!.scope,
      vector: query,
      threshold: THRESHOLD,
    })
    expect(found?.similarity).toBeGreaterThanOrEqual(THRESHOLD)
    expect(found?.value).toMatchObject({ provider: 'openai' })
    expect(await restarted.lookup({ tenant: 'someone-else', scope: row!.scope, vector: query, threshold: 0.1 })).toBe(
      undefined,
    )
    // Another process stores an entry: this one reads it on its next lookup.
    const other = createSemanticStore({ db: t.database.db, embeddingModel: 'text-embedding-3-small', dimensions: DIMS })
    const vector = normalize(hashedEmbedding('user: a brand new question about hiring', DIMS))
    const id = await other.store({
      tenant: 't-x',
      scope: 's-x',
      vector,
      value: { value: 'v' },
      ttlSeconds: 60,
      userId: undefined,
    })
    const seen = await restarted.lookup({ tenant: 't-x', scope: 's-x', vector, threshold: 0.99 })
    expect(seen).toMatchObject({ id, value: { value: 'v' } })
    // An expired entry is not an answer.
    const gone = await other.store({
      tenant: 't-y',
      scope: 's-y',
      vector,
      value: { value: 'old' },
      ttlSeconds: 1,
      userId: undefined,
    })
    await t.database.db.query(`update ai_semantic_cache set expires_at = now() - interval '1 second' where id = $1`, [
      gone,
    ])
    expect(await other.lookup({ tenant: 't-y', scope: 's-y', vector, threshold: 0.5 })).toBeUndefined()
    expect(restarted.size()).toBeGreaterThan(0)
    restarted.close()
    other.close()
  })

  it('answers uncached when the embedding fails', async () => {
    sim.setFaults({ status: 400 }, 'openai')
    // Every openai call fails here, so the completion fails too, but with the provider's error, not the cache's.
    const failed = await ask(alice, 'an unrelated question about supply chains')
    expect(failed.statusCode).toBe(400)
    sim.clearFaults()
  })
})
