import type { Logger } from 'pino'
import type { Database } from '../../data/db.ts'
import { announceProviderHealth, recordProviderStatus } from '../../data/repositories/provider-health.ts'
import type { BreakerState } from '../router/breakers.ts'
import { ErrorClass } from '../router/errors.ts'
import { ProviderStatus, type AiAttempt, type ProviderHealth } from '../types.ts'

/** Outcomes that speak about a provider's health; others (bad input, invalid JSON we asked for, skips) do not. */
const HEALTH_FAULTS = new Set<string>([
  ErrorClass.Timeout,
  ErrorClass.RateLimited,
  ErrorClass.ServerError,
  ErrorClass.Network,
  ErrorClass.MalformedResponse,
])

type Sample = { ok: boolean; latencyMs: number }
type ProviderState = {
  samples: Sample[]
  failures: number
  lastSuccessAt?: number
  lastFailureAt?: number
  lastTrafficAt: number
  breaker: BreakerState
  status: ProviderStatus
}

/** A provider's health as traffic shows it; the gateway adds each model's breaker. */
export type ProviderSummary = Omit<ProviderHealth, 'models'>

export type HealthTracker = {
  /** Feed one finished attempt (live traffic or a probe). */
  observe(attempt: AiAttempt): void
  breakerChanged(provider: string, state: BreakerState): void
  /** One of the provider's model breakers changed (its summary may not have): admins are told. */
  modelBreakerChanged(provider: string): void
  health(provider: string): ProviderSummary
  list(providers: string[]): ProviderSummary[]
  /** Milliseconds since the provider last saw traffic (Infinity if never). */
  idleFor(provider: string): number
  /** Wait for pending history writes. */
  flush(): Promise<void>
}

export type HealthOptions = {
  db?: Database | undefined
  logger?: Logger | undefined
  windowSize?: number | undefined
  now?: (() => number) | undefined
  /** Changes of one provider within this window are announced as one `provider.health` event. */
  announceAfterMs?: number | undefined
}

/**
 * Provider status from live traffic: down while the breaker is open or nearly everything fails,
 * degraded while half-open or when a fifth of recent calls fail, healthy otherwise. Status changes
 * are appended to `provider_status_history`.
 */
