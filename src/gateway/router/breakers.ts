import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel'
import { ProviderCallError } from './errors.ts'

export type BreakerState = 'closed' | 'open' | 'half-open'

export type BreakerOptions = {
  /** Consecutive provider failures that open the breaker. */
  threshold: number
  /** How long an open breaker waits before letting one probe request through (half-open). */
  halfOpenAfterMs: number
  onStateChange?: ((provider: string, state: BreakerState) => void) | undefined
}

export type BreakerRegistry = {
  /** The provider's breaker, created on first use. Fed by live traffic only. */
  get(provider: string): CircuitBreakerPolicy
  state(provider: string): BreakerState
}

const STATE: Record<number, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
}

/** Only failures that speak about the provider (5xx, 429, timeouts, network, garbage) count. */
const countsAgainstProvider = handleWhen((error) => error instanceof ProviderCallError && error.countsAgainstProvider)

/** One cockatiel circuit breaker per provider. */
export function createBreakerRegistry(options: BreakerOptions): BreakerRegistry {
  const breakers = new Map<string, CircuitBreakerPolicy>()
  const get = (provider: string) => {
    let breaker = breakers.get(provider)
    if (!breaker) {
      breaker = circuitBreaker(countsAgainstProvider, {
        halfOpenAfter: options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.threshold),
      })
      breaker.onStateChange((state) => options.onStateChange?.(provider, STATE[state] ?? 'open'))
      breakers.set(provider, breaker)
    }
    return breaker
  }
  return { get, state: (provider) => STATE[breakers.get(provider)?.state ?? CircuitState.Closed] ?? 'closed' }
}
