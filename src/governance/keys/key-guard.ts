import type { KeySettings } from '../../contracts/api-keys.ts'
import type { Database } from '../../data/db.ts'
import { keySpentSince } from '../../data/repositories/api-keys.ts'
import type { AiCaller, AiGuard, RateLimitStanding } from '../../gateway/types.ts'
import { periodEnd, periodKey, periodStart, type BudgetPeriod, type WallClock } from '../budgets/periods.ts'
import type { CounterPool, CounterSpec } from '../limits/counters.ts'
import { BudgetExceededError, RateLimitedError } from '../limits/errors.ts'

/**
 * A key's own limits and budgets (its settings, with an admin's overrides), around every gateway
 * call made with that key. Limits run on the shared leased counters (`limits/counters.ts`) keyed by
 * the key: requests and tokens per minute and per day, every window of a request taken at once or
 * none. Budgets are USD per UTC day and month, read from the per-key day rollup of the ledger
 * (migration 0015) with a short cache plus what this process spent since, like user budgets.
 * Both refuse in `before`: before any upstream call, so before a stream's first byte.
 */

type Window = { field: keyof NonNullable<KeySettings['limits']>; name: string; ms: number; tokens: boolean }
const WINDOWS: readonly Window[] = [
  { field: 'requestsPerMinute', name: 'requests_per_minute', ms: 60_000, tokens: false },
  { field: 'requestsPerDay', name: 'requests_per_day', ms: 86_400_000, tokens: false },
  { field: 'tokensPerMinute', name: 'tokens_per_minute', ms: 60_000, tokens: true },
  { field: 'tokensPerDay', name: 'tokens_per_day', ms: 86_400_000, tokens: true },
]

export type ApiKeyGuard = AiGuard

export function createApiKeyGuard(deps: {
  db: Database
  counters: CounterPool
  /** The settings in force for a key (the API key service's cache), undefined for a key that is gone. */
  settingsOf(keyId: string): Promise<KeySettings | undefined>
  clock?: WallClock | undefined
  /** How long a budget's spend read from the ledger is trusted (plus this process's own spend since). */
  budgetCacheMs?: number | undefined
}): ApiKeyGuard {
  const { counters } = deps
  const clock = deps.clock ?? (() => new Date())
  const budgetCacheMs = deps.budgetCacheMs ?? 2_000
  // Token estimates taken in `before`, corrected in `after` against the real count.
  const estimates = new Map<string, { tokens: number; windows: Array<{ key: string; expire: number }> }>()
  const spend = new Map<string, { spent: number; readAt: number; periodKey: string }>()

  async function takeLimits(
    keyId: string,
    limits: NonNullable<KeySettings['limits']>,
    caller: AiCaller,
    tokens: number,
  ) {
    const windows = WINDOWS.filter((w) => limits[w.field] !== undefined && (!w.tokens || tokens > 0))
    if (windows.length === 0) return
    const specs: CounterSpec[] = windows.map((w) => ({
      key: `key_${w.name}:${keyId}`,
      points: w.tokens ? tokens : 1,
      max: limits[w.field]!,
      durationMs: w.ms,
    }))
    const now = Date.now()
    const result = await counters.take(specs, now)
    if (!result.ok) {
      const state = result.states[result.over]!
      const w = windows[result.over]!
      // A lease held by another process gives its points back within a second.
      const retryAfterMs = state.exact ? state.expire - now : Math.min(state.expire - now, 1_000)
      throw new RateLimitedError({
        limit: `key.${w.name}`,
        scope: 'api_key',
        max: limits[w.field]!,
        remaining: 0,
        resetAt: new Date(state.expire),
        retryAfterMs,
      })
    }
    // The tightest request window shows in X-RateLimit-* (when tighter than the tier's).
    const tokenWindows: Array<{ key: string; expire: number }> = []
    windows.forEach((w, i) => {
      const state = result.states[i]!
      if (w.tokens) return void tokenWindows.push({ key: specs[i]!.key, expire: state.expire })
      const standing: RateLimitStanding = {
        limit: `key.${w.name}`,
        max: specs[i]!.max,
        remaining: state.remaining,
        resetAtMs: state.expire,
      }
      if (!caller.rateLimit || standing.remaining < caller.rateLimit.remaining) caller.rateLimit = standing
    })
    if (tokenWindows.length > 0 && caller.requestId) {
      if (estimates.size > 10_000) estimates.delete(estimates.keys().next().value!)
      estimates.set(caller.requestId, { tokens, windows: tokenWindows })
    }
  }

  async function spentOn(keyId: string, period: BudgetPeriod, now: Date): Promise<number> {
    const cacheKey = `${keyId}:${period}`
    const pk = periodKey(period, now)
    const hit = spend.get(cacheKey)
    if (hit && hit.periodKey === pk && now.getTime() - hit.readAt < budgetCacheMs) return hit.spent
    const spent = await keySpentSince(deps.db.orm, keyId, periodStart(period, now))
    if (spend.size > 50_000) spend.clear()
    spend.set(cacheKey, { spent, readAt: now.getTime(), periodKey: pk })
    return spent
  }

  async function checkBudgets(keyId: string, budgets: NonNullable<KeySettings['budgets']>) {
    const now = clock()
    const lines: Array<[BudgetPeriod, number | undefined]> = [
      ['daily', budgets.dailyUsd],
      ['monthly', budgets.monthlyUsd],
    ]
    for (const [period, limitUsd] of lines) {
      if (limitUsd === undefined) continue
      const spent = await spentOn(keyId, period, now)
      if (spent >= limitUsd)
        throw new BudgetExceededError({
          budget: `key.${period}`,
          limitUsd,
          spentUsd: spent,
          resetAt: periodEnd(period, now),
          rulesFallback: false,
        })
    }
  }

  return {
    async before(caller, call) {
      if (!caller.apiKeyId) return
      const settings = await deps.settingsOf(caller.apiKeyId)
      if (!settings) return
      // Budgets first: a refused call takes no request from the key's windows.
      if (settings.budgets) await checkBudgets(caller.apiKeyId, settings.budgets)
      if (settings.limits)
        await takeLimits(caller.apiKeyId, settings.limits, caller, Math.max(0, Math.ceil(call.estimatedTokens)))
    },
    async after(caller, call) {
      if (!caller.apiKeyId) return
      const key = caller.requestId ?? call.meta.requestId
      const estimated = estimates.get(key)
      estimates.delete(key)
      const cost = call.meta.costUsd ?? 0
      if (cost > 0)
        for (const period of ['daily', 'monthly'] as const) {
          const hit = spend.get(`${caller.apiKeyId}:${period}`)
          if (hit) hit.spent += cost
        }
      if (!estimated) return
      // Settle the token estimate against the real usage (unknown counts leave the estimate standing).
      const { inputTokens, outputTokens } = call.meta.usage
      if (!call.meta.cached && inputTokens === undefined && outputTokens === undefined) return
      const actual = call.meta.cached || call.meta.provider === 'rules' ? 0 : (inputTokens ?? 0) + (outputTokens ?? 0)
      const delta = actual - estimated.tokens
      if (delta !== 0) for (const w of estimated.windows) counters.correct(w.key, delta, undefined, w.expire)
    },
  }
}
