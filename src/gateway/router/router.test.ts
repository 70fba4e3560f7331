import { describe, expect, it } from 'vitest'
import { createBreakerRegistry } from './breakers.ts'
import type { Clock } from './clock.ts'
import {
  AllProvidersFailedError,
  ErrorClass,
  InvalidOutputError,
  ProviderCallError,
  UpstreamClientError,
  classifyError,
  errorMessage,
  parseRetryAfter,
  upstreamError,
} from './errors.ts'
import { backoffDelay, createRouter, type RouterOptions } from './router.ts'
import { createRouteTable, UnknownModelError } from './routes.ts'

/** A clock whose sleeps return at once and are recorded. */
function fakeClock() {
  const sleeps: number[] = []
  let now = 0
  const clock: Clock = { now: () => now, sleep: async (ms) => void (sleeps.push(ms), (now += ms)) }
  return { clock, sleeps }
}

const fail = (
  provider: string,
  errorClass: ProviderCallError['errorClass'],
  extra: { statusCode?: number; retryAfterMs?: number } = {},
) => new ProviderCallError({ provider, model: 'm', errorClass, message: errorClass, ...extra })

function router(extra: Partial<RouterOptions> = {}) {
  const { clock, sleeps } = fakeClock()
  const breakers = createBreakerRegistry({ threshold: 3, halfOpenAfterMs: 50 })
  return { router: createRouter({ breakers, clock, random: () => 0.5, ...extra }), sleeps, breakers }
}

const A = { provider: 'a', model: 'm1' }
const B = { provider: 'b', model: 'm2' }