export function createHealthTracker(options: HealthOptions = {}): HealthTracker {
  const windowSize = options.windowSize ?? 50
  const now = options.now ?? Date.now
  const states = new Map<string, ProviderState>()
  const pending = new Set<Promise<unknown>>()

  const stateOf = (provider: string): ProviderState => {
    let state = states.get(provider)
    if (!state) {
      state = { samples: [], failures: 0, lastTrafficAt: -Infinity, breaker: 'closed', status: ProviderStatus.Healthy }
      states.set(provider, state)
    }
    return state
  }

  /** Providers whose change is not announced yet; one event each after `announceAfterMs`. */
  const unannounced = new Set<string>()
  let announceTimer: ReturnType<typeof setTimeout> | undefined
  function track(write: Promise<unknown>) {
    const tracked = write.finally(() => pending.delete(tracked))
    pending.add(tracked)
  }
  function announce(provider: string) {
    if (!options.db) return
    unannounced.add(provider)
    if (announceTimer) return
    const db = options.db
    // Held in `pending` from now, so flush() also waits for an announcement not yet written.
    track(
      new Promise<void>((resolve) => {
        announceTimer = setTimeout(() => {
          announceTimer = undefined
          const changes = [...unannounced].map((p) => {
            const state = stateOf(p)
            return { provider: p, status: state.status, breaker: state.breaker }
          })
          unannounced.clear()
          announceProviderHealth(db.orm, changes)
            .catch((error: unknown) => options.logger?.warn({ err: error }, 'provider health event write failed'))
            .finally(resolve)
        }, options.announceAfterMs ?? 50)
      }),
    )
  }

  const errorRate = (state: ProviderState) => (state.samples.length === 0 ? 0 : state.failures / state.samples.length)

  function evaluate(provider: string, state: ProviderState) {
    const rate = errorRate(state)
    const enough = state.samples.length >= 5
    const status: ProviderStatus =
      state.breaker === 'open' || (enough && rate >= 0.8)
        ? ProviderStatus.Down
        : state.breaker === 'half-open' || (enough && rate >= 0.2)
          ? ProviderStatus.Degraded
          : ProviderStatus.Healthy
    if (status === state.status) return
    const reason = `breaker ${state.breaker}, error rate ${(rate * 100).toFixed(0)}% of last ${state.samples.length}`
    options.logger?.info({ provider, from: state.status, to: status, reason }, 'provider status changed')
    state.status = status
    announce(provider)
    if (!options.db) return
    track(
      recordProviderStatus(options.db.orm, { provider, status, reason }).catch((error: unknown) =>
        options.logger?.warn({ err: error }, 'provider status history write failed'),
      ),
    )
  }

  function health(provider: string): ProviderSummary {
    const state = stateOf(provider)
    const latencies = state.samples
      .filter((s) => s.ok)
      .map((s) => s.latencyMs)
      .sort((a, b) => a - b)
    return {
      provider,
      status: state.status,
      breaker: state.breaker,
      recentErrorRate: Number(errorRate(state).toFixed(3)),
      p50LatencyMs: latencies.length === 0 ? undefined : latencies[Math.floor((latencies.length - 1) / 2)],
      lastSuccessAt: state.lastSuccessAt === undefined ? undefined : new Date(state.lastSuccessAt).toISOString(),
      lastFailureAt: state.lastFailureAt === undefined ? undefined : new Date(state.lastFailureAt).toISOString(),
    }
  }

  return {
    observe(attempt) {
      if (!attempt.ok && !HEALTH_FAULTS.has(attempt.errorClass ?? '')) return
      const state = stateOf(attempt.provider)
      state.samples.push({ ok: attempt.ok, latencyMs: attempt.latencyMs })
      if (!attempt.ok) state.failures += 1
      if (state.samples.length > windowSize && !(state.samples.shift() as Sample).ok) state.failures -= 1
      state.lastTrafficAt = now()
      if (attempt.ok) state.lastSuccessAt = now()
      else state.lastFailureAt = now()
      evaluate(attempt.provider, state)
    },
    breakerChanged(provider, breaker) {
      const state = stateOf(provider)
      state.breaker = breaker
      // A closed breaker after a successful probe starts a fresh window.
      if (breaker === 'closed') {
        state.samples = state.samples.slice(-1)
        state.failures = state.samples.filter((s) => !s.ok).length
      }
      announce(provider)
      evaluate(provider, state)
    },
    modelBreakerChanged: announce,
    health,
    list: (providers) => providers.map(health),
    idleFor: (provider) => now() - stateOf(provider).lastTrafficAt,
    async flush() {
      while (pending.size > 0) await Promise.all([...pending])
    },
  }
}

/**
 * Optional idle probe: every `intervalMs`, providers without traffic for that long get one cheap,
 * unpaid probe (e.g. listing models). Never runs on the request path.
 */
export function startIdleProbe(options: {
  intervalMs: number
  providers: string[]
  tracker: HealthTracker
  probe: (provider: string) => Promise<void>
  now?: () => number
}) {
  const now = options.now ?? performance.now.bind(performance)
  const timer = setInterval(() => {
    for (const provider of options.providers) {
      if (options.tracker.idleFor(provider) < options.intervalMs) continue
      const started = now()
      options
        .probe(provider)
        .then(() =>
          options.tracker.observe({ provider, model: 'probe', latencyMs: Math.round(now() - started), ok: true }),
        )
        .catch((error: unknown) =>
          options.tracker.observe({
            provider,
            model: 'probe',
            latencyMs: Math.round(now() - started),
            ok: false,
            errorClass: ErrorClass.Network,
            error: String(error),
          }),
        )
    }
  }, options.intervalMs)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
