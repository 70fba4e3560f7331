import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../src/data/db.ts'
import { resolveTierLimits } from '../../src/ai/limits/config.ts'
import { RateLimitedError } from '../../src/ai/limits/errors.ts'
import { createProviderPacer } from '../../src/ai/limits/provider-pacing.ts'
import { createRateLimitGuard } from '../../src/ai/limits/rate-limits.ts'
import { clearExpiredLimits, ensureLimiterTable } from '../../src/ai/limits/pg-store.ts'
import type { AiMeta } from '../../src/ai/types.ts'
import { createTestDatabase, describeBackends, type TestDatabase } from '../helpers/backends.ts'

const meta = (over: Partial<AiMeta> = {}): AiMeta => ({
  requestId: 'r',
  provider: 'openai',
  model: 'gpt-4.1-mini',
  modelVersion: undefined,
  usage: { inputTokens: undefined, outputTokens: undefined },
  costUsd: undefined,
  latencyMs: 10,
  cached: false,
  fallbackUsed: false,
  attempts: [],
  ...over,
})

async function refusal(p: Promise<unknown>): Promise<RateLimitedError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(RateLimitedError)
  return error as RateLimitedError
}

const uid = () => crypto.randomUUID()

describeBackends('rate limits', (backend) => {
  let database: TestDatabase
  let second: Database | undefined
  beforeAll(async () => {
    database = await createTestDatabase(backend)
    // A second, separate connection pool on the same PostgreSQL: what another process would have.
    second = database.url ? await openDatabase({ kind: 'postgres', url: database.url, poolSize: 2 }) : undefined
  })
  afterAll(async () => {
    await second?.close()
    await database.drop()
  })

  it('allows exactly the tier limit per minute, then refuses with headers naming the limit', async () => {
    const guard = await createRateLimitGuard({ db: database.db, limits: resolveTierLimits({}) })
    const caller = { userId: uid(), tier: 'free' as const }
    for (let i = 0; i < 10; i++) await guard.before(caller, { feature: 'f', estimatedTokens: 0 })
    const e = await refusal(guard.before(caller, { feature: 'f', estimatedTokens: 0 }))
    expect(e.details).toMatchObject({ limit: 'user.requests_per_minute', max: 10, remaining: 0 })
    expect(e.headers).toMatchObject({ 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0' })
    expect(Number(e.headers!['retry-after'])).toBeGreaterThan(0)
    expect(Number(e.headers!['retry-after'])).toBeLessThanOrEqual(60)
    expect(Number(e.headers!['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000)
    // Premium callers get their own, larger limit.
    const premium = { userId: uid(), tier: 'premium' as const }
    for (let i = 0; i < 60; i++) await guard.before(premium, { feature: 'f', estimatedTokens: 0 })
    expect((await refusal(guard.before(premium, { feature: 'f', estimatedTokens: 0 }))).details).toMatchObject({ max: 60 })
  })

  it('is shared by two limiter instances (two processes on PostgreSQL: separate pools)', async () => {
    const a = await createRateLimitGuard({ db: database.db, limits: resolveTierLimits({}) })
    const b = await createRateLimitGuard({ db: second ?? database.db, limits: resolveTierLimits({}) })
    const caller = { userId: uid(), tier: 'free' as const }
    for (let i = 0; i < 10; i++) await (i % 2 === 0 ? a : b).before(caller, { feature: 'f', estimatedTokens: 0 })
    await refusal(a.before(caller, { feature: 'f', estimatedTokens: 0 }))
    await refusal(b.before(caller, { feature: 'f', estimatedTokens: 0 }))
  })

  it('limits per hour, and a refused request does not count against the other windows', async () => {
    const guard = await createRateLimitGuard({ db: database.db, limits: resolveTierLimits({ free: { perMinute: 100, perHour: 5 } }), keyPrefix: 'hour' })
    const caller = { userId: uid(), tier: 'free' as const }
    for (let i = 0; i < 5; i++) await guard.consumeRequest(caller)
    expect((await refusal(guard.consumeRequest(caller))).details).toMatchObject({ limit: 'user.requests_per_hour', max: 5 })
    const standing = await guard.peek(caller)
    expect(standing.find((s) => s.limit === 'user.requests_per_minute')).toMatchObject({ max: 100, remaining: 95 })
    expect(standing.find((s) => s.limit === 'user.requests_per_day')).toMatchObject({ remaining: 995 })
  })

  it('limits API keys separately from their user', async () => {
    const guard = await createRateLimitGuard({ db: database.db, limits: resolveTierLimits({ free: { perMinute: 3 } }), keyPrefix: 'keys' })
    const userId = uid()
    const apiKeyId = uid()
    for (let i = 0; i < 3; i++) await guard.before({ apiKeyId, tier: 'free' }, { feature: 'f', estimatedTokens: 0 })
    expect((await refusal(guard.before({ apiKeyId, tier: 'free' }, { feature: 'f', estimatedTokens: 0 }))).details).toMatchObject({ limit: 'api_key.requests_per_minute', scope: 'api_key' })
    // The user alone still has their three.
    for (let i = 0; i < 3; i++) await guard.before({ userId, tier: 'free' }, { feature: 'f', estimatedTokens: 0 })
  })

  it('limits tokens per day, settling estimates against real usage', async () => {
    const guard = await createRateLimitGuard({ db: database.db, limits: resolveTierLimits({ free: { tokensPerDay: 1_000 } }), keyPrefix: 'tok' })
    const userId = uid()
    await guard.before({ userId, tier: 'free', requestId: 'q1' }, { feature: 'f', estimatedTokens: 600 })
    const e = await refusal(guard.before({ userId, tier: 'free', requestId: 'q2' }, { feature: 'f', estimatedTokens: 600 }))
    expect(e.details).toMatchObject({ limit: 'user.tokens_per_day', max: 1_000 })
    // The first call used 100 tokens, not 600: 500 come back.
    await guard.after({ userId, tier: 'free', requestId: 'q1' }, { feature: 'f', meta: meta({ requestId: 'q1', usage: { inputTokens: 60, outputTokens: 40 } }) })
    await guard.before({ userId, tier: 'free', requestId: 'q3' }, { feature: 'f', estimatedTokens: 600 })
    // Spending more than estimated is charged too: 600 + 100 + 400 = 1,100 > 1,000.
    await guard.after({ userId, tier: 'free', requestId: 'q3' }, { feature: 'f', meta: meta({ requestId: 'q3', usage: { inputTokens: 900, outputTokens: 100 } }) })
    await refusal(guard.before({ userId, tier: 'free' }, { feature: 'f', estimatedTokens: 1 }))
    const standing = await guard.peek({ userId, tier: 'free' })
    expect(standing.find((s) => s.limit === 'user.tokens_per_day')).toMatchObject({ remaining: 0 })
    // Refused token requests did not use up request slots: 2 passed + 0 refused.
    expect(standing.find((s) => s.limit === 'user.requests_per_minute')).toMatchObject({ remaining: 8 })
  })

  it('gives back the estimate of a cache hit', async () => {
    const guard = await createRateLimitGuard({ db: database.db, limits: resolveTierLimits({ free: { tokensPerDay: 1_000 } }), keyPrefix: 'cache' })
    const userId = uid()
    await guard.before({ userId, tier: 'free', requestId: 'c1' }, { feature: 'f', estimatedTokens: 900 })
    await guard.after({ userId, tier: 'free', requestId: 'c1' }, { feature: 'f', meta: meta({ requestId: 'c1', cached: true }) })
    await guard.before({ userId, tier: 'free', requestId: 'c2' }, { feature: 'f', estimatedTokens: 900 })
  })

  it('paces providers by requests and tokens per minute, shared through the database', async () => {
    const pacer = await createProviderPacer({ db: database.db, pacing: { openai: { rpm: 2, tpm: 1_000 }, anthropic: { tpm: 500 } } })
    const other = await createProviderPacer({ db: second ?? database.db, pacing: { openai: { rpm: 2, tpm: 1_000 }, anthropic: { tpm: 500 } } })
    expect(await pacer.canUse('openai', 100)).toEqual({ ok: true })
    expect(await pacer.reserve('openai', 100)).toEqual({ ok: true })
    expect(await other.reserve('openai', 100)).toEqual({ ok: true })
    const third = await pacer.reserve('openai', 100)
    expect(third).toMatchObject({ ok: false, limit: 'rpm' })
    expect(await other.canUse('openai', 1)).toMatchObject({ ok: false, limit: 'rpm' })
    expect(await pacer.acquire('openai', 1, { maxWaitMs: 0 })).toBe(false)
    // Tokens: 400 fits, 200 more does not; settling a smaller real count makes room.
    expect(await pacer.reserve('anthropic', 400)).toEqual({ ok: true })
    expect(await pacer.canUse('anthropic', 200)).toMatchObject({ ok: false, limit: 'tpm' })
    expect(await pacer.reserve('anthropic', 200)).toMatchObject({ ok: false, limit: 'tpm' })
    await pacer.settle('anthropic', 400, 250)
    expect(await other.reserve('anthropic', 200)).toEqual({ ok: true })
    // Unpaced providers always pass; acquire waits (fake sleep) and retries.
    expect(await pacer.reserve('mistral', 10_000)).toEqual({ ok: true })
    const slept: number[] = []
    const sleep = async (ms: number) => {
      slept.push(ms)
      // Meanwhile the window moves on: the earlier tokens are given back.
      await pacer.settle('anthropic', 450, 0)
    }
    expect(await pacer.acquire('anthropic', 100, { maxWaitMs: 120_000, sleep })).toBe(true)
    expect(slept.length).toBe(1)
  })

  it('refuses a key already over from memory, without the database', async () => {
    const guard = await createRateLimitGuard({ db: database.db, limits: resolveTierLimits({ free: { perMinute: 2 } }), keyPrefix: 'mem' })
    const caller = { userId: uid(), tier: 'free' as const }
    await guard.consumeRequest(caller)
    await guard.consumeRequest(caller)
    await refusal(guard.consumeRequest(caller))
    // With the table gone every query would fail: the refusal still comes, from memory.
    await database.db.exec('alter table rate_limits rename to rate_limits_away')
    try {
      await refusal(guard.consumeRequest(caller))
    } finally {
      await database.db.exec('alter table rate_limits_away rename to rate_limits')
    }
    await ensureLimiterTable(database.db)
    expect(await clearExpiredLimits(database.db, Date.now() + 2 * 86_400_000)).toBeGreaterThan(0)
  })
})

describe('rate limit snapshot', () => {
  it('consumeRequest returns the tightest window', async () => {
    const database = await createTestDatabase('pglite')
    try {
      const guard = await createRateLimitGuard({ db: database.db, limits: resolveTierLimits({}) })
      const snap = await guard.consumeRequest({ userId: uid(), tier: 'free' })
      expect(snap).toMatchObject({ limit: 'user.requests_per_minute', max: 10, remaining: 9 })
      expect(await guard.consumeRequest({ tier: 'free' })).toBeUndefined()
    } finally {
      await database.drop()
    }
  })
})