describe('router', () => {
  it('answers from the first candidate without fallback', async () => {
    const { router: r } = router()
    const result = await r.run({ candidates: [A, B], call: async ({ candidate }) => candidate.provider })
    expect(result).toMatchObject({ value: 'a', fallbackUsed: false, index: 0 })
    expect(result.attempts).toHaveLength(1)
  })

  it('retries retryable errors with backoff, then falls back', async () => {
    const { router: r, sleeps } = router()
    const result = await r.run({
      candidates: [A, B],
      call: async ({ candidate }) => {
        if (candidate.provider === 'a') throw fail('a', ErrorClass.ServerError, { statusCode: 500 })
        return 'b'
      },
    })
    expect(result.value).toBe('b')
    expect(result.fallbackUsed).toBe(true)
    expect(result.attempts.map((a) => `${a.provider}:${a.ok}`)).toEqual(['a:false', 'a:false', 'a:false', 'b:true'])
    expect(sleeps).toEqual([75, 150])
  })

  it("returns the client's own error (400/404/413/422) at once: no retry, no fallback, no breaker count", async () => {
    for (const statusCode of [400, 404, 413, 422]) {
      const { router: r, sleeps, breakers } = router({ retry: { maxRetries: 2 } })
      let calls = 0
      for (let i = 0; i < 4; i++) {
        const error = await r
          .run({
            candidates: [A, B],
            call: async ({ candidate }) => {
              calls += 1
              if (candidate.provider === 'a')
                throw new ProviderCallError({
                  provider: 'a',
                  model: 'm1',
                  errorClass: ErrorClass.ClientError,
                  statusCode,
                  message: 'a answered',
                  upstream: { message: 'max_tokens is too large', code: 'invalid_value', param: 'max_tokens' },
                })
              return 'b'
            },
          })
          .catch((e: unknown) => e)
        expect(error).toBeInstanceOf(UpstreamClientError)
        expect(error).toMatchObject({ status: statusCode, message: 'max_tokens is too large', param: 'max_tokens' })
      }
      expect(calls).toBe(4)
      expect(sleeps).toEqual([])
      expect(breakers.state('a', 'm1')).toBe('closed')
    }
  })

  it('does not retry other client errors (e.g. our key refused) or invalid output, and routes on', async () => {
    const { router: r, sleeps } = router()
    const result = await r.run({
      candidates: [A, B, { provider: 'c', model: 'x' }],
      call: async ({ candidate }) => {
        if (candidate.provider === 'a') throw fail('a', ErrorClass.ClientError, { statusCode: 401 })
        if (candidate.provider === 'b') throw new InvalidOutputError('bad')
        return 'c'
      },
    })
    expect(result.value).toBe('c')
    expect(result.attempts.map((a) => a.errorClass)).toEqual([
      ErrorClass.ClientError,
      ErrorClass.InvalidOutput,
      undefined,
    ])
    expect(sleeps).toEqual([])
  })

  it('honours Retry-After up to the cap and moves on beyond it', async () => {
    const { router: r, sleeps } = router({ retry: { maxRetryAfterMs: 2_000 } })
    let calls = 0
    const result = await r.run({
      candidates: [A],
      call: async () => {
        calls += 1
        if (calls === 1) throw fail('a', ErrorClass.RateLimited, { statusCode: 429, retryAfterMs: 1_500 })
        return 'ok'
      },
    })
    expect(result.value).toBe('ok')
    expect(sleeps).toEqual([1_500])
    const tooLong = router({ retry: { maxRetryAfterMs: 2_000 } })
    const second = await tooLong.router.run({
      candidates: [A, B],
      call: async ({ candidate }) => {
        if (candidate.provider === 'a')
          throw fail('a', ErrorClass.RateLimited, { statusCode: 429, retryAfterMs: 60_000 })
        return 'b'
      },
    })
    expect(second.value).toBe('b')
    expect(tooLong.sleeps).toEqual([])
  })

  it('throws AllProvidersFailedError listing every attempt', async () => {
    const { router: r } = router({ retry: { maxRetries: 0 } })
    const error = await r
      .run({
        candidates: [A, B],
        call: async ({ candidate }) => {
          throw fail(candidate.provider, ErrorClass.ServerError, { statusCode: 503 })
        },
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AllProvidersFailedError)
    expect((error as AllProvidersFailedError).attempts.map((a) => a.provider)).toEqual(['a', 'b'])
    expect((error as AllProvidersFailedError).status).toBe(502)
  })

  it('opens the breaker after repeated failures and closes it after a half-open success', async () => {
    const { router: r, breakers } = router({ retry: { maxRetries: 0 } })
    let healthy = false
    const call = async ({ candidate }: { candidate: { provider: string } }) => {
      if (candidate.provider === 'a' && !healthy) throw fail('a', ErrorClass.ServerError, { statusCode: 500 })
      return candidate.provider
    }
    for (let i = 0; i < 3; i++) await r.run({ candidates: [A, B], call })
    expect(breakers.state('a')).toBe('open')
    const skipped = await r.run({ candidates: [A, B], call })
    expect(skipped.attempts[0]).toMatchObject({ provider: 'a', errorClass: ErrorClass.BreakerOpen })
    await new Promise((resolve) => setTimeout(resolve, 60))
    healthy = true
    const probe = await r.run({ candidates: [A, B], call })
    expect(probe.value).toBe('a')
    expect(breakers.state('a')).toBe('closed')
  })

  it("keeps one breaker per provider and model: a failing model leaves its provider's other models serving", async () => {
    const { router: r, breakers } = router({ retry: { maxRetries: 0 } })
    const bad = { provider: 'a', model: 'bad' }
    const good = { provider: 'a', model: 'good' }
    const call = async ({ candidate }: { candidate: { model: string } }) => {
      if (candidate.model === 'bad') throw fail('a', ErrorClass.ServerError, { statusCode: 500 })
      return candidate.model
    }
    for (let i = 0; i < 3; i++) await r.run({ candidates: [bad, good], call })
    expect(breakers.state('a', 'bad')).toBe('open')
    expect(breakers.state('a', 'good')).toBe('closed')
    expect(breakers.state('a')).toBe('closed')
    const served = await r.run({ candidates: [good], call })
    expect(served).toMatchObject({ value: 'good', fallbackUsed: false })
  })

  it('when every breaker is open, still probes the candidate whose breaker opened first', async () => {
    const { router: r, breakers } = router({ retry: { maxRetries: 0 } })
    let down = true
    const call = async ({ candidate }: { candidate: { provider: string } }) => {
      if (down) throw fail(candidate.provider, ErrorClass.ServerError, { statusCode: 500 })
      return candidate.provider
    }
    for (let i = 0; i < 3; i++) await r.run({ candidates: [A], call }).catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 5))
    for (let i = 0; i < 3; i++) await r.run({ candidates: [B], call }).catch(() => undefined)
    expect([breakers.state('a'), breakers.state('b')]).toEqual(['open', 'open'])
    down = false
    // B is listed first, but A's breaker opened longer ago: A is probed and answers.
    const probed = await r.run({ candidates: [B, A], call })
    expect(probed.value).toBe('a')
    expect(probed.attempts).toEqual([expect.objectContaining({ provider: 'a', ok: true })])
  })

  it('answers 429 with Retry-After when every provider reached said 429', async () => {
    const { router: r } = router({ retry: { maxRetries: 0 } })
    const error = (await r
      .run({
        candidates: [A, B],
        call: async ({ candidate }) => {
          throw fail(candidate.provider, ErrorClass.RateLimited, { statusCode: 429, retryAfterMs: 7_500 })
        },
      })
      .catch((e: unknown) => e)) as AllProvidersFailedError
    expect(error).toBeInstanceOf(AllProvidersFailedError)
    expect(error.status).toBe(429)
    expect(error.headers).toEqual({ 'retry-after': '8' })
    expect(errorMessage({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })).toBe(
      'Overloaded',
    )
    expect(upstreamError('{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}', 'x')).toEqual({
      message: 'bad',
      code: 'invalid_request_error',
      param: undefined,
    })
  })

  it('enforces the per-attempt timeout and the overall deadline', async () => {
    const { breakers } = router()
    const r = createRouter({ breakers, retry: { maxRetries: 5, baseDelayMs: 1 } })
    const hang = ({ signal }: { signal: AbortSignal }) =>
      new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)))
    const error = (await r
      .run({ candidates: [A, B], call: hang, attemptTimeoutMs: 1_000, deadlineMs: 50 })
      .catch((e: unknown) => e)) as AllProvidersFailedError
    expect(error).toBeInstanceOf(AllProvidersFailedError)
    expect(error.attempts[0]?.errorClass).toBe(ErrorClass.Deadline)
    const timedOut = await r.run({
      candidates: [A, B],
      attemptTimeoutMs: 20,
      call: async (ctx) => (ctx.candidate.provider === 'a' ? hang(ctx) : 'b'),
    })
    expect(timedOut.value).toBe('b')
    expect(timedOut.attempts.some((a) => a.errorClass === ErrorClass.Timeout)).toBe(true)
  })

  it('hedges: starts the next candidate when the first is slow and cancels the loser', async () => {
    const { breakers } = router()
    const r = createRouter({ breakers, hedgeAfterMs: 10 })
    let aborted = false
    const result = await r.run({
      candidates: [A, B],
      call: ({ candidate, signal }) =>
        candidate.provider === 'a'
          ? new Promise<string>((_, reject) =>
              signal.addEventListener('abort', () => ((aborted = true), reject(signal.reason as Error))),
            )
          : Promise.resolve('b'),
    })
    expect(result.value).toBe('b')
    expect(result.fallbackUsed).toBe(true)
    expect(aborted).toBe(true)
  })

  it('computes jittered backoff', () => {
    const opts = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 300, maxRetryAfterMs: 1000 }
    expect(backoffDelay(5, opts, () => 1)).toBe(300)
    expect(backoffDelay(0, opts, () => 0)).toBe(50)
    expect(backoffDelay(0, opts, () => 0, 5000)).toBe(1000)
  })
})

