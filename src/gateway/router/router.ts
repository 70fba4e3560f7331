import { BrokenCircuitError, CircuitState } from 'cockatiel'
import type { AiAttempt, AiCandidate } from '../types.ts'
import type { BreakerRegistry } from './breakers.ts'
import { systemClock, type Clock } from './clock.ts'
import {
  AllProvidersFailedError,
  ErrorClass,
  ProviderCallError,
  UpstreamClientError,
  classifyError,
  isClientError,
} from './errors.ts'

export type RetryOptions = {
  /** Retries per candidate after the first try (retryable errors only). */
  maxRetries: number
  baseDelayMs: number
  maxDelayMs: number
  /** `Retry-After` is honoured up to this; longer waits move on to the next candidate. */
  maxRetryAfterMs: number
}

export type RouterOptions = {
  breakers: BreakerRegistry
  clock?: Clock | undefined
  random?: (() => number) | undefined
  retry?: Partial<RetryOptions> | undefined
  attemptTimeoutMs?: number | undefined
  deadlineMs?: number | undefined
  /** Start the next candidate when the current one has not answered after this long. */
  hedgeAfterMs?: number | undefined
  /** Every finished attempt, for health tracking. */
  onAttempt?: ((attempt: AiAttempt) => void) | undefined
}

/** What a call gets for one attempt at one candidate. */
export type CallContext = {
  candidate: AiCandidate
  signal: AbortSignal
  /** 0 for the first try at this candidate. */
  retry: number
  /** Record an extra attempt made inside the call (e.g. a structured-output repair). */
  record(attempt: AiAttempt): void
}

export type RunOptions<T> = {
  candidates: AiCandidate[]
  call: (context: CallContext) => Promise<T>
  signal?: AbortSignal | undefined
  deadlineMs?: number | undefined
  attemptTimeoutMs?: number | undefined
  hedgeAfterMs?: number | undefined
}

export type RunResult<T> = {
  value: T
  candidate: AiCandidate
  index: number
  attempts: AiAttempt[]
  fallbackUsed: boolean
}

export type Router = { run<T>(options: RunOptions<T>): Promise<RunResult<T>> }

const DEFAULT_RETRY: RetryOptions = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 2_000, maxRetryAfterMs: 5_000 }

class DeadlineError extends Error {
  override name = 'DeadlineError'
}

/** Full-jitter exponential backoff; `Retry-After` (capped) wins when the provider sent one. */
export function backoffDelay(
  retry: number,
  options: RetryOptions,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, options.maxRetryAfterMs)
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry)
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/**
 * Tries candidates in order: a breaker per provider and model (all open: the likeliest is probed anyway), retries with backoff on retryable errors,
 * per-attempt timeout, overall deadline, optional hedging. Throws `AllProvidersFailedError` with
 * every attempt when nothing answered; the caller decides about the rules fallback.
 */
