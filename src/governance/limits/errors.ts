import { OptimaliqError } from '../../errors.ts'
import type { RateLimitStanding } from '../../gateway/types.ts'

/** `X-RateLimit-Limit/Remaining/Reset` (reset in epoch seconds), on answers and refusals alike. */
export function rateLimitHeaders(
  standing: Pick<RateLimitStanding, 'max' | 'remaining' | 'resetAtMs'>,
): Record<string, string> {
  return {
    'x-ratelimit-limit': String(standing.max),
    'x-ratelimit-remaining': String(standing.remaining),
    'x-ratelimit-reset': String(Math.ceil(standing.resetAtMs / 1000)),
  }
}

/** 429 `rate_limited`: names the limit, with Retry-After and X-RateLimit-* headers. */
export class RateLimitedError extends OptimaliqError {
  readonly limit: string
  readonly retryAfterSeconds: number
  constructor(info: {
    limit: string
    max: number
    remaining: number
    resetAt: Date
    retryAfterMs: number
    scope: string
  }) {
    const retryAfterSeconds = Math.max(1, Math.ceil(info.retryAfterMs / 1000))
    super('rate_limited', `Rate limit ${info.limit} reached (${info.max}); retry after ${retryAfterSeconds} s`, {
      status: 429,
      details: {
        limit: info.limit,
        scope: info.scope,
        max: info.max,
        remaining: info.remaining,
        resetAt: info.resetAt.toISOString(),
        retryAfterSeconds,
      },
      headers: {
        'retry-after': String(retryAfterSeconds),
        ...rateLimitHeaders({ max: info.max, remaining: info.remaining, resetAtMs: info.resetAt.getTime() }),
      },
    })
    this.limit = info.limit
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** 402 `budget_exceeded`: names the budget and when it resets. */
export class BudgetExceededError extends OptimaliqError {
  readonly budget: string
  /** Whether features should answer from the rules engine instead (configuration). */
  readonly rulesFallback: boolean
  constructor(info: { budget: string; limitUsd: number; spentUsd: number; resetAt: Date; rulesFallback: boolean }) {
    const retryAfterSeconds = Math.max(1, Math.ceil((info.resetAt.getTime() - Date.now()) / 1000))
    super(
      'budget_exceeded',
      `Budget ${info.budget} of $${info.limitUsd} is spent; it resets at ${info.resetAt.toISOString()}`,
      {
        status: 402,
        details: {
          budget: info.budget,
          limitUsd: info.limitUsd,
          spentUsd: round(info.spentUsd),
          resetAt: info.resetAt.toISOString(),
          rulesFallback: info.rulesFallback,
        },
        headers: { 'retry-after': String(retryAfterSeconds) },
      },
    )
    this.budget = info.budget
    this.rulesFallback = info.rulesFallback
  }
}

const round = (n: number) => Math.round(n * 1e6) / 1e6
