import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible'
import type { Tier } from '../../contracts/common.ts'
import type { Database } from '../../data/db.ts'
import type { AiCaller, AiGuard } from '../types.ts'
import type { TierLimits } from './config.ts'
import { RateLimitedError } from './errors.ts'
import { ensureLimiterTable, LIMITER_TABLE, limiterStoreClient } from './pg-store.ts'

/**
 * Request and token limits per user and per API key, by tier, shared by every process through
 * PostgreSQL (rate-limiter-flexible's Postgres store). A key already over a limit is refused from
 * memory until its window ends (`inMemoryBlockOnConsumed`), so refused traffic costs no query.
 */

const WINDOWS = [
  { name: 'minute', field: 'perMinute', seconds: 60 },
  { name: 'hour', field: 'perHour', seconds: 3_600 },
  { name: 'day', field: 'perDay', seconds: 86_400 },
] as const

type Window = (typeof WINDOWS)[number]['name'] | 'tokens_day'

export type RateLimitSnapshot = { limit: string; max: number; remaining: number; resetAt: Date }

export type RateLimitGuard = AiGuard & {
  /** Count one request for this caller (HTTP hooks use it); throws RateLimitedError. Returns the tightest window. */
  consumeRequest(caller: AiCaller): Promise<RateLimitSnapshot | undefined>
  /** Current standing without consuming. */
  peek(caller: AiCaller): Promise<RateLimitSnapshot[]>
}

function subjects(caller: AiCaller): Array<{ scope: 'user' | 'api_key'; id: string }> {
  const out: Array<{ scope: 'user' | 'api_key'; id: string }> = []
  if (caller.userId) out.push({ scope: 'user', id: caller.userId })
  if (caller.apiKeyId) out.push({ scope: 'api_key', id: caller.apiKeyId })
  return out
}

function refusal(scope: 'user' | 'api_key', window: Window, max: number, msBeforeNext: number): RateLimitedError {
  const name = window === 'tokens_day' ? 'tokens_per_day' : `requests_per_${window}`
  return new RateLimitedError({ limit: `${scope}.${name}`, scope, max, remaining: 0, resetAt: new Date(Date.now() + Math.max(0, msBeforeNext)), retryAfterMs: msBeforeNext })
}

/** Milliseconds this process still refuses the key from memory (rate-limiter-flexible's in-memory block; untyped there). */
function blockedFor(limiter: RateLimiterPostgres, key: string): number {
  const l = limiter as unknown as { getInMemoryBlockMsBeforeExpire?(rlKey: string): number }
  return l.getInMemoryBlockMsBeforeExpire?.(limiter.getKey(key)) ?? 0
}

function isLimiterRes(value: unknown): value is RateLimiterRes {
  return value instanceof RateLimiterRes
}

