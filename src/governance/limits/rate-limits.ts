import type { Tier } from '../../contracts/common.ts'
import type { AiCaller, AiGuard, RateLimitStanding } from '../../gateway/types.ts'
import type { TierLimits } from './config.ts'
import type { CounterPool } from './counters.ts'
import { RateLimitedError } from './errors.ts'

/**
 * Request and token limits per user and per API key, by tier, shared by every process through the
 * fixed-window counters of `counters.ts`: every window of a request is taken in one call, or from
 * this process's lease on a busy counter without any query. A key over a request window is
 * refused from memory until that window ends (or, when another process still held a lease on it,
 * for a moment), so refused traffic costs no query either.
 */

const WINDOWS = [
  { name: 'minute', field: 'perMinute', seconds: 60 },
  { name: 'hour', field: 'perHour', seconds: 3_600 },
  { name: 'day', field: 'perDay', seconds: 86_400 },
] as const

type Window = (typeof WINDOWS)[number]['name'] | 'tokens_day'
const REQUEST_WINDOWS: readonly Window[] = ['minute', 'hour', 'day']
const ALL_WINDOWS: readonly Window[] = ['minute', 'hour', 'day', 'tokens_day']
const TOKEN_WINDOWS: readonly Window[] = ['tokens_day']

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

/** A limit's public name: `user.requests_per_minute`, `api_key.tokens_per_day`, … */
const limitName = (scope: 'user' | 'api_key', window: Window) =>
  `${scope}.${window === 'tokens_day' ? 'tokens_per_day' : `requests_per_${window}`}`

function refusal(
  slot: { limit: string; scope: 'user' | 'api_key'; max: number },
  msBeforeNext: number,
): RateLimitedError {
  return new RateLimitedError({
    limit: slot.limit,
    scope: slot.scope,
    max: slot.max,
    remaining: 0,
    resetAt: new Date(Date.now() + Math.max(0, msBeforeNext)),
    retryAfterMs: msBeforeNext,
  })
}

