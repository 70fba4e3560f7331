// Over 400 lines on purpose: one algorithm (leases over shared counters) whose parts share the
// per-process state; the SQL is in data/repositories/rate-limits.ts, the tests beside it.
import type { Database } from '../../data/db.ts'
import { rejectedByDatabase } from '../../data/pg-errors.ts'
import { pgCounterStore, type CounterStore, type TakeRow } from '../../data/repositories/rate-limits.ts'

export { clearExpiredLimits } from '../../data/repositories/rate-limits.ts'
export type { CounterStore }

/**
 * Fixed-window counters in the unlogged `rate_limits` table, shared by every process, with leases:
 * when a process contacts a counter it may take a few points more than the request needs, sized
 * to its own recent demand, and serve the next requests from memory. That keeps the database off
 * the path of most requests on a busy key (the limiter's cost is a Map lookup), and it never lets
 * more than the limit through: a lease is points already counted in the row.
 *
 * What it costs is precision near the limit, bounded three ways: a lease is at most 1/`share` of
 * what the window has spare, none is granted once fewer than `minRoom` points are spare (small
 * limits such as 10 a minute are therefore never leased), and unused points go back after
 * `idleMs` without use or `maxAgeMs` in any case. A refusal says whether other processes held
 * leases on the counter (`exact: false`): then the caller may be refused early, for at most
 * `maxAgeMs`, and should retry soon rather than at the window's end.
 *
 * The table is behind a `CounterStore` (data/repositories/rate-limits.ts), so this bookkeeping is
 * tested on its own against an in-memory store as well as against the database.
 * Every contact is one call of `rate_limit_take` (migration 0003): all counters of a request at
 * once, all or nothing, in key order. Corrections (settled token counts) and returned leases go
 * out in batches through `rate_limit_give`, every `idleMs`: another process sees a correction
 * that late at most.
 */

export type CounterSpec = { key: string; points: number; max: number; durationMs: number }
/** A counter's standing as this process sees it: `fits` whether this request's points fit, `exact` whether no other process held a lease on it at the last contact. */
export type CounterState = {
  key: string
  max: number
  remaining: number
  expire: number
  fits: boolean
  exact: boolean
}
export type TakeResult = { ok: true; states: CounterState[] } | { ok: false; states: CounterState[]; over: number }

export type LeaseOptions = {
  /** A lease covers about this much of the process's recent demand on a counter. */
  horizonMs: number
  /** No lease unless this many points stay spare in the window after the request. */
  minRoom: number
  /** A lease takes at most 1/share of what is spare. */
  share: number
  /** Hard cap on one lease. */
  maxLease: number
  /** Unused leased points go back after this long without use… */
  idleMs: number
  /** …and after this long in any case. */
  maxAgeMs: number
}

export const DEFAULT_LEASES: LeaseOptions = {
  horizonMs: 50,
  minRoom: 64,
  share: 8,
  maxLease: 100_000,
  idleMs: 100,
  maxAgeMs: 1_000,
}

export type CounterPool = {
  /** Take every spec's points, all or nothing. */
  take(specs: CounterSpec[], now?: number): Promise<TakeResult>
  /**
   * Correct a counter by `delta` points (a settled token count): more is taken from this process's
   * lease as far as it goes; the rest, and any less, is written with this counter's next contact or
   * by the background sweep within `idleMs` (`flush` writes it at once). With `expire` (the
   * window's end as `take` reported it) the correction goes to that window only: it is kept even
   * if this process has forgotten the counter meanwhile, and dropped if that window is over.
   */
  correct(key: string, delta: number, now?: number, expire?: number): void
  /** The standing of these counters without taking anything (this process's unused lease counts as spare). */
  peek(specs: CounterSpec[], now?: number): Promise<CounterState[]>
  /** Write pending corrections and give back every unused lease now (after a background write under way). */
  flush(): Promise<void>
  /** Stop the background sweep and flush. */
  close(): Promise<void>
}