export async function createRateLimitGuard(deps: { db: Database; limits: TierLimits; keyPrefix?: string }): Promise<RateLimitGuard> {
  const { db, limits } = deps
  await ensureLimiterTable(db)
  const storeClient = limiterStoreClient(db)
  const prefix = deps.keyPrefix ?? 'ai'
  const make = (keyPrefix: string, points: number, duration: number, blockInMemory = true) =>
    new RateLimiterPostgres({
      storeClient,
      storeType: 'pool',
      tableName: LIMITER_TABLE,
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix,
      points,
      duration,
      // Refuse from memory once a key is over, until its window resets. Not for tokens: a
      // smaller request may still fit after a refused large one.
      ...(blockInMemory ? { inMemoryBlockOnConsumed: points + 1 } : {}),
    })

  const limiters = new Map<string, RateLimiterPostgres>()
  const tiers = Object.keys(limits) as Tier[]
  for (const tier of tiers) {
    const tierLimit = limits[tier]
    for (const w of WINDOWS) limiters.set(`${tier}:${w.name}`, make(`${prefix}_${w.name}_${tier}`, tierLimit[w.field], w.seconds))
    limiters.set(`${tier}:tokens_day`, make(`${prefix}_tokens_${tier}`, tierLimit.tokensPerDay, 86_400, false))
  }
  const limiter = (tier: Tier, window: Window) => limiters.get(`${tier}:${window}`)!

  const tierOf = (caller: AiCaller): Tier => caller.tier ?? 'free'
  // Estimates taken in `before`, settled in `after` (the same process runs both for one request).
  const estimates = new Map<string, number>()

  /** Consume `points` on several windows; if any refuses, give back what the others took. */
  async function consumeAll(caller: AiCaller, windows: Window[], points: number): Promise<RateLimitSnapshot | undefined> {
    const tier = tierOf(caller)
    const tasks = subjects(caller).flatMap((s) => windows.map((w) => ({ s, w, l: limiter(tier, w), key: `${s.scope}:${s.id}` })))
    // A key already over one of these windows is refused from memory: no query, nothing to give back.
    for (const t of tasks) {
      const blockedMs = blockedFor(t.l, t.key)
      if (blockedMs > 0) throw refusal(t.s.scope, t.w, t.l.points, blockedMs)
    }
    const results = await Promise.allSettled(tasks.map((t) => t.l.consume(t.key, points)))
    const refusedAt = results.findIndex((r) => r.status === 'rejected')
    if (refusedAt >= 0) {
      const reason = (results[refusedAt] as PromiseRejectedResult).reason as unknown
      if (!isLimiterRes(reason)) throw reason
      // Give back what the refused call took, except on a request window that is over anyway
      // (its count stays above the limit, which keeps the in-memory block honest).
      await Promise.all(tasks.map((t, i) => (results[i]!.status === 'fulfilled' || t.w === 'tokens_day' ? t.l.reward(t.key, points) : undefined)))
      const t = tasks[refusedAt]!
      throw refusal(t.s.scope, t.w, t.l.points, reason.msBeforeNext)
    }
    let tightest: RateLimitSnapshot | undefined
    results.forEach((r, i) => {
      if (r.status !== 'fulfilled') return
      const t = tasks[i]!
      if (t.w === 'tokens_day') return
      const snap = { limit: `${t.s.scope}.requests_per_${t.w}`, max: t.l.points, remaining: r.value.remainingPoints, resetAt: new Date(Date.now() + r.value.msBeforeNext) }
      if (!tightest || snap.remaining < tightest.remaining) tightest = snap
    })
    return tightest
  }

  return {
    async consumeRequest(caller) {
      return consumeAll(caller, ['minute', 'hour', 'day'], 1)
    },
    async before(caller, call) {
      await consumeAll(caller, ['minute', 'hour', 'day'], 1)
      const estimate = Math.max(0, Math.ceil(call.estimatedTokens))
      if (estimate > 0) {
        try {
          await consumeAll(caller, ['tokens_day'], estimate)
        } catch (error) {
          // The request was refused: it does not count against the request windows either.
          const tier = tierOf(caller)
          await Promise.all(subjects(caller).flatMap((s) => WINDOWS.map((w) => limiter(tier, w.name).reward(`${s.scope}:${s.id}`, 1))))
          throw error
        }
        if (caller.requestId) {
          if (estimates.size > 10_000) estimates.delete(estimates.keys().next().value!)
          estimates.set(caller.requestId, estimate)
        }
      }
    },
    async after(caller, call) {
      // Settle the estimate against the real usage (unknown counts leave the estimate standing).
      const { inputTokens, outputTokens } = call.meta.usage
      const key = caller.requestId ?? call.meta.requestId
      const estimated = estimates.get(key) ?? 0
      estimates.delete(key)
      if (!call.meta.cached && inputTokens === undefined && outputTokens === undefined) return
      // A cache hit or the rules engine spends no provider tokens.
      const actual = call.meta.cached || call.meta.provider === 'rules' ? 0 : (inputTokens ?? 0) + (outputTokens ?? 0)
      const delta = actual - estimated
      if (delta === 0) return
      const l = limiter(tierOf(caller), 'tokens_day')
      await Promise.all(subjects(caller).map((s) => (delta > 0 ? l.penalty(`${s.scope}:${s.id}`, delta) : l.reward(`${s.scope}:${s.id}`, -delta))))
    },
    async peek(caller) {
      const tier = tierOf(caller)
      const out: RateLimitSnapshot[] = []
      for (const s of subjects(caller)) {
        for (const w of [...WINDOWS.map((x) => x.name), 'tokens_day'] as Window[]) {
          const l = limiter(tier, w)
          const res = await l.get(`${s.scope}:${s.id}`)
          const name = w === 'tokens_day' ? 'tokens_per_day' : `requests_per_${w}`
          out.push({ limit: `${s.scope}.${name}`, max: l.points, remaining: Math.max(0, l.points - (res?.consumedPoints ?? 0)), resetAt: new Date(Date.now() + Math.max(0, res?.msBeforeNext ?? 0)) })
        }
      }
      return out
    },
  }
}
