import type { Tier } from '../../contracts/common.ts'
import type { Database } from '../../data/db.ts'
import type { AiCaller, AiGuard } from '../types.ts'
import type { TierLimits } from './config.ts'
import { adjustCounters, consumeCounters, readCounters } from './counters.ts'
import { RateLimitedError } from './errors.ts'

/**
 * Request and token limits per user and per API key, by tier, shared by every process through
 * fixed-window counters in PostgreSQL (`counters.ts`): every window of a request is consumed in
 * one statement. A key already over a request window is refused from memory until that window
 * ends, so refused traffic costs no query.
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

export async function createRateLimitGuard(deps: { db: Database; limits: TierLimits; keyPrefix?: string }): Promise<RateLimitGuard> {
  const { db, limits } = deps
  const prefix = deps.keyPrefix ?? 'ai'
  const tierOf = (caller: AiCaller): Tier => caller.tier ?? 'free'
  const windowOf = (tier: Tier, w: Window) => {
    const tierLimit = limits[tier]
    if (w === 'tokens_day') return { max: tierLimit.tokensPerDay, durationMs: 86_400_000, counter: `${prefix}_tokens_${tier}` }
    const def = WINDOWS.find((x) => x.name === w)!
    return { max: tierLimit[def.field], durationMs: def.seconds * 1000, counter: `${prefix}_${w}_${tier}` }
  }
  type Slot = { scope: 'user' | 'api_key'; w: Window; max: number; durationMs: number; key: string; points: number }
  /** The counters of these windows for every subject of the caller (user, API key). */
  const slots = (caller: AiCaller, windows: Window[], tokens = 0): Slot[] => {
    const tier = tierOf(caller)
    return subjects(caller).flatMap((s) => windows.map((w) => {
      const def = windowOf(tier, w)
      return { scope: s.scope, w, max: def.max, durationMs: def.durationMs, key: `${def.counter}:${s.scope}:${s.id}`, points: w === 'tokens_day' ? tokens : 1 }
    }))
  }
  // Request windows known to be over, refused from memory until they reset (not tokens: a smaller
  // request may still fit after a refused large one).
  const blocked = new Map<string, number>()
  // Estimates taken in `before`, settled in `after` (the same process runs both for one request).
  const estimates = new Map<string, number>()

  /**
   * Consume every window in one statement (1 per request window, the estimate on tokens); if any
   * is over, give back and refuse — a refused request counts against no window.
   */
  async function consumeAll(caller: AiCaller, windows: Window[], tokens = 0): Promise<RateLimitSnapshot | undefined> {
    const tasks = slots(caller, windows, tokens).filter((t) => t.points > 0)
    const now = Date.now()
    for (const t of tasks) {
      const until = blocked.get(t.key)
      if (until === undefined) continue
      if (until > now) throw refusal(t.scope, t.w, t.max, until - now)
      blocked.delete(t.key)
    }
    const states = await consumeCounters(db, tasks.map((t) => ({ key: t.key, points: t.points, durationMs: t.durationMs })), now)
    const over = tasks.findIndex((t, i) => states[i]!.points > t.max)
    if (over >= 0) {
      // Give back what this request took, except on request windows that are over anyway (their
      // count stays above the limit, which keeps the in-memory block honest).
      const back = tasks.filter((t, i) => t.w === 'tokens_day' || states[i]!.points <= t.max).map((t) => ({ key: t.key, delta: -t.points }))
      await adjustCounters(db, back, now)
      tasks.forEach((t, i) => {
        if (t.w !== 'tokens_day' && states[i]!.points > t.max) {
          if (blocked.size > 50_000) blocked.clear()
          blocked.set(t.key, states[i]!.expire)
        }
      })
      const t = tasks[over]!
      throw refusal(t.scope, t.w, t.max, states[over]!.expire - now)
    }
    let tightest: RateLimitSnapshot | undefined
    tasks.forEach((t, i) => {
      if (t.w === 'tokens_day') return
      const state = states[i]!
      const snap = { limit: `${t.scope}.requests_per_${t.w}`, max: t.max, remaining: Math.max(0, t.max - state.points), resetAt: new Date(state.expire) }
      if (!tightest || snap.remaining < tightest.remaining) tightest = snap
    })
    return tightest
  }

  return {
    async consumeRequest(caller) {
      return consumeAll(caller, ['minute', 'hour', 'day'])
    },
    async before(caller, call) {
      const estimate = Math.max(0, Math.ceil(call.estimatedTokens))
      await consumeAll(caller, ['minute', 'hour', 'day', 'tokens_day'], estimate)
      if (estimate > 0 && caller.requestId) {
        if (estimates.size > 10_000) estimates.delete(estimates.keys().next().value!)
        estimates.set(caller.requestId, estimate)
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
      await adjustCounters(db, slots(caller, ['tokens_day']).map((t) => ({ key: t.key, delta })))
    },
    async peek(caller) {
      const tasks = slots(caller, ['minute', 'hour', 'day', 'tokens_day'])
      const now = Date.now()
      const states = await readCounters(db, tasks.map((t) => t.key), now)
      return tasks.map((t) => {
        const state = states.get(t.key)
        const name = t.w === 'tokens_day' ? 'tokens_per_day' : `requests_per_${t.w}`
        return { limit: `${t.scope}.${name}`, max: t.max, remaining: Math.max(0, t.max - (state?.points ?? 0)), resetAt: new Date(state?.expire ?? now) }
      })
    },
  }
}
