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
  /** The provider's own error: its message (as it wrote it), code and param when it sent them. */
  readonly upstream: { message: string; code?: string | undefined; param?: string | undefined } | undefined

  constructor(options: {
    provider: string
    model: string
    errorClass: ErrorClass
    message: string
    statusCode?: number | undefined
    retryAfterMs?: number | undefined
    upstream?: { message: string; code?: string | undefined; param?: string | undefined } | undefined
    cause?: unknown
  }) {
    super('provider_call_failed', options.message, { status: 502, cause: options.cause })
    this.provider = options.provider
    this.model = options.model
    this.errorClass = options.errorClass
    this.statusCode = options.statusCode
    this.retryAfterMs = options.retryAfterMs
    this.upstream = options.upstream
    this.isRetryable = RETRYABLE.has(options.errorClass)
  }

  /** Whether this failure says something about the provider's health (feeds the breaker). */
  get countsAgainstProvider(): boolean {
    return PROVIDER_FAULTS.has(this.errorClass)
  }
}

/** Retried on the same candidate (with backoff). A malformed body is a passing fault like a 502. */
const RETRYABLE = new Set<ErrorClass>([
  ErrorClass.Timeout,
  ErrorClass.RateLimited,
  ErrorClass.ServerError,
  ErrorClass.Network,
  ErrorClass.MalformedResponse,
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

/** Upstream statuses that mean the client's request itself is wrong: returned as is, never retried or fallen back. */
export const CLIENT_ERROR_STATUSES: ReadonlySet<number> = new Set([400, 404, 413, 422])

/**
 * The provider refused the request itself (400, 404, 413, 422): the client's error, with the
 * provider's message, returned under the provider's status. Not retried, not fallen back, not a
 * breaker failure.
 */
export class UpstreamClientError extends OptimaliqError {
  readonly attempts: AiAttempt[]
  readonly param: string | null
  constructor(error: ProviderCallError, attempts: AiAttempt[]) {
    super(error.upstream?.code ?? 'invalid_request', error.upstream?.message ?? error.message, {
      status: error.statusCode ?? 400,
      details: { provider: error.provider, model: error.model, attempts },
      cause: error,
    })
    this.attempts = attempts
    this.param = error.upstream?.param ?? null
  }
}

/** Whether a failed call is the client's own error (see `UpstreamClientError`). */
export function isClientError(error: unknown): error is ProviderCallError {
  return (
    error instanceof ProviderCallError &&
    error.errorClass === ErrorClass.ClientError &&
    error.statusCode !== undefined &&
    CLIENT_ERROR_STATUSES.has(error.statusCode)
  )
}

/** Attempts that reached no provider (skipped by a breaker or our pacing) say nothing about why it failed. */
const SKIPPED = new Set<string>([ErrorClass.BreakerOpen, ErrorClass.Paced])

/**
 * Every candidate failed and there was no rules fallback. Lists every attempt. 429 with
 * `Retry-After` when every provider that was reached said 429; 503 when none was reached; else 502.
 */
export class AllProvidersFailedError extends OptimaliqError {
  readonly attempts: AiAttempt[]
  constructor(attempts: AiAttempt[], options: { deadline?: boolean } = {}) {
    const summary = attempts.map((a) => `${a.provider}/${a.model}: ${a.errorClass ?? 'error'}`).join('; ')
    const reached = attempts.filter((a) => !SKIPPED.has(a.errorClass ?? ''))
    const rateLimited = reached.length > 0 && reached.every((a) => a.errorClass === ErrorClass.RateLimited)
    const retryAfterMs = Math.max(0, ...reached.map((a) => a.retryAfterMs ?? 0))
    super(
      'all_providers_failed',
      attempts.length === 0
        ? 'No AI provider could take the request'
        : rateLimited
          ? `Every AI provider is rate limiting this request; retry after ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s (${summary})`
          : `Every AI provider failed${options.deadline ? ' before the deadline' : ''} (${summary})`,
      {
        status: rateLimited ? 429 : reached.length === 0 ? 503 : 502,
        details: { attempts },
        ...(rateLimited ? { headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) } } : {}),
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
      upstream: upstreamError(error.responseBody, error.message),
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

/**
 * The provider's own error from its response body, in any of the shapes providers use (OpenAI
 * `{error: {message, code, param}}`, Anthropic `{type: 'error', error: {type, message}}`, Gemini
 * `{error: {code, message, status}}`, Mistral `{message, code}`). The message is always a string.
 */
export function upstreamError(
  body: string | undefined,
  fallback: string,
): { message: string; code?: string | undefined; param?: string | undefined } {
  let parsed: unknown
  try {
    parsed = body ? JSON.parse(body) : undefined
  } catch {
    return { message: body?.trim() ? body.trim().slice(0, 1000) : fallback }
  }
  const root = (parsed ?? {}) as Record<string, unknown>
  const inner = (typeof root.error === 'object' && root.error !== null ? root.error : root) as Record<string, unknown>
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined)
  return {
    message: str(inner.message) ?? str(root.message) ?? (typeof root.error === 'string' ? root.error : fallback),
    code: str(inner.code) ?? str(inner.type) ?? str(inner.status),
    param: str(inner.param),
  }
}

/** A readable message of anything thrown or sent as an error part (never "[object Object]"). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  if (error && typeof error === 'object') {
    const e = error as { message?: unknown; error?: unknown }
    if (typeof e.message === 'string') return e.message
    if (e.error !== undefined) return errorMessage(e.error)
    try {
      return JSON.stringify(error)
    } catch {
      return 'unknown error'
    }
  }
  return String(error)
}