export function createRouter(options: RouterOptions): Router {
  const clock = options.clock ?? systemClock
  const random = options.random ?? Math.random
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry }

  async function run<T>(run: RunOptions<T>): Promise<RunResult<T>> {
    const attempts: AiAttempt[] = []
    // Already in the route strategy's order (`strategies.ts`, applied by the pipeline).
    const candidates = [...run.candidates]
    const deadlineMs = run.deadlineMs ?? options.deadlineMs ?? 60_000
    const attemptTimeoutMs = run.attemptTimeoutMs ?? options.attemptTimeoutMs ?? 30_000
    const hedgeAfterMs = run.hedgeAfterMs ?? options.hedgeAfterMs
    const overall = new AbortController()
    const deadlineTimer = setTimeout(() => overall.abort(new DeadlineError('deadline passed')), deadlineMs)
    const onCallerAbort = () => overall.abort(run.signal?.reason)
    run.signal?.addEventListener('abort', onCallerAbort, { once: true })
    const record = (attempt: AiAttempt) => {
      attempts.push(attempt)
      options.onAttempt?.(attempt)
    }

    /**
     * All tries at one candidate: resolves with its value or rejects with its last error. `probe`:
     * every candidate's breaker is open and this is the one most likely to succeed — call it anyway.
     */
    async function tryCandidate(candidate: AiCandidate, lane: AbortSignal, probe: boolean): Promise<T> {
      const breaker = options.breakers.get(candidate.provider, candidate.model)
      for (let n = 0; ; n++) {
        if (!probe && (breaker.state === CircuitState.HalfOpen || breaker.state === CircuitState.Isolated)) {
          // A probe is already in flight: do not queue behind it, move on.
          const error = new ProviderCallError({
            provider: candidate.provider,
            model: candidate.model,
            errorClass: ErrorClass.BreakerOpen,
            message: 'circuit breaker is half-open (probe in flight)',
          })
          record({
            provider: candidate.provider,
            model: candidate.model,
            latencyMs: 0,
            ok: false,
            errorClass: ErrorClass.BreakerOpen,
            error: error.message,
          })
          throw error
        }
        const started = clock.now()
        // One controller per attempt, linked by hand: AbortSignal.any + AbortSignal.timeout cost
        // more than the rest of the router on the /v1 hot path.
        const attempt = new AbortController()
        const signal = attempt.signal
        const timer = setTimeout(
          () => attempt.abort(new DOMException('The attempt timed out', 'TimeoutError')),
          attemptTimeoutMs,
        )
        const onOverall = () => attempt.abort(overall.signal.reason)
        const onLane = () => attempt.abort(lane.reason)
        if (overall.signal.aborted) onOverall()
        else if (lane.aborted) onLane()
        overall.signal.addEventListener('abort', onOverall)
        lane.addEventListener('abort', onLane)
        const unlink = () => {
          clearTimeout(timer)
          overall.signal.removeEventListener('abort', onOverall)
          lane.removeEventListener('abort', onLane)
        }
        try {
          const guarded = async () => {
            try {
              return await run.call({ candidate, signal, retry: n, record })
            } catch (error) {
              throw classifyError(error, candidate, signal)
            }
          }
          const value = probe ? await guarded() : await breaker.execute(guarded)
          // The winner's signal stays usable (a stream keeps reading); only the router's links go.
          unlink()
          record({
            provider: candidate.provider,
            model: candidate.model,
            latencyMs: Math.round(clock.now() - started),
            ok: true,
          })
          return value
        } catch (caught) {
          unlink()
          const error =
            caught instanceof BrokenCircuitError
              ? new ProviderCallError({
                  provider: candidate.provider,
                  model: candidate.model,
                  errorClass: ErrorClass.BreakerOpen,
                  message: 'circuit breaker is open',
                })
              : classifyError(caught, candidate, signal)
          const errorClass = error instanceof ProviderCallError ? error.errorClass : ErrorClass.InvalidOutput
          record({
            provider: candidate.provider,
            model: candidate.model,
            latencyMs: Math.round(clock.now() - started),
            ok: false,
            errorClass,
            error: error.message.slice(0, 500),
            status: error instanceof ProviderCallError ? error.statusCode : undefined,
            retryAfterMs: error instanceof ProviderCallError ? error.retryAfterMs : undefined,
          })
          // The client's own mistake: no retry, no fallback, the provider's answer goes back.
          if (isClientError(error)) throw new UpstreamClientError(error, attempts)
          if (!(error instanceof ProviderCallError) || !error.isRetryable || n >= retry.maxRetries) throw error
          if (overall.signal.aborted || lane.aborted) throw error
          if (error.retryAfterMs !== undefined && error.retryAfterMs > retry.maxRetryAfterMs) throw error
          const delay = backoffDelay(n, retry, random, error.retryAfterMs)
          try {
            await clock.sleep(delay, AbortSignal.any([overall.signal, lane]))
          } catch {
            throw error
          }
        }
      }
    }

    // Every breaker open: rather than failing at once, probe the candidate whose breaker opened
    // longest ago (the likeliest to have recovered) first.
    let probeIndex = -1
    if (
      candidates.length > 0 &&
      candidates.every((c) => options.breakers.get(c.provider, c.model).state !== CircuitState.Closed)
    ) {
      probeIndex = 0
      let oldest = Infinity
      candidates.forEach((c, i) => {
        const at = options.breakers.openedAt(c.provider, c.model) ?? 0
        if (at < oldest) {
          oldest = at
          probeIndex = i
        }
      })
      const probe = candidates[probeIndex] as AiCandidate
      candidates.splice(probeIndex, 1)
      candidates.unshift(probe)
      probeIndex = 0
    }

    type Outcome =
      { kind: 'ok'; value: T; lane: number } | { kind: 'failed'; lane: number; error: unknown } | { kind: 'hedge' }
    const lanes = new Map<number, { controller: AbortController; promise: Promise<Outcome> }>()
    let next = 0
    const startNext = (): boolean => {
      if (next >= candidates.length || overall.signal.aborted) return false
      const index = next++
      const controller = new AbortController()
      const promise = tryCandidate(candidates[index] as AiCandidate, controller.signal, index === probeIndex).then(
        (value): Outcome => ({ kind: 'ok', value, lane: index }),
        (error: unknown): Outcome => ({ kind: 'failed', lane: index, error }),
      )
      lanes.set(index, { controller, promise })
      return true
    }

    try {
      startNext()
      let hedgeArmed = hedgeAfterMs !== undefined
      while (lanes.size > 0) {
        const waiting: Array<Promise<Outcome>> = [...lanes.values()].map((l) => l.promise)
        let hedgeTimer: ReturnType<typeof setTimeout> | undefined
        if (hedgeArmed && lanes.size === 1 && next < candidates.length) {
          waiting.push(
            new Promise<Outcome>(
              (resolve) => (hedgeTimer = setTimeout(() => resolve({ kind: 'hedge' }), hedgeAfterMs)),
            ),
          )
        }
        const outcome = await Promise.race(waiting)
        clearTimeout(hedgeTimer)
        if (outcome.kind === 'hedge') {
          hedgeArmed = false
          startNext()
          continue
        }
        lanes.delete(outcome.lane)
        if (outcome.kind === 'failed' && outcome.error instanceof UpstreamClientError) throw outcome.error
        if (outcome.kind === 'ok') {
          // Keep the first valid answer; cancel the other lane.
          for (const lane of lanes.values()) lane.controller.abort(new Error('hedged request lost the race'))
          return {
            value: outcome.value,
            candidate: candidates[outcome.lane] as AiCandidate,
            index: outcome.lane,
            attempts,
            fallbackUsed: outcome.lane > 0,
          }
        }
        if (lanes.size === 0) startNext()
      }
      throw new AllProvidersFailedError(attempts, { deadline: overall.signal.reason instanceof DeadlineError })
    } finally {
      clearTimeout(deadlineTimer)
      run.signal?.removeEventListener('abort', onCallerAbort)
      for (const lane of lanes.values()) lane.controller.abort(new Error('request finished'))
    }
  }

  return { run }
}
