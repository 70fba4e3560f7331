import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible'
import type { Database } from '../../data/db.ts'
import type { ProviderPacing } from './config.ts'
import { ensureLimiterTable, LIMITER_TABLE, limiterStoreClient } from './pg-store.ts'

/**
 * Requests and tokens per minute per provider, shared by every process, so we stay under the
 * providers' own limits instead of earning their 429s. The router asks `canUse` (no cost), then
 * `reserve` (counts); on `{ok: false, waitMs}` it waits briefly (`acquire`) or routes on.
 */
export type PacingDecision = { ok: true } | { ok: false; waitMs: number; limit: 'rpm' | 'tpm' }

export type ProviderPacer = {
  canUse(provider: string, tokens?: number): Promise<PacingDecision>
  reserve(provider: string, tokens?: number): Promise<PacingDecision>
  /** Reserve, waiting up to `maxWaitMs` for room; false means route to another candidate. */
  acquire(provider: string, tokens?: number, options?: { maxWaitMs?: number; sleep?: (ms: number) => Promise<void> }): Promise<boolean>
  /** Correct a reservation once the real token count is known. */
  settle(provider: string, estimatedTokens: number, actualTokens: number): Promise<void>
}

export async function createProviderPacer(deps: { db: Database; pacing: ProviderPacing }): Promise<ProviderPacer> {
  await ensureLimiterTable(deps.db)
  const storeClient = limiterStoreClient(deps.db)
  const limiters = new Map<string, { rpm?: RateLimiterPostgres; tpm?: RateLimiterPostgres }>()
  for (const [provider, p] of Object.entries(deps.pacing)) {
    const make = (kind: string, points: number) =>
      new RateLimiterPostgres({ storeClient, storeType: 'pool', tableName: LIMITER_TABLE, tableCreated: true, clearExpiredByTimeout: false, keyPrefix: `pace_${kind}`, points, duration: 60 })
    limiters.set(provider, { ...(p.rpm ? { rpm: make('rpm', p.rpm) } : {}), ...(p.tpm ? { tpm: make('tpm', p.tpm) } : {}) })
  }

  async function canUse(provider: string, tokens = 0): Promise<PacingDecision> {
    const l = limiters.get(provider)
    if (!l) return { ok: true }
    for (const [kind, limiter, need] of [['rpm', l.rpm, 1], ['tpm', l.tpm, tokens]] as const) {
      if (!limiter || need <= 0) continue
      const res = await limiter.get(provider)
      if (res && res.consumedPoints + need > limiter.points) return { ok: false, waitMs: Math.max(1, res.msBeforeNext), limit: kind }
    }
    return { ok: true }
  }

  async function reserve(provider: string, tokens = 0): Promise<PacingDecision> {
    const l = limiters.get(provider)
    if (!l) return { ok: true }
    const taken: Array<[RateLimiterPostgres, number]> = []
    for (const [kind, limiter, need] of [['rpm', l.rpm, 1], ['tpm', l.tpm, tokens]] as const) {
      if (!limiter || need <= 0) continue
      try {
        await limiter.consume(provider, need)
        taken.push([limiter, need])
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error
        // Give back this refusal and what was taken before it: the call does not happen.
        await limiter.reward(provider, need)
        for (const [t, n] of taken) await t.reward(provider, n)
        return { ok: false, waitMs: Math.max(1, error.msBeforeNext), limit: kind }
      }
    }
    return { ok: true }
  }

  return {
    canUse,
    reserve,
    async acquire(provider, tokens = 0, options = {}) {
      const maxWaitMs = options.maxWaitMs ?? 2_000
      const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
      let waited = 0
      for (;;) {
        const decision = await reserve(provider, tokens)
        if (decision.ok) return true
        if (waited + decision.waitMs > maxWaitMs) return false
        await sleep(decision.waitMs)
        waited += decision.waitMs
      }
    },
    async settle(provider, estimatedTokens, actualTokens) {
      const tpm = limiters.get(provider)?.tpm
      const delta = actualTokens - estimatedTokens
      if (!tpm || delta === 0) return
      await (delta > 0 ? tpm.penalty(provider, delta) : tpm.reward(provider, -delta))
    },
  }
}
