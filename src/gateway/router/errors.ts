import { APICallError, NoObjectGeneratedError, RetryError } from 'ai'
import { OptimaliqError } from '../../errors.ts'
import type { AiAttempt } from '../types.ts'

/** How a failed attempt is classified: drives retries, the breaker and `ai_log.attempts`. */
export const ErrorClass = {
  Timeout: 'timeout',
  Deadline: 'deadline',
  RateLimited: 'rate_limited',
  ServerError: 'server_error',
  Network: 'network',
  ClientError: 'client_error',
  MalformedResponse: 'malformed_response',
  InvalidOutput: 'invalid_output',
  BreakerOpen: 'breaker_open',
  /** Our own pacing said the provider's per-minute budget is used up: route on, not a provider fault. */
  Paced: 'paced',
  Aborted: 'aborted',
} as const
export type ErrorClass = (typeof ErrorClass)[keyof typeof ErrorClass]

/** One failed call to a provider, classified. */
export class ProviderCallError extends OptimaliqError {
  readonly provider: string
  readonly model: string
  readonly errorClass: ErrorClass
  readonly statusCode: number | undefined
  readonly isRetryable: boolean
  /** Milliseconds the provider asked us to wait (`Retry-After`), if any. */
  readonly retryAfterMs: number | undefined

  constructor(options: {
    provider: string
    model: string
    errorClass: ErrorClass
    message: string
    statusCode?: number | undefined
    retryAfterMs?: number | undefined
    cause?: unknown
  }) {
    super('provider_call_failed', options.message, { status: 502, cause: options.cause })
    this.provider = options.provider
    this.model = options.model
    this.errorClass = options.errorClass
    this.statusCode = options.statusCode
    this.retryAfterMs = options.retryAfterMs
    this.isRetryable = RETRYABLE.has(options.errorClass)
  }

  /** Whether this failure says something about the provider's health (feeds the breaker). */
  get countsAgainstProvider(): boolean {
    return PROVIDER_FAULTS.has(this.errorClass)
  }
}

const RETRYABLE = new Set<ErrorClass>([
  ErrorClass.Timeout,
  ErrorClass.RateLimited,
  ErrorClass.ServerError,
  ErrorClass.Network,
])
const PROVIDER_FAULTS = new Set<ErrorClass>([
  ErrorClass.Timeout,
  ErrorClass.RateLimited,
  ErrorClass.ServerError,
  ErrorClass.Network,
  ErrorClass.MalformedResponse,
])

/** Output that failed the caller's schema (after the repair attempt): route on, never return it. */
export class InvalidOutputError extends OptimaliqError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_output', message, { status: 502, ...(details ? { details } : {}) })
  }
}

/** Every candidate failed and there was no rules fallback. Lists every attempt. */
export class AllProvidersFailedError extends OptimaliqError {
  readonly attempts: AiAttempt[]
  constructor(attempts: AiAttempt[], options: { deadline?: boolean } = {}) {
    const summary = attempts.map((a) => `${a.provider}/${a.model}: ${a.errorClass ?? 'error'}`).join('; ')
    super(
      'all_providers_failed',
      attempts.length === 0
        ? 'No AI provider could take the request'
        : `Every AI provider failed${options.deadline ? ' before the deadline' : ''} (${summary})`,
      {
        status: attempts.length === 0 || attempts.every((a) => a.errorClass === ErrorClass.BreakerOpen) ? 503 : 502,
        details: { attempts },
      },
    )
    this.attempts = attempts
  }
}

/** AI is disabled or no provider is configured, and the caller gave no rules fallback. */
export class AiUnavailableError extends OptimaliqError {
  constructor(message = 'No AI provider is configured (set AI_ENABLED=true and a provider key)') {
    super('ai_unavailable', message, { status: 503 })
  }
}

/** Parse `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined | null, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value
  if (raw === undefined || raw === null || raw === '') return undefined
  const seconds = Number(raw)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(raw)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** The error class of an HTTP status from a provider. */
export function classifyStatus(status: number): ErrorClass {
  if (status === 429) return ErrorClass.RateLimited
  if (status === 408) return ErrorClass.Timeout
  if (status >= 500) return ErrorClass.ServerError
  return ErrorClass.ClientError
}

function isAbort(error: unknown): error is Error {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')
}

/**
 * Turn whatever a call threw into a `ProviderCallError`. `signal` is the attempt's signal: when it
 * was aborted, its reason says whether the attempt timed out, the deadline passed or the caller left.
 */
export function classifyError(
  error: unknown,
  target: { provider: string; model: string },
  signal?: AbortSignal,
): ProviderCallError | InvalidOutputError {
  if (error instanceof ProviderCallError || error instanceof InvalidOutputError) return error
  if (error instanceof RetryError) return classifyError(error.lastError, target, signal)
  const base = { provider: target.provider, model: target.model, cause: error }
  if (signal?.aborted || isAbort(error)) {
    const reason: unknown = signal?.reason
    const kind =
      reason instanceof Error && reason.name === 'DeadlineError'
        ? ErrorClass.Deadline
        : reason instanceof Error && reason.name === 'TimeoutError'
          ? ErrorClass.Timeout
          : isAbort(error) && error.name === 'TimeoutError'
            ? ErrorClass.Timeout
            : ErrorClass.Aborted
    return new ProviderCallError({
      ...base,
      errorClass: kind,
      message:
        kind === ErrorClass.Timeout
          ? 'The attempt timed out'
          : kind === ErrorClass.Deadline
            ? 'The deadline passed'
            : 'The request was aborted',
    })
  }
  if (APICallError.isInstance(error)) {
    const status = error.statusCode
    if (status === undefined)
      return new ProviderCallError({
        ...base,
        errorClass: error.isRetryable ? ErrorClass.Network : ErrorClass.MalformedResponse,
        message: error.message,
      })
    if (status >= 200 && status < 300)
      return new ProviderCallError({
        ...base,
        errorClass: ErrorClass.MalformedResponse,
        statusCode: status,
        message: error.message,
      })
    const headers = error.responseHeaders ?? {}
    return new ProviderCallError({
      ...base,
      errorClass: classifyStatus(status),
      statusCode: status,
      retryAfterMs: parseRetryAfter(headers['retry-after']),
      message: error.message,
    })
  }
  if (NoObjectGeneratedError.isInstance(error))
    return new InvalidOutputError(error.message, { text: error.text?.slice(0, 2000) })
  const name = error instanceof Error ? error.name : ''
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && /^(ECONN|ENOTFOUND|EPIPE|ETIMEDOUT|EAI_AGAIN|UND_ERR)/.test(code)) {
    const errorClass = /TIMEOUT/.test(code) ? ErrorClass.Timeout : ErrorClass.Network
    return new ProviderCallError({
      ...base,
      errorClass,
      message: error instanceof Error ? error.message : String(error),
    })
  }
  if (name === 'TypeError' && /fetch failed|terminated|socket/i.test(String((error as Error).message))) {
    return new ProviderCallError({ ...base, errorClass: ErrorClass.Network, message: (error as Error).message })
  }
  // JSON parse errors, type validation of the provider's response, empty bodies: a broken answer.
  return new ProviderCallError({
    ...base,
    errorClass: ErrorClass.MalformedResponse,
    message: error instanceof Error ? error.message : String(error),
  })
}
