import { describe, expect, it } from 'vitest'
import { DEFAULT_BUDGETS, DEFAULT_TIER_LIMITS, resolveBudgets, resolvePacing, resolveTierLimits } from './config.ts'
import { BudgetExceededError, RateLimitedError } from './errors.ts'
import { periodEnd, periodKey, periodStart } from '../budgets/periods.ts'

describe('limits configuration', () => {
  it('has the plan defaults', () => {
    expect(DEFAULT_TIER_LIMITS.free).toMatchObject({ perMinute: 10, perHour: 100, perDay: 1_000 })
    expect(DEFAULT_TIER_LIMITS.premium).toMatchObject({ perMinute: 60, perHour: 1_000, perDay: 10_000 })
    expect(DEFAULT_TIER_LIMITS.enterprise).toMatchObject({ perMinute: 200, perHour: 5_000, perDay: 50_000 })
    expect(resolveTierLimits(undefined)).toEqual(DEFAULT_TIER_LIMITS)
    expect(resolveBudgets(undefined)).toEqual(DEFAULT_BUDGETS)
  })

  it('lays overrides over defaults and rejects unknown keys', () => {
    const limits = resolveTierLimits({ free: { perMinute: 3 } })
    expect(limits.free).toEqual({ ...DEFAULT_TIER_LIMITS.free, perMinute: 3 })
    expect(() => resolveTierLimits({ gold: {} })).toThrow()
    const budgets = resolveBudgets({
      user: { free: { dailyUsd: 1 } },
      global: { monthlyUsd: 5 },
      warnAt: 0.9,
      rulesFallback: false,
    })
    expect(budgets.user.free).toEqual({ dailyUsd: 1, monthlyUsd: DEFAULT_BUDGETS.user.free.monthlyUsd })
    expect(budgets.global.monthlyUsd).toBe(5)
    expect(budgets.warnAt).toBe(0.9)
    expect(budgets.rulesFallback).toBe(false)
    expect(resolvePacing({ openai: { rpm: 100 } })).toEqual({ openai: { rpm: 100 } })
  })

  it('refusals name the limit, with headers', () => {
    const e = new RateLimitedError({
      limit: 'user.requests_per_minute',
      scope: 'user',
      max: 10,
      remaining: 0,
      resetAt: new Date(Date.now() + 30_500),
      retryAfterMs: 30_500,
    })
    expect(e.status).toBe(429)
    expect(e.code).toBe('rate_limited')
    expect(e.headers).toMatchObject({ 'retry-after': '31', 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0' })
    const b = new BudgetExceededError({
      budget: 'user.free.daily',
      limitUsd: 0.5,
      spentUsd: 0.6,
      resetAt: new Date('2030-01-02T00:00:00Z'),
      rulesFallback: true,
    })
    expect(b.status).toBe(402)
    expect(b.message).toContain('user.free.daily')
    expect(b.message).toContain('2030-01-02T00:00:00.000Z')
    expect(b.details).toMatchObject({ rulesFallback: true })
  })

  it('computes UTC budget periods', () => {
    const now = new Date('2026-02-28T23:59:59Z')
    expect(periodStart('daily', now).toISOString()).toBe('2026-02-28T00:00:00.000Z')
    expect(periodEnd('daily', now).toISOString()).toBe('2026-03-01T00:00:00.000Z')
    expect(periodStart('monthly', now).toISOString()).toBe('2026-02-01T00:00:00.000Z')
    expect(periodEnd('monthly', now).toISOString()).toBe('2026-03-01T00:00:00.000Z')
    expect(periodKey('daily', now)).toBe('2026-02-28')
    expect(periodKey('monthly', now)).toBe('2026-02')
  })
})