describe('errors', () => {
  it('parses Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('2')).toBe(2000)
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000)
    expect(parseRetryAfter(undefined)).toBeUndefined()
    expect(parseRetryAfter('soon')).toBeUndefined()
  })
  it('classifies network and unknown errors', () => {
    const net = classifyError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), A)
    expect(net).toMatchObject({ errorClass: ErrorClass.Network, isRetryable: true })
    expect(classifyError(new SyntaxError('Unexpected token'), A)).toMatchObject({
      errorClass: ErrorClass.MalformedResponse,
      isRetryable: true,
    })
  })
})

describe('routes', () => {
  const table = createRouteTable(
    {
      providers: ['openai', 'anthropic'],
      defaultModel: (p) => (p === 'openai' ? 'gpt-4.1-mini' : 'claude-sonnet-4-0'),
      resolveModel: (n) =>
        n === 'fast'
          ? { provider: 'anthropic', model: 'claude-3-5-haiku' }
          : n === 'openai/mini'
            ? { provider: 'openai', model: 'gpt-4.1-mini' }
            : undefined,
    },
    { cheap: ['fast', 'openai/gpt-4.1-nano', 'mistral/nope'] },
  )
  it('has a default route, named routes, aliases and provider/model', () => {
    expect(table.resolve()).toEqual([
      { provider: 'openai', model: 'gpt-4.1-mini' },
      { provider: 'anthropic', model: 'claude-sonnet-4-0' },
    ])
    expect(table.resolve('cheap')).toEqual([
      { provider: 'anthropic', model: 'claude-3-5-haiku' },
      { provider: 'openai', model: 'gpt-4.1-nano' },
    ])
    expect(table.resolve('openai/gpt-4o')).toEqual([{ provider: 'openai', model: 'gpt-4o' }])
    // A provider's catalog alias after its prefix goes out as the real model id.
    expect(table.resolve('openai/mini')).toEqual([{ provider: 'openai', model: 'gpt-4.1-mini' }])
    expect(() => table.resolve('mistral/x')).toThrow(UnknownModelError)
    expect(table.names()).toEqual(['default', 'cheap'])
  })
})
