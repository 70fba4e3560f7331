import type { ProviderPacing } from './config.ts'
import type { CounterPool, CounterSpec, CounterState } from './counters.ts'

/**
 * Requests and tokens per minute per provider, shared by every process through the same counters
 * as the rate limits (`counters.ts`), so we stay under the providers' own limits instead of
 * earning their 429s. Before an attempt the gateway calls `acquire`: it takes the room, waiting
 * briefly when the minute is full, or answers false so the router moves to another candidate;
 * `settle` corrects the token estimate once the real count is known.
 */
export type PacingDecision = { ok: true } | { ok: false; waitMs: number; limit: 'rpm' | 'tpm' }

export type ProviderPacer = {
  /** Whether the provider has room now, without taking any. */
  canUse(provider: string, tokens?: number): Promise<PacingDecision>
  reserve(provider: string, tokens?: number): Promise<PacingDecision>
  /** Reserve, waiting up to `maxWaitMs` for room; false means route to another candidate. */
  acquire(
    provider: string,
    tokens?: number,
    options?: { maxWaitMs?: number; sleep?: (ms: number) => Promise<void> },
  ): Promise<boolean>
  /** Correct a reservation once the real token count is known (written in the background, see `counters.ts`). */
  settle(provider: string, estimatedTokens: number, actualTokens: number): void
}

const MINUTE = 60_000

export function createProviderPacer(deps: { counters: CounterPool; pacing: ProviderPacing }): ProviderPacer {
  const { counters, pacing } = deps
  const specs = (provider: string, tokens: number): Array<CounterSpec & { limit: 'rpm' | 'tpm' }> => {
    const p = pacing[provider]
    if (!p) return []
    const out: Array<CounterSpec & { limit: 'rpm' | 'tpm' }> = []
    if (p.rpm) out.push({ limit: 'rpm', key: `pace_rpm:${provider}`, points: 1, max: p.rpm, durationMs: MINUTE })
    if (p.tpm && tokens > 0)
      out.push({ limit: 'tpm', key: `pace_tpm:${provider}`, points: tokens, max: p.tpm, durationMs: MINUTE })
    return out
  }
  /** How long until room: the window's end, or a moment when another process's lease may come back. */
  const waitOf = (state: CounterState, now: number) =>
    Math.max(1, state.exact ? state.expire - now : Math.min(state.expire - now, 1_000))

  async function reserve(provider: string, tokens = 0): Promise<PacingDecision> {
    const wanted = specs(provider, tokens)
    if (wanted.length === 0) return { ok: true }
    const now = Date.now()
    const result = await counters.take(wanted, now)
    if (result.ok) return { ok: true }
    return { ok: false, waitMs: waitOf(result.states[result.over]!, now), limit: wanted[result.over]!.limit }
  }

  return {
    async canUse(provider, tokens = 0) {
      const wanted = specs(provider, tokens)
      if (wanted.length === 0) return { ok: true }
      const now = Date.now()
      const states = await counters.peek(wanted, now)
      const over = states.findIndex((s) => !s.fits)
      return over < 0 ? { ok: true } : { ok: false, waitMs: waitOf(states[over]!, now), limit: wanted[over]!.limit }
    },
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
    settle(provider, estimatedTokens, actualTokens) {
      if (pacing[provider]?.tpm) counters.correct(`pace_tpm:${provider}`, actualTokens - estimatedTokens)
    },
  }
}