export function createRateLimitGuard(deps: {
  counters: CounterPool
  limits: TierLimits
  keyPrefix?: string
}): RateLimitGuard {
  const { counters, limits } = deps
  const prefix = deps.keyPrefix ?? 'ai'
  const tierOf = (caller: AiCaller): Tier => caller.tier ?? 'free'
  const windowOf = (tier: Tier, w: Window) => {
    const tierLimit = limits[tier]
    if (w === 'tokens_day')
      return { max: tierLimit.tokensPerDay, durationMs: 86_400_000, counter: `${prefix}_tokens_${tier}` }
    const def = WINDOWS.find((x) => x.name === w)!
    return { max: tierLimit[def.field], durationMs: def.seconds * 1000, counter: `${prefix}_${w}_${tier}` }
  }
  type Slot = {
    scope: 'user' | 'api_key'
    w: Window
    limit: string
    max: number
    durationMs: number
    key: string
    points: number
  }
  // A caller's counters are the same on every request: built once per caller and set of windows.
  const built = new Map<readonly Window[], Map<string, Slot[]>>()
  /** The counters of these windows for every subject of the caller (user, API key). */
  const slots = (caller: AiCaller, windows: readonly Window[]): Slot[] => {
    const tier = tierOf(caller)
    let byCaller = built.get(windows)
    if (!byCaller) built.set(windows, (byCaller = new Map()))
    const id = `${tier}|${caller.userId ?? ''}|${caller.apiKeyId ?? ''}`
    let base = byCaller.get(id)
    if (!base) {
      base = subjects(caller).flatMap((s) =>
        windows.map((w) => {
          const def = windowOf(tier, w)
          return {
            scope: s.scope,
            w,
            limit: limitName(s.scope, w),
            max: def.max,
            durationMs: def.durationMs,
            key: `${def.counter}:${s.scope}:${s.id}`,
            points: 1,
          }
        }),
      )
      if (byCaller.size > 50_000) byCaller.clear()
      byCaller.set(id, base)
    }
    return base
  }
  /** The slots to take: tokens carry this request's estimate (and are left out when it is 0). */
  const withTokens = (base: Slot[], tokens: number): Slot[] => {
    const out: Slot[] = []
    for (const t of base) {
      if (t.w !== 'tokens_day') out.push(t)
      else if (tokens > 0) out.push({ ...t, points: tokens })
    }
    return out
  }
  // Request windows known to be over, refused from memory until they reset (not tokens: a smaller
  // request may still fit after a refused large one).
  const blocked = new Map<string, number>()
  // Estimates taken in `before`, settled in `after` (the same process runs both for one request),
  // with the end of each token window they were taken in: the correction goes to that window.
  type Estimate = { tokens: number; windows: Array<{ key: string; expire: number }> }
  const estimates = new Map<string, Estimate>()

  /** Take every window (1 per request window, the estimate on tokens); if any is over, none is taken and the request is refused. */
  async function consumeAll(
    caller: AiCaller,
    windows: readonly Window[],
    tokens: number,
  ): Promise<{ tightest: RateLimitStanding | undefined; tokenWindows: Estimate['windows'] }> {
    const tasks = withTokens(slots(caller, windows), tokens)
    const now = Date.now()
    for (const t of tasks) {
      const until = blocked.get(t.key)
      if (until === undefined) continue
      if (until > now) throw refusal(t, until - now)
      blocked.delete(t.key)
    }
    const result = await counters.take(tasks, now)
    if (!result.ok) {
      // Over for good (until the window ends), unless another process still held a lease on the
      // counter: its unused points come back within a second.
      const retryMs = (i: number) => {
        const state = result.states[i]!
        return state.exact ? state.expire - now : Math.min(state.expire - now, 1_000)
      }
      tasks.forEach((t, i) => {
        if (t.w === 'tokens_day' || result.states[i]!.fits) return
        if (blocked.size > 50_000) blocked.clear()
        blocked.set(t.key, now + retryMs(i))
      })
      const t = tasks[result.over]!
      throw refusal(t, retryMs(result.over))
    }
    // The tightest request window, for the X-RateLimit-* headers of the answer.
    let tightest: RateLimitStanding | undefined
    const tokenWindows: Estimate['windows'] = []
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i]!
      const state = result.states[i]!
      if (t.w === 'tokens_day') tokenWindows.push({ key: t.key, expire: state.expire })
      else if (!tightest || state.remaining < tightest.remaining)
        tightest = { limit: t.limit, max: t.max, remaining: state.remaining, resetAtMs: state.expire }
    }
    return { tightest, tokenWindows }
  }

  return {
    async consumeRequest(caller) {
      const { tightest } = await consumeAll(caller, REQUEST_WINDOWS, 0)
      return (
        tightest && {
          limit: tightest.limit,
          max: tightest.max,
          remaining: tightest.remaining,
          resetAt: new Date(tightest.resetAtMs),
        }
      )
    },
    async before(caller, call) {
      const estimate = Math.max(0, Math.ceil(call.estimatedTokens))
      const { tightest, tokenWindows } = await consumeAll(caller, ALL_WINDOWS, estimate)
      caller.rateLimit = tightest
      if (estimate > 0 && caller.requestId) {
        if (estimates.size > 10_000) estimates.delete(estimates.keys().next().value!)
        estimates.set(caller.requestId, { tokens: estimate, windows: tokenWindows })
      }
    },
    async after(caller, call) {
      // Settle the estimate against the real usage (unknown counts leave the estimate standing).
      const { inputTokens, outputTokens } = call.meta.usage
      const key = caller.requestId ?? call.meta.requestId
      const estimated = estimates.get(key)
      estimates.delete(key)
      if (!call.meta.cached && inputTokens === undefined && outputTokens === undefined) return
      // A cache hit or the rules engine spends no provider tokens.
      const actual = call.meta.cached || call.meta.provider === 'rules' ? 0 : (inputTokens ?? 0) + (outputTokens ?? 0)
      const delta = actual - (estimated?.tokens ?? 0)
      if (delta === 0) return
      if (estimated) for (const w of estimated.windows) counters.correct(w.key, delta, undefined, w.expire)
      else for (const t of slots(caller, TOKEN_WINDOWS)) counters.correct(t.key, delta)
    },
    async peek(caller) {
      const tasks = slots(caller, ALL_WINDOWS)
      const states = await counters.peek(
        tasks.map((t) => ({ key: t.key, points: 0, max: t.max, durationMs: t.durationMs })),
      )
      return tasks.map((t, i) => ({
        limit: t.limit,
        max: t.max,
        remaining: states[i]!.remaining,
        resetAt: new Date(states[i]!.expire),
      }))
    },
  }
}