/** What this process knows and holds of one counter (one window). */
type Local = {
  expire: number
  /** The row's points at the last contact (everyone's leases included). */
  seen: number
  /** Whether no other process held a lease at the last contact. */
  exact: boolean
  /** Leased points not yet used by this process. */
  available: number
  /** Points this process added to the row's `leased` (given back with the lease). */
  leased: number
  /** Corrections not yet written. */
  pending: number
  grantedAt: number
  usedAt: number
  contactAt: number
  /** Points served from the lease since the last contact: the process's demand. */
  served: number
}

/** Rounds a request waits for other requests' contacts before it makes its own. */
const MAX_WAITS = 4

/**
 * What a process keeps of what it handed to a failed call. Rolled back: all of it. Unclear: only
 * corrections that add points; the unused lease and corrections that give points back are dropped,
 * so a call that did commit is never applied twice in the direction that would let more through
 * (the points stay counted until the window ends instead).
 */
function keepAfterFailure(
  l: Local,
  handed: { available: number; pending: number; leased: number },
  rolledBack: boolean,
) {
  if (rolledBack) {
    l.available += handed.available
    l.pending += handed.pending
    l.leased += handed.leased
  } else {
    l.pending += Math.max(0, handed.pending)
  }
}

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

export function createCounterPool(
  storeOrDb: CounterStore | Database,
  options: Partial<LeaseOptions> & { onError?: (error: unknown) => void } = {},
): CounterPool {
  const store: CounterStore = 'take' in storeOrDb ? storeOrDb : pgCounterStore(storeOrDb)
  const opts: LeaseOptions = { ...DEFAULT_LEASES, ...options }
  const locals = new Map<string, Local>()

  const live = (key: string, now: number): Local | undefined => {
    const l = locals.get(key)
    if (l && l.expire <= now) {
      locals.delete(key)
      return undefined
    }
    return l
  }
  const stateOf = (s: CounterSpec, l: Local, fits: boolean): CounterState => ({
    key: s.key,
    max: s.max,
    remaining: Math.max(0, s.max - Math.max(0, l.seen - l.available)),
    expire: l.expire,
    fits,
    exact: l.exact,
  })
  /** Extra points to ask for: the recent demand on this counter over the horizon (none when cold). */
  const wanted = (s: CounterSpec, l: Local | undefined, now: number): number => {
    if (!l || now - l.contactAt > opts.maxAgeMs) return 0
    const perMs = (l.served + s.points) / Math.max(1, now - l.contactAt)
    return Math.min(opts.maxLease, Math.ceil(perMs * opts.horizonMs))
  }

  /** Contacts in flight, by counter key: a request short of a lease waits for one rather than making its own. */
  const inflight = new Map<string, Promise<unknown>>()
  /** Points of the requests waiting on each key: the next contact asks for them too. */
  const waiting = new Map<string, number>()

  async function take(specs: CounterSpec[], now = Date.now()): Promise<TakeResult> {
    // When the lease of a busy counter runs out, every request in flight would otherwise make its
    // own call and queue on the row's lock. A request short of a lease waits for the contact under
    // way (it brings the next lease, sized for the waiters too), a few rounds at most, then calls.
    // Counters too close to their limit to lease (such as 10 a minute) are not waited for: the
    // contact under way could bring nothing.
    for (let round = 0, at = now; ; round++, at = Math.max(at, Date.now())) {
      const served = fromLeases(specs, at)
      if (served) return served
      const under = round < MAX_WAITS ? specs.filter((s) => inflight.has(s.key) && leasable(s)) : []
      if (under.length === 0) return takeFromTable(specs, at)
      for (const s of under) waiting.set(s.key, (waiting.get(s.key) ?? 0) + s.points)
      await Promise.allSettled(under.map((s) => inflight.get(s.key)))
      for (const s of under) {
        const left = (waiting.get(s.key) ?? 0) - s.points
        if (left > 0) waiting.set(s.key, left)
        else waiting.delete(s.key)
      }
    }
  }

  /** Whether a contact could grant a lease on this counter: enough room stays spare after the request. */
  const leasable = (s: CounterSpec) => s.max - (locals.get(s.key)?.seen ?? 0) - s.points >= opts.minRoom

  /** The common case on a busy key: every counter served from this process's leases. */
  function fromLeases(specs: CounterSpec[], now: number): TakeResult | undefined {
    const hits: Local[] = []
    for (const s of specs) {
      const l = locals.get(s.key)
      if (!l || l.expire <= now || l.available < s.points) return undefined
      hits.push(l)
    }
    const states: CounterState[] = []
    for (let i = 0; i < specs.length; i++) {
      const s = specs[i]!
      const l = hits[i]!
      l.available -= s.points
      l.served += s.points
      l.usedAt = now
      states.push(stateOf(s, l, true))
    }
    return { ok: true, states }
  }

  async function takeFromTable(specs: CounterSpec[], now: number): Promise<TakeResult> {
    // Some counter needs the database: the others are still served from leases.
    const held = specs.map((s) => live(s.key, now))
    const leaseServes = specs.map((s, i) => (held[i]?.available ?? -1) >= s.points)
    // Served from leases first (reserved now, so a concurrent request cannot spend them too).
    specs.forEach((s, i) => {
      if (leaseServes[i]) held[i]!.available -= s.points
    })
    const settle = (ok: boolean) =>
      specs.forEach((s, i) => {
        if (!leaseServes[i]) return
        const l = held[i]!
        if (ok) {
          l.served += s.points
          l.usedAt = now
        } else l.available += s.points
      })

    // The rest in one call; each counter contacted hands back what this process holds of it.
    const contact = specs
      .map((s, i) => ({ s, i, key: s.key }))
      .filter((c) => !leaseServes[c.i])
      .sort(byKey)
      .map((c) => {
        const l = held[c.i]
        const handed = l
          ? { available: l.available, pending: l.pending, leased: l.leased, expire: l.expire }
          : { available: 0, pending: 0, leased: 0, expire: 0 }
        if (l) {
          l.available = 0
          l.pending = 0
          l.leased = 0
        }
        return { ...c, handed, extra: Math.min(opts.maxLease, wanted(c.s, l, now) + (waiting.get(c.key) ?? 0)) }
      })
    let rows: TakeRow[]
    try {
      const call = store.take(
        contact.map((c) => ({
          key: c.key,
          points: c.s.points,
          extra: c.extra,
          max: c.s.max,
          durationMs: c.s.durationMs,
          back: c.handed.available - c.handed.pending,
          unleased: c.handed.leased,
          handedExpire: c.handed.expire,
        })),
        now,
        opts.minRoom,
        opts.share,
      )
      for (const c of contact) inflight.set(c.key, call)
      try {
        rows = await call
      } finally {
        for (const c of contact) if (inflight.get(c.key) === call) inflight.delete(c.key)
      }
    } catch (error) {
      const rolledBack = rejectedByDatabase(error)
      for (const c of contact) {
        const l = locals.get(c.key)
        if (!l || l.expire !== c.handed.expire) continue
        keepAfterFailure(l, c.handed, rolledBack)
      }
      settle(false)
      throw error
    }

    const rowOf = new Map(rows.map((r) => [r.key, r]))
    const states: CounterState[] = []
    let over = -1
    specs.forEach((s, i) => {
      if (leaseServes[i]) return
      const row = rowOf.get(s.key)!
      const expire = row.expire
      let l = locals.get(s.key)
      if (!l || l.expire !== expire) {
        l = {
          expire,
          seen: 0,
          exact: true,
          available: 0,
          leased: 0,
          pending: 0,
          grantedAt: now,
          usedAt: now,
          contactAt: now,
          served: 0,
        }
        locals.set(s.key, l)
      }
      if (row.granted > 0 && l.available === 0) l.grantedAt = now
      l.available += row.granted
      l.leased += row.granted
      l.seen = row.points
      l.exact = row.leased - l.leased <= 0
      l.contactAt = now
      l.usedAt = now
      l.served = 0
      held[i] = l
      if (!row.fits && over < 0) over = i
    })
    settle(over < 0)
    specs.forEach((s, i) => states.push(stateOf(s, held[i]!, leaseServes[i] || rowOf.get(s.key)!.fits)))
    return over < 0 ? { ok: true, states } : { ok: false, states, over }
  }

  /** Write corrections and, by `mode`, give back idle or all unused leases: one call. */
  async function give(mode: 'idle' | 'all', now = Date.now()): Promise<void> {
    const batch: Array<{ key: string; l: Local; available: number; pending: number; leased: number }> = []
    for (const [key, l] of locals) {
      if (l.expire <= now) {
        locals.delete(key)
        continue
      }
      const holds = l.available > 0 || l.leased > 0
      const returning =
        holds &&
        (mode === 'all' || (mode === 'idle' && (now - l.usedAt >= opts.idleMs || now - l.grantedAt >= opts.maxAgeMs)))
      if (!returning && l.pending === 0) {
        // Forget counters long unused (their demand estimate is stale anyway).
        if (!holds && now - l.contactAt > 60_000) locals.delete(key)
        continue
      }
      batch.push({
        key,
        l,
        available: returning ? l.available : 0,
        pending: l.pending,
        leased: returning ? l.leased : 0,
      })
      l.pending = 0
      if (returning) {
        l.available = 0
        l.leased = 0
      }
    }
    if (batch.length === 0) return
    batch.sort(byKey)
    try {
      await store.give(
        batch.map((b) => ({ key: b.key, points: b.pending - b.available, leased: -b.leased, expire: b.l.expire })),
      )
    } catch (error) {
      const rolledBack = rejectedByDatabase(error)
      for (const b of batch) if (locals.get(b.key) === b.l) keepAfterFailure(b.l, b, rolledBack)
      throw error
    }
  }

  const onError = options.onError ?? (() => undefined)
  // One sweep at a time: with a slow database, sweeps must not pile up in the pool's queue.
  let sweeping = false
  /** The background sweep's write while one is under way: `flush` and `close` wait for it. */
  let swept: Promise<void> | undefined
  const sweep = setInterval(() => {
    if (sweeping) return
    sweeping = true
    swept = give('idle')
      .catch(onError)
      .finally(() => {
        sweeping = false
        swept = undefined
      })
  }, opts.idleMs)
  sweep.unref()

  return {
    take,
    correct(key, delta, now = Date.now(), expire) {
      if (delta === 0) return
      let l = live(key, now)
      if (!l && expire !== undefined && expire > now) {
        // Forgotten since the points were taken (idle for a minute, e.g. during a long stream),
        // but the window they were taken in is still running: the correction still belongs to it.
        l = {
          expire,
          seen: 0,
          exact: true,
          available: 0,
          leased: 0,
          pending: 0,
          grantedAt: now,
          usedAt: now,
          contactAt: now,
          served: 0,
        }
        locals.set(key, l)
      }
      if (!l || (expire !== undefined && l.expire !== expire)) return
      // Spending more than estimated uses up the lease first (its points are already counted).
      const fromLease = delta > 0 ? Math.min(l.available, delta) : 0
      l.available -= fromLease
      l.served += fromLease
      l.pending += delta - fromLease
    },
    async peek(specs, now = Date.now()) {
      const rows = await store.read(
        specs.map((s) => s.key),
        now,
      )
      const rowOf = new Map(rows.map((r) => [r.key, r]))
      return specs.map((s) => {
        const row = rowOf.get(s.key)
        const expire = row ? row.expire : now + s.durationMs
        const mine = live(s.key, now)
        const own = mine && mine.expire === expire ? mine : undefined
        const local: Local = {
          expire,
          seen: (row?.points ?? 0) + (own?.pending ?? 0),
          exact: (row?.leased ?? 0) - (own?.leased ?? 0) <= 0,
          available: own?.available ?? 0,
          leased: 0,
          pending: 0,
          grantedAt: now,
          usedAt: now,
          contactAt: now,
          served: 0,
        }
        const state = stateOf(s, local, true)
        return { ...state, fits: state.remaining >= s.points }
      })
    },
    // A sweep's batch already left `locals`: wait for its write, so that what was corrected before
    // the call is in the database when it returns (and a failed batch, put back, goes with ours).
    async flush() {
      await swept
      await give('all')
    },
    async close() {
      clearInterval(sweep)
      await swept
      await give('all')
    },
  }
}
