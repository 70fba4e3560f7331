import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel'
import { ProviderCallError } from './errors.ts'

export type BreakerState = 'closed' | 'open' | 'half-open'

export type BreakerOptions = {
  /** Consecutive provider failures that open the breaker. */
  threshold: number
  /** How long an open breaker waits before letting one probe request through (half-open). */
  halfOpenAfterMs: number
  /** The provider's summary state changed (see `state(provider)`). */
  onStateChange?: ((provider: string, state: BreakerState) => void) | undefined
  /** Any of the provider's model breakers changed state (the summary may be unchanged). */
  onModelStateChange?: ((provider: string, model: string, state: BreakerState) => void) | undefined
}

export type BreakerRegistry = {
  /** The breaker of one provider's model, created on first use. Fed by live traffic only. */
  get(provider: string, model?: string): CircuitBreakerPolicy
  /**
   * With a model: that model's breaker. Without: the provider's summary — closed while any of its
   * models' breakers is closed (the provider still serves), else half-open if one probes, else open.
   */
  state(provider: string, model?: string): BreakerState
  /** When the model's breaker last opened (ms since epoch); undefined while it never opened. */
  openedAt(provider: string, model: string): number | undefined
  /** Every model of the provider that has a breaker, with its state. */
  models(provider: string): { model: string; breaker: BreakerState }[]
}

const STATE: Record<number, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
}

/** Only failures that speak about the provider (5xx, 429, timeouts, network, garbage) count. */
const countsAgainstProvider = handleWhen((error) => error instanceof ProviderCallError && error.countsAgainstProvider)

/**
 * One cockatiel circuit breaker per provider *and* model, so one failing model does not close its
 * provider's other models.
 */
export function createBreakerRegistry(options: BreakerOptions): BreakerRegistry {
  const breakers = new Map<string, CircuitBreakerPolicy>()
  const byProvider = new Map<string, CircuitBreakerPolicy[]>()
  const opened = new Map<string, number>()
  const reported = new Map<string, BreakerState>()
  const summary = (provider: string): BreakerState => {
    const list = byProvider.get(provider) ?? []
    if (list.length === 0 || list.some((b) => b.state === CircuitState.Closed)) return 'closed'
    return list.some((b) => b.state === CircuitState.HalfOpen) ? 'half-open' : 'open'
  }
  const get = (provider: string, model = '') => {
    const key = `${provider}\u0000${model}`
    let breaker = breakers.get(key)
    if (!breaker) {
      breaker = circuitBreaker(countsAgainstProvider, {
        halfOpenAfter: options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.threshold),
      })
      breaker.onStateChange((state) => {
        if (state === CircuitState.Open) opened.set(key, Date.now())
        const now = summary(provider)
        if (now !== (reported.get(provider) ?? 'closed')) options.onStateChange?.(provider, now)
        reported.set(provider, now)
        options.onModelStateChange?.(provider, model, STATE[state] ?? 'closed')
      })
      breakers.set(key, breaker)
      const list = byProvider.get(provider) ?? []
      list.push(breaker)
      byProvider.set(provider, list)
    }
    return breaker
  }
  return {
    get,
    state: (provider, model) =>
      model === undefined
        ? summary(provider)
        : (STATE[breakers.get(`${provider}\u0000${model}`)?.state ?? CircuitState.Closed] ?? 'closed'),
    openedAt: (provider, model) => opened.get(`${provider}\u0000${model}`),
    models: (provider) =>
      [...breakers.entries()]
        .filter(([key]) => key.startsWith(`${provider}\u0000`))
        .map(([key, breaker]) => ({
          model: key.slice(provider.length + 1),
          breaker: STATE[breaker.state] ?? 'closed',
        })),
  }
}
