import { OptimaliqError } from '../errors.ts'

/**
 * Login and sign-up throttling, counted in the shared fixed-window counters of the limiter
 * (`rate_limits`, docs/governance.md), so it holds across every process.
 *
 * A login attempt takes one point on each of its counters before the password is checked and gives
 * it back when the password was right, so the counters count failures (and attempts in flight:
 * 60 parallel guesses cannot slip past the check). Per account (the lower-cased, trimmed email):
 * `backoffFailures` in a minute refuse the next attempts until that minute ends (backoff), and
 * `lockFailures` within `lockMinutes` lock the account's logins until that window ends (a
 * temporary lock; the right password is refused too). Per client address: `addressFailures`
 * within `lockMinutes`, whatever the accounts. Sign-ups: `signupsPerAddressPerHour` per address
 * and a few per email. A refusal is `429 too_many_attempts` with `Retry-After`, and is audited once
 * per counter window in each process.
 *
 * The counters exist for any email, known or not, so a refusal says nothing about whether an
 * account exists.
 */

export type ThrottleOptions = {
  enabled: boolean
  backoffFailures: number
  lockFailures: number
  lockMinutes: number
  addressFailures: number
  signupsPerAddressPerHour: number
}

/** The part of the limiter's counter pool the throttle uses (structurally: auth does not import governance). */
export type ThrottleCounters = {
  take(
    specs: Array<{ key: string; points: number; max: number; durationMs: number }>,
    now?: number,
  ): Promise<{ ok: boolean; states: Array<{ expire: number; fits: boolean }>; over?: number }>
  correct(key: string, delta: number, now?: number, expire?: number): void
}

export type ThrottleAudit = (entry: {
  action: string
  target: string
  details: Record<string, unknown>
}) => Promise<void>

/** 429 `too_many_attempts`: which counter refused and when to try again. */
export class TooManyAttemptsError extends OptimaliqError {
  constructor(info: { scope: 'account' | 'address'; kind: 'login' | 'signup'; retryAfterMs: number }) {
    const retryAfterSeconds = Math.max(1, Math.ceil(info.retryAfterMs / 1000))
    const what =
      info.kind === 'login'
        ? info.scope === 'account'
          ? 'failed sign-ins on this account'
          : 'failed sign-ins from your address'
        : 'sign-ups from your address'
    super('too_many_attempts', `Too many ${what}; try again in ${retryAfterSeconds} s`, {
      status: 429,
      details: { scope: info.scope, retryAfterSeconds },
      headers: { 'retry-after': String(retryAfterSeconds) },
    })
  }
}

/** One login attempt's points: give them back when the password was right. */
export type LoginTicket = { succeeded(): void }

export type AuthThrottle = {
  /** Before checking a password: counts the attempt or throws TooManyAttemptsError. */
  login(email: string, address: string): Promise<LoginTicket>
  /** Before creating an account: counts the sign-up or throws TooManyAttemptsError. */
  signup(email: string, address: string): Promise<void>
}

/** The account key of an email: case and surrounding spaces do not make a new account to guess at. */
export const accountKey = (email: string) => email.normalize('NFKC').trim().toLowerCase()

const MINUTE = 60_000

export function createAuthThrottle(deps: {
  counters: ThrottleCounters
  options: ThrottleOptions
  audit?: ThrottleAudit
  onError?: (error: unknown) => void
}): AuthThrottle {
  const { counters, options } = deps
  const lockMs = options.lockMinutes * MINUTE
  /** Counter windows already audited in this process (key → window end). */
  const audited = new Map<string, number>()

  async function takeOrRefuse(
    kind: 'login' | 'signup',
    target: string,
    address: string,
    specs: Array<{ key: string; points: number; max: number; durationMs: number; scope: 'account' | 'address' }>,
  ) {
    const now = Date.now()
    const result = await counters.take(specs, now)
    if (result.ok) return result
    const over = result.over ?? result.states.findIndex((s) => !s.fits)
    const spec = specs[Math.max(0, over)]!
    const expire = result.states[Math.max(0, over)]?.expire ?? now + spec.durationMs
    const error = new TooManyAttemptsError({ scope: spec.scope, kind, retryAfterMs: expire - now })
    if (deps.audit && audited.get(spec.key) !== expire) {
      if (audited.size > 10_000) audited.clear()
      audited.set(spec.key, expire)
      const action =
        kind === 'signup'
          ? 'auth.signup_throttled'
          : spec.key.endsWith(':lock')
            ? 'auth.login_locked'
            : 'auth.login_throttled'
      await deps
        .audit({
          action,
          target,
          details: { scope: spec.scope, address, max: spec.max, until: new Date(expire).toISOString() },
        })
        .catch((e: unknown) => deps.onError?.(e))
    }
    throw error
  }

  return {
    async login(email, address) {
      if (!options.enabled) return { succeeded() {} }
      const account = accountKey(email)
      const specs = [
        {
          key: `auth_login:account:${account}:backoff`,
          points: 1,
          max: options.backoffFailures,
          durationMs: MINUTE,
          scope: 'account' as const,
        },
        {
          key: `auth_login:account:${account}:lock`,
          points: 1,
          max: options.lockFailures,
          durationMs: lockMs,
          scope: 'account' as const,
        },
        {
          key: `auth_login:address:${address}`,
          points: 1,
          max: options.addressFailures,
          durationMs: lockMs,
          scope: 'address' as const,
        },
      ]
      const taken = await takeOrRefuse('login', account, address, specs)
      return {
        succeeded() {
          // A right password is not a failure: its points go back to the windows they were taken in.
          specs.forEach((s, i) => counters.correct(s.key, -1, undefined, taken.states[i]?.expire))
        },
      }
    },
    async signup(email, address) {
      if (!options.enabled) return
      const account = accountKey(email)
      await takeOrRefuse('signup', account, address, [
        { key: `auth_signup:account:${account}`, points: 1, max: 5, durationMs: 60 * MINUTE, scope: 'account' },
        {
          key: `auth_signup:address:${address}`,
          points: 1,
          max: options.signupsPerAddressPerHour,
          durationMs: 60 * MINUTE,
          scope: 'address',
        },
      ])
    },
  }
}
