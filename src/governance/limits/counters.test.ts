import { describe, expect, it } from 'vitest'
import type { CounterRow, CounterStore, GiveInput, TakeInput, TakeRow } from '../../data/repositories/rate-limits.ts'
import { createCounterPool, type CounterSpec } from './counters.ts'

/**
 * The lease bookkeeping against an in-memory store with the semantics of migration 0003's
 * `rate_limit_take` / `rate_limit_give` (the integration suite runs the same pool on the database).
 */
function memoryStore() {
  const rows = new Map<string, { points: number; expire: number; leased: number }>()
  const calls = { take: 0, give: 0, read: 0 }
  let failNext: Error | undefined
  const store: CounterStore = {
    async take(inputs: TakeInput[], now, minRoom, share): Promise<TakeRow[]> {
      calls.take++
      if (failNext) {
        const error = failNext
        failNext = undefined
        throw error
      }
      for (const c of inputs) {
        const r = rows.get(c.key)
        if (!r || r.expire <= now) rows.set(c.key, { points: 0, expire: now + c.durationMs, leased: 0 })
      }
      const cs = inputs.map((c) => {
        const r = rows.get(c.key)!
        const same = r.expire === c.handedExpire
        return { c, r, base: Math.max(0, r.points - (same ? c.back : 0)), unleased: same ? c.unleased : 0 }
      })
      const allFit = cs.every((x) => x.base + x.c.points <= x.c.max)
      return cs.map(({ c, r, base, unleased }) => {
        const take = allFit ? c.points : 0
        const spare = c.max - base - c.points
        const lease = allFit && spare >= minRoom ? Math.max(0, Math.min(c.extra, Math.floor(spare / share))) : 0
        r.points = base + take + lease
        r.leased = Math.max(0, r.leased - unleased) + lease
        return {
          key: c.key,
          points: r.points,
          expire: r.expire,
          leased: r.leased,
          granted: lease,
          fits: base + c.points <= c.max,
        }
      })
    },
    async give(inputs: GiveInput[]) {
      calls.give++
      for (const g of inputs) {
        const r = rows.get(g.key)
        if (!r || r.expire !== g.expire) continue
        r.points = Math.max(0, r.points + g.points)
        r.leased = Math.max(0, r.leased + g.leased)
      }
    },
    async read(keys, now): Promise<CounterRow[]> {
      calls.read++
      return keys.flatMap((key) => {
        const r = rows.get(key)
        return r && r.expire > now ? [{ key, ...r }] : []
      })
    },
  }
  return { store, rows, calls, failWith: (e: Error) => (failNext = e) }
}

const spec = (key: string, max: number, points = 1): CounterSpec => ({ key, points, max, durationMs: 60_000 })
// flush() and close() read the real clock: the windows must be current ones.
const T0 = Date.now()

describe('counter pool on a CounterStore', () => {
  it('serves a busy counter from its lease after the first contacts, and never past the limit', async () => {
    const m = memoryStore()
    const pool = createCounterPool(m.store, { idleMs: 60_000, maxAgeMs: 60_000 })
    let ok = 0
    for (let i = 0; i < 1_000; i++) if ((await pool.take([spec('k', 1_000)], T0 + i)).ok) ok++
    // Far fewer contacts than requests: most were served from leases.
    expect(m.calls.take).toBeLessThan(200)
    for (let i = 1_000; i < 2_000; i++) if ((await pool.take([spec('k', 1_000)], T0 + i)).ok) ok++
    expect(ok).toBe(1_000)
    await pool.close()
    expect(m.rows.get('k')).toMatchObject({ points: 1_000, leased: 0 })
  })

  it('never leases a small limit (every request is a contact) and refuses the eleventh of ten', async () => {
    const m = memoryStore()
    const pool = createCounterPool(m.store)
    const results = []
    for (let i = 0; i < 11; i++) results.push((await pool.take([spec('small', 10)], T0 + i)).ok)
    expect(results.filter(Boolean)).toHaveLength(10)
    expect(results[10]).toBe(false)
    expect(m.calls.take).toBe(11)
    await pool.close()
  })

  it('takes all counters of a request or none', async () => {
    const m = memoryStore()
    const pool = createCounterPool(m.store)
    await pool.take([spec('full', 1)], T0)
    const r = await pool.take([spec('a', 100), spec('full', 1)], T0 + 1)
    expect(r).toMatchObject({ ok: false, over: 1 })
    expect(m.rows.get('a')!.points).toBe(0)
    await pool.close()
  })

  it('keeps its lease when the store refused the call, and drops it when the outcome is unknown', async () => {
    for (const [error, kept] of [
      [Object.assign(new Error('serialization'), { code: '40001' }), true],
      [new Error('connection lost'), false],
    ] as const) {
      const m = memoryStore()
      const pool = createCounterPool(m.store, { idleMs: 60_000, maxAgeMs: 60_000 })
      for (let i = 0; i < 50; i++) await pool.take([spec('k', 10_000)], T0 + i)
      const before = m.rows.get('k')!.leased
      expect(before).toBeGreaterThan(0)
      // A request the lease cannot serve makes a contact, which fails.
      m.failWith(error)
      await expect(pool.take([spec('k', 10_000, 5_000)], T0 + 60)).rejects.toThrow(error.message)
      await pool.flush()
      // Kept: the lease went back on flush. Dropped: it stays counted in the row.
      expect(m.rows.get('k')!.leased).toBe(kept ? 0 : before)
      await pool.close()
    }
  })

  it('writes corrections on flush, into the window they belong to only', async () => {
    const m = memoryStore()
    const pool = createCounterPool(m.store)
    const r = await pool.take([spec('tokens', 100_000, 100)], T0)
    const expire = r.states[0]!.expire
    pool.correct('tokens', 250, T0 + 1, expire)
    pool.correct('tokens', 10, T0 + 1, expire - 1) // another window: dropped
    await pool.flush()
    expect(m.rows.get('tokens')!.points).toBe(350)
    await pool.close()
  })

  it('peeks without taking, counting its own unused lease as spare', async () => {
    const m = memoryStore()
    const pool = createCounterPool(m.store, { idleMs: 60_000, maxAgeMs: 60_000 })
    for (let i = 0; i < 20; i++) await pool.take([spec('p', 1_000)], T0 + i)
    const [state] = await pool.peek([spec('p', 1_000)], T0 + 21)
    expect(state).toMatchObject({ key: 'p', fits: true, remaining: 980 })
    expect(m.calls.read).toBe(1)
    await pool.close()
  })

  it('flushes only after a background sweep under way has written its batch', async () => {
    const m = memoryStore()
    // The sweep's write is held until released; nothing else is slow.
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const give = m.store.give.bind(m.store)
    let writes = 0
    m.store.give = async (inputs) => {
      writes += 1
      if (writes === 1) await held
      return give(inputs)
    }
    const pool = createCounterPool(m.store, { idleMs: 5, maxAgeMs: 60_000 })
    const r = await pool.take([spec('tokens', 100_000, 100)], Date.now())
    pool.correct('tokens', 6, Date.now(), r.states[0]!.expire)
    // The sweep takes the correction (and the idle lease) into its batch and waits on the store.
    await expect.poll(() => writes).toBe(1)
    const flushed = pool.flush().then(() => m.rows.get('tokens')!.points)
    await new Promise((resolve) => setTimeout(resolve, 20))
    release()
    // The flush returned only once the sweep's correction was written.
    expect(await flushed).toBe(106)
    await pool.close()
  })
})
