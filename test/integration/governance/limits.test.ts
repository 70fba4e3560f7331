import { describe, expect, it } from 'vitest'
import { resolveTierLimits } from '../../../src/governance/limits/config.ts'
import { RateLimitedError } from '../../../src/governance/limits/errors.ts'
import { createProviderPacer } from '../../../src/governance/limits/provider-pacing.ts'
import { createRateLimitGuard } from '../../../src/governance/limits/rate-limits.ts'
import { clearExpiredLimits, createCounterPool } from '../../../src/governance/limits/counters.ts'
import type { AiMeta } from '../../../src/gateway/types.ts'
import { createTestDatabase, describeBackends } from '../../helpers/backends.ts'
import { useCounterProcesses } from '../../helpers/counters.ts'

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
  // One counter pool per simulated process (each holds its own leases).
  const procs = useCounterProcesses(backend)
  const pool = procs.pool

  it('allows exactly the tier limit per minute, then refuses with headers naming the limit', async () => {
    const guard = createRateLimitGuard({ counters: pool(procs.db), limits: resolveTierLimits({}) })
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
    expect((await refusal(guard.before(premium, { feature: 'f', estimatedTokens: 0 }))).details).toMatchObject({
      max: 60,
    })
  })

  it('is shared by two limiter instances (two processes on PostgreSQL: separate pools)', async () => {
    const a = createRateLimitGuard({ counters: pool(procs.db), limits: resolveTierLimits({}) })
    const b = createRateLimitGuard({ counters: pool(procs.other), limits: resolveTierLimits({}) })
    const caller = { userId: uid(), tier: 'free' as const }
    for (let i = 0; i < 10; i++) await (i % 2 === 0 ? a : b).before(caller, { feature: 'f', estimatedTokens: 0 })
    await refusal(a.before(caller, { feature: 'f', estimatedTokens: 0 }))
    await refusal(b.before(caller, { feature: 'f', estimatedTokens: 0 }))
  })

  it('limits per hour, and a refused request does not count against the other windows', async () => {
    const guard = createRateLimitGuard({
      counters: pool(procs.db),
      limits: resolveTierLimits({ free: { perMinute: 100, perHour: 5 } }),
      keyPrefix: 'hour',
    })
    const caller = { userId: uid(), tier: 'free' as const }
    for (let i = 0; i < 5; i++) await guard.consumeRequest(caller)
    expect((await refusal(guard.consumeRequest(caller))).details).toMatchObject({
      limit: 'user.requests_per_hour',
      max: 5,
    })
    const standing = await guard.peek(caller)
    expect(standing.find((s) => s.limit === 'user.requests_per_minute')).toMatchObject({ max: 100, remaining: 95 })
    expect(standing.find((s) => s.limit === 'user.requests_per_day')).toMatchObject({ remaining: 995 })
  })

  it('limits API keys separately from their user', async () => {
    const guard = createRateLimitGuard({
      counters: pool(procs.db),
      limits: resolveTierLimits({ free: { perMinute: 3 } }),
      keyPrefix: 'keys',
    })
    const userId = uid()
    const apiKeyId = uid()
    for (let i = 0; i < 3; i++) await guard.before({ apiKeyId, tier: 'free' }, { feature: 'f', estimatedTokens: 0 })
    expect(
      (await refusal(guard.before({ apiKeyId, tier: 'free' }, { feature: 'f', estimatedTokens: 0 }))).details,
    ).toMatchObject({ limit: 'api_key.requests_per_minute', scope: 'api_key' })
    // The user alone still has their three.
    for (let i = 0; i < 3; i++) await guard.before({ userId, tier: 'free' }, { feature: 'f', estimatedTokens: 0 })
  })

  it('limits tokens per day, settling estimates against real usage', async () => {
    const guard = createRateLimitGuard({
      counters: pool(procs.db),
      limits: resolveTierLimits({ free: { tokensPerDay: 1_000 } }),
      keyPrefix: 'tok',
    })
    const userId = uid()
    await guard.before({ userId, tier: 'free', requestId: 'q1' }, { feature: 'f', estimatedTokens: 600 })
    const e = await refusal(
      guard.before({ userId, tier: 'free', requestId: 'q2' }, { feature: 'f', estimatedTokens: 600 }),
    )
    expect(e.details).toMatchObject({ limit: 'user.tokens_per_day', max: 1_000 })
    // The first call used 100 tokens, not 600: 500 come back.
    await guard.after(
      { userId, tier: 'free', requestId: 'q1' },
      { feature: 'f', meta: meta({ requestId: 'q1', usage: { inputTokens: 60, outputTokens: 40 } }) },
    )
    await guard.before({ userId, tier: 'free', requestId: 'q3' }, { feature: 'f', estimatedTokens: 600 })
    // Spending more than estimated is charged too: 600 + 100 + 400 = 1,100 > 1,000.
    await guard.after(
      { userId, tier: 'free', requestId: 'q3' },
      { feature: 'f', meta: meta({ requestId: 'q3', usage: { inputTokens: 900, outputTokens: 100 } }) },
    )
    await refusal(guard.before({ userId, tier: 'free' }, { feature: 'f', estimatedTokens: 1 }))
    const standing = await guard.peek({ userId, tier: 'free' })
    expect(standing.find((s) => s.limit === 'user.tokens_per_day')).toMatchObject({ remaining: 0 })
    // Refused token requests did not use up request slots: 2 passed + 0 refused.
    expect(standing.find((s) => s.limit === 'user.requests_per_minute')).toMatchObject({ remaining: 8 })
  })

  it('gives back the estimate of a cache hit', async () => {
    const guard = createRateLimitGuard({
      counters: pool(procs.db),
      limits: resolveTierLimits({ free: { tokensPerDay: 1_000 } }),
      keyPrefix: 'cache',
    })
    const userId = uid()
    await guard.before({ userId, tier: 'free', requestId: 'c1' }, { feature: 'f', estimatedTokens: 900 })
    await guard.after(
      { userId, tier: 'free', requestId: 'c1' },
      { feature: 'f', meta: meta({ requestId: 'c1', cached: true }) },
    )
    await guard.before({ userId, tier: 'free', requestId: 'c2' }, { feature: 'f', estimatedTokens: 900 })
  })

  it('paces providers by requests and tokens per minute, shared through the database', async () => {
    const pacers = pool(procs.db)
    const pacer = createProviderPacer({
      counters: pacers,
      pacing: { openai: { rpm: 2, tpm: 1_000 }, anthropic: { tpm: 500 } },
    })
    const other = createProviderPacer({
      counters: pool(procs.other),
      pacing: { openai: { rpm: 2, tpm: 1_000 }, anthropic: { tpm: 500 } },
    })
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
    // Settled in the background; `flush` writes it now (another process sees it within 100 ms anyway).
    pacer.settle('anthropic', 400, 250)
    await pacers.flush()
    expect(await other.reserve('anthropic', 200)).toEqual({ ok: true })
    // Unpaced providers always pass; acquire waits (fake sleep) and retries.
    expect(await pacer.reserve('mistral', 10_000)).toEqual({ ok: true })
    const slept: number[] = []
    const sleep = async (ms: number) => {
      slept.push(ms)
      // Meanwhile the window moves on: the earlier tokens are given back.
      pacer.settle('anthropic', 450, 0)
      await pacers.flush()
    }
    expect(await pacer.acquire('anthropic', 100, { maxWaitMs: 120_000, sleep })).toBe(true)
    expect(slept.length).toBe(1)
  })

  it('refuses a key already over from memory, without the database', async () => {
    const guard = createRateLimitGuard({
      counters: pool(procs.db),
      limits: resolveTierLimits({ free: { perMinute: 2 } }),
      keyPrefix: 'mem',
    })
    const caller = { userId: uid(), tier: 'free' as const }
    await guard.consumeRequest(caller)
    await guard.consumeRequest(caller)
    await refusal(guard.consumeRequest(caller))
    // With the table gone every query would fail: the refusal still comes, from memory.
    await procs.db.exec('alter table rate_limits rename to rate_limits_away')
    try {
      await refusal(guard.consumeRequest(caller))
    } finally {
      await procs.db.exec('alter table rate_limits_away rename to rate_limits')
    }
    expect(await clearExpiredLimits(procs.db, Date.now() + 2 * 86_400_000)).toBeGreaterThan(0)
  })
})

describe('rate limit snapshot', () => {
  it('consumeRequest returns the tightest window', async () => {
    const database = await createTestDatabase('pglite')
    const counters = createCounterPool(database.db)
    try {
      const guard = createRateLimitGuard({ counters, limits: resolveTierLimits({}) })
      const snap = await guard.consumeRequest({ userId: uid(), tier: 'free' })
      expect(snap).toMatchObject({ limit: 'user.requests_per_minute', max: 10, remaining: 9 })
      expect(await guard.consumeRequest({ tier: 'free' })).toBeUndefined()
    } finally {
      await counters.close()
      await database.drop()
    }
  })
})
