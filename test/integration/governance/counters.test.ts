import { expect, it, vi } from 'vitest'
import { clearExpiredLimits, type CounterPool, type CounterSpec } from '../../../src/governance/limits/counters.ts'
import type { Database } from '../../../src/data/db.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { useCounterProcesses } from '../../helpers/counters.ts'

// The shared counters under rate limits and pacing, with per-process leases: never more than the
// limit, leases sized to demand and given back, refusals that say whether they are final.

const MINUTE = 60_000
const spec = (key: string, max: number, points = 1): CounterSpec => ({ key, points, max, durationMs: MINUTE })
const rowOf = async (db: Database, key: string) =>
  (
    await db.query<{ points: number; leased: number }>('select points, leased from rate_limits where key = $1', [key])
  )[0]
/** Points a process holds unused on a counter: what it sees as spare beyond what the row says. */
const unused = async (db: Database, p: CounterPool, key: string, max: number) =>
  (await p.peek([spec(key, max, 0)]))[0]!.remaining - (max - ((await rowOf(db, key))?.points ?? 0))
// Leases that stay put until the test gives them back (no background sweep racing the assertions).
const steady = { idleMs: 3_600_000, maxAgeMs: 3_600_000 }

describeBackends('shared counters with leases', (backend) => {
  const procs = useCounterProcesses(backend, steady)
  const pool = procs.pool

  it('serves a busy counter from a lease, without the database', async () => {
    const a = pool(procs.db)
    const key = `busy:${crypto.randomUUID()}`
    // The first contact knows no demand and leases nothing; the next ones lease what the demand asks.
    expect(await a.take([spec(key, 10_000)])).toMatchObject({
      ok: true,
      states: [{ remaining: 9_999, fits: true, exact: true }],
    })
    expect((await rowOf(procs.db, key))!).toEqual({ points: 1, leased: 0 })
    let used = 1
    while ((await unused(procs.db, a, key, 10_000)) === 0 && used < 50) {
      await a.take([spec(key, 10_000)])
      used++
    }
    const row = (await rowOf(procs.db, key))!
    expect(row.leased).toBeGreaterThan(0)
    expect(row.points).toBe(used + (await unused(procs.db, a, key, 10_000)))
    // With the table gone, requests the lease covers are still answered, and counted.
    await procs.db.exec('alter table rate_limits rename to rate_limits_away')
    try {
      const result = await a.take([spec(key, 10_000)])
      expect(result).toMatchObject({ ok: true, states: [{ remaining: 10_000 - used - 1 }] })
    } finally {
      await procs.db.exec('alter table rate_limits_away rename to rate_limits')
    }
    // Giving back leaves exactly what was used.
    await a.flush()
    expect(await rowOf(procs.db, key)).toEqual({ points: used + 1, leased: 0 })
  })

  it('makes a call for many requests, not one each, when the lease of a busy counter runs out', async () => {
    // Count this pool's calls of rate_limit_take.
    let takes = 0
    const counted: Database = {
      ...procs.db,
      query: (text, values) => {
        if (text.includes('rate_limit_take')) takes++
        return procs.db.query(text, values)
      },
    }
    const a = pool(counted)
    const key = `herd:${crypto.randomUUID()}`
    const burst = () => Promise.all(Array.from({ length: 50 }, () => a.take([spec(key, 1_000_000)])))
    // Cold: the first request calls (and, knowing no demand yet, leases nothing); the other 49 wait
    // for it, then one of them calls for itself and the 48 still waiting, who are served from that.
    expect((await burst()).every((r) => r.ok)).toBe(true)
    expect(takes).toBe(2)
    await a.flush()
    // Warm: the same again, all 50 waiting on the first contact.
    takes = 0
    expect((await burst()).every((r) => r.ok)).toBe(true)
    expect(takes).toBeLessThanOrEqual(2)
    await a.flush()
    // Every request counted once, nothing more.
    expect(await rowOf(procs.db, key)).toEqual({ points: 100, leased: 0 })
  })

  it('does not make requests wait on counters too close to their limit to lease', async () => {
    // Each call takes 20 ms; count how many are in flight at once.
    let inFlight = 0
    let most = 0
    const slow: Database = {
      ...procs.db,
      query: async <T>(text: string, values?: unknown[]) => {
        if (!text.includes('rate_limit_take')) return procs.db.query<T>(text, values)
        most = Math.max(most, ++inFlight)
        try {
          await new Promise((r) => setTimeout(r, 20))
          return await procs.db.query<T>(text, values)
        } finally {
          inFlight--
        }
      },
    }
    const a = pool(slow)
    const key = `small:${crypto.randomUUID()}`
    // 10 a minute can never be leased: eight requests at once call at once, none waits its turn.
    const results = await Promise.all(Array.from({ length: 8 }, () => a.take([spec(key, 10)])))
    expect(results.every((r) => r.ok)).toBe(true)
    expect(most).toBe(8)
    expect(await rowOf(procs.db, key)).toEqual({ points: 8, leased: 0 })
  })

  it('sends a correction to the window its points were taken in, even after the counter was forgotten', async () => {
    const a = pool(procs.db)
    const key = `late:${crypto.randomUUID()}`
    const DAY = 86_400_000
    // Taken 61 s ago on a day window (a long stream): the process has since forgotten the counter.
    const takenAt = Date.now() - 61_000
    const taken = await a.take([{ key, points: 1_000, max: 1_000_000, durationMs: DAY }], takenAt)
    expect(taken.ok).toBe(true)
    const expire = taken.states[0]!.expire
    await a.flush()
    // Without the window, a correction has nowhere to go; with it, it lands on that window.
    a.correct(key, 500)
    a.correct(key, 4_000, undefined, expire)
    await a.flush()
    expect(await rowOf(procs.db, key)).toEqual({ points: 5_000, leased: 0 })
    // A correction for a window that is over is dropped.
    a.correct(key, 7, undefined, Date.now() - 1)
    await a.flush()
    expect(await rowOf(procs.db, key)).toEqual({ points: 5_000, leased: 0 })
  })

  it('after a call that may have committed, drops its unused lease rather than serve it twice', async () => {
    // A connection lost after the database committed: the call did its work, the caller sees an error.
    let loseNext = false
    const flaky: Database = {
      ...procs.db,
      query: async <T>(text: string, values?: unknown[]) => {
        const rows = await procs.db.query<T>(text, values)
        if (loseNext && text.includes('rate_limit_take')) {
          loseNext = false
          throw new Error('Connection terminated unexpectedly')
        }
        return rows
      },
    }
    const a = pool(flaky)
    const key = `lost:${crypto.randomUUID()}`
    const max = 1_000
    let allowed = 0
    while (allowed < 50 && (await unused(procs.db, a, key, max)) === 0)
      allowed += (await a.take([spec(key, max)])).ok ? 1 : 0
    const held = await unused(procs.db, a, key, max)
    expect(held).toBeGreaterThan(0)
    // A request bigger than the lease contacts the table and hands the lease back; the answer is lost.
    loseNext = true
    await expect(a.take([spec(key, max, held + 1)])).rejects.toThrow(/Connection terminated/)
    expect(await unused(procs.db, a, key, max)).toBe(0)
    // Whatever this process lets through from now on, the total stays within the limit.
    for (let i = 0; i < 2 * max; i++) allowed += (await a.take([spec(key, max)])).ok ? 1 : 0
    expect(allowed).toBeLessThanOrEqual(max)
  })

  // PGlite has one connection: nothing runs concurrently there to deadlock.
  it.runIf(backend === 'postgres')(
    'clears expired counters while requests restart them, without deadlocks',
    async () => {
      const prefix = `expired:${crypto.randomUUID()}:`
      const n = 4_000
      const keyOf = (i: number) => `${prefix}${String(i).padStart(5, '0')}`
      const take =
        'select * from rate_limit_take($1::text[], $2::int[], $3::int[], $4::int[], $5::bigint[], $6::int[], $7::int[], $8::bigint[], $9::bigint, $10::int, $11::int)'
      const failures: unknown[] = []
      let cleared = 0
      for (let round = 0; round < 5; round++) {
        // Expired rows stored in the reverse of key order: the order a plain DELETE would lock them in.
        await procs.db.query(
          `insert into rate_limits (key, points, expire, leased) select $1 || lpad(i::text, 5, '0'), 5, 1000, 0 from generate_series($2::int, 0, -1) i on conflict (key) do update set expire = 1000, points = 5`,
          [prefix, n - 1],
        )
        const now = Date.now()
        let stop = false
        const requests = async () => {
          while (!stop) {
            const a = Math.floor(Math.random() * n)
            const b = (a + 1 + Math.floor(Math.random() * (n - 1))) % n
            const keys = [keyOf(Math.min(a, b)), keyOf(Math.max(a, b))]
            await procs.db
              .query(take, [keys, [1, 1], [0, 0], [100, 100], [60_000, 60_000], [0, 0], [0, 0], [0, 0], now, 64, 8])
              .catch((error: unknown) => failures.push(error))
          }
        }
        const workers = Array.from({ length: 6 }, requests)
        await new Promise((r) => setTimeout(r, 20))
        cleared += await clearExpiredLimits(procs.db, now).catch((error: unknown) => (failures.push(error), 0))
        stop = true
        await Promise.all(workers)
      }
      expect(failures).toEqual([])
      // Rows a request holds are skipped (the next run clears them); the rest go.
      expect(cleared).toBeGreaterThan(n)
    },
  )

  it('never lets more than the limit through, across two processes bursting at once', async () => {
    const a = pool(procs.db)
    const b = pool(procs.other)
    const key = `burst:${crypto.randomUUID()}`
    const max = 1_000
    const burst = async (p: CounterPool) => {
      let allowed = 0
      for (let round = 0; round < 20; round++) {
        const results = await Promise.all(Array.from({ length: 40 }, () => p.take([spec(key, max)])))
        allowed += results.filter((r) => r.ok).length
      }
      return allowed
    }
    const [fromA, fromB] = await Promise.all([burst(a), burst(b)])
    expect(fromA + fromB).toBeLessThanOrEqual(max)
    // Unused leases come back; then the rest of the window fills to exactly the limit.
    await Promise.all([a.flush(), b.flush()])
    let more = 0
    for (;;) {
      const r = await (more % 2 === 0 ? a : b).take([spec(key, max)])
      if (!r.ok) {
        // Nobody holds a lease: the refusal is final for this window.
        expect(r.states[0]).toMatchObject({ fits: false, exact: true, remaining: 0 })
        break
      }
      more++
    }
    expect(fromA + fromB + more).toBe(max)
    expect(await rowOf(procs.db, key)).toEqual({ points: max, leased: 0 })
  })

  it('says a refusal is not final while another process holds a lease, and the lease goes back when idle', async () => {
    const key = `held:${crypto.randomUUID()}`
    const max = 200
    const holder = pool(procs.db)
    let used = 0
    while (used < 4 || ((await unused(procs.db, holder, key, max)) === 0 && used < 50)) {
      await holder.take([spec(key, max)])
      used++
    }
    const held = await unused(procs.db, holder, key, max)
    expect(held).toBeGreaterThan(0)
    // Another process takes the rest one by one (near the limit nothing more is leased to anyone).
    const other = pool(procs.other, { ...steady, minRoom: 1_000_000 })
    let taken = 0
    let last
    for (;;) {
      last = await other.take([spec(key, max)])
      if (!last.ok) break
      taken++
    }
    expect(taken).toBe(max - used - held)
    expect(last.states[0]).toMatchObject({ fits: false, exact: false })
    // A sweeping pool gives back a lease unused for `idleMs`.
    const sweeping = pool(procs.db, { idleMs: 20, maxAgeMs: 1_000 })
    const key2 = `idle:${crypto.randomUUID()}`
    for (let i = 0; i < 4; i++) await sweeping.take([spec(key2, 10_000)])
    expect((await rowOf(procs.db, key2))!.leased).toBeGreaterThan(0)
    await vi.waitFor(async () => expect(await rowOf(procs.db, key2)).toEqual({ points: 4, leased: 0 }), {
      timeout: 5_000,
      interval: 20,
    })
    // The holder's lease goes back the same way: then the other process gets exactly the rest.
    await holder.flush()
    for (let i = 0; i < held; i++) expect((await other.take([spec(key, max)])).ok).toBe(true)
    expect(await other.take([spec(key, max)])).toMatchObject({ ok: false, states: [{ exact: true }] })
  })

  it('keeps what it holds when the database fails, and gives it back once it answers again', async () => {
    const a = pool(procs.db)
    const key = `failing:${crypto.randomUUID()}`
    const other = `failing-other:${crypto.randomUUID()}`
    let used = 0
    while (used < 4 || ((await unused(procs.db, a, key, 10_000)) === 0 && used < 50)) {
      await a.take([spec(key, 10_000)])
      used++
    }
    const held = await unused(procs.db, a, key, 10_000)
    a.correct(key, -1)
    await procs.db.exec('alter table rate_limits rename to rate_limits_away')
    try {
      // A request that needs the database fails; so does writing back; nothing held is lost.
      await expect(a.take([spec(key, 10_000), spec(other, 10)])).rejects.toThrow()
      await expect(a.flush()).rejects.toThrow()
    } finally {
      await procs.db.exec('alter table rate_limits_away rename to rate_limits')
    }
    expect(await unused(procs.db, a, key, 10_000)).toBe(held + 1)
    await a.flush()
    expect(await rowOf(procs.db, key)).toEqual({ points: used - 1, leased: 0 })
    expect(await rowOf(procs.db, other)).toBeUndefined()
  })

  it('takes several counters all or nothing, and a new window starts from zero', async () => {
    const a = pool(procs.db)
    const small = `small:${crypto.randomUUID()}`
    const large = `large:${crypto.randomUUID()}`
    expect((await a.take([spec(large, 100), spec(small, 1)])).ok).toBe(true)
    const refused = await a.take([spec(large, 100), spec(small, 1)])
    expect(refused).toMatchObject({ ok: false, over: 1, states: [{ fits: true }, { fits: false, remaining: 0 }] })
    // The refused request took nothing from the counter that had room.
    expect((await rowOf(procs.db, large))!.points).toBe(1)
    // A minute later the window has ended: both start again.
    const later = Date.now() + MINUTE + 1
    expect(await a.take([spec(large, 100), spec(small, 1)], later)).toMatchObject({
      ok: true,
      states: [{ remaining: 99 }, { remaining: 0 }],
    })
    expect(await rowOf(procs.db, small)).toEqual({ points: 1, leased: 0 })
  })

  it('corrects counters in batches: more spent uses the lease first, less spent comes back', async () => {
    const a = pool(procs.db)
    const b = pool(procs.other)
    const key = `tokens:${crypto.randomUUID()}`
    const max = 100_000
    let used = 0
    while (used < 2_000 || ((await unused(procs.db, a, key, max)) < 100 && used < 50 * 500)) {
      await a.take([spec(key, max, 500)])
      used += 500
    }
    const before = (await rowOf(procs.db, key))!.points
    expect(before - used).toBeGreaterThanOrEqual(100)
    // Spent 100 more than estimated: the lease covers it, nothing is written.
    a.correct(key, 100)
    // Spent less: held until the next write, which carries every pending correction at once.
    a.correct(key, -300)
    a.correct(key, -200)
    expect((await rowOf(procs.db, key))!.points).toBe(before)
    const sweeping = pool(procs.db, { idleMs: 20, maxAgeMs: 3_600_000 })
    await sweeping.take([spec(key, max, 0)])
    sweeping.correct(key, -1)
    await vi.waitFor(async () => expect((await rowOf(procs.db, key))!.points).toBe(before - 1), {
      timeout: 5_000,
      interval: 20,
    })
    // The owner's own view counts its pending corrections and its unused lease.
    expect((await a.peek([spec(key, max, 0)]))[0]!.remaining).toBe(max - (used + 100 - 500 - 1))
    await a.flush()
    const seen = await b.peek([spec(key, max, 0)])
    expect(seen[0]).toMatchObject({ remaining: max - (used + 100 - 500 - 1), exact: true })
    expect(await rowOf(procs.db, key)).toEqual({ points: used + 100 - 500 - 1, leased: 0 })
    // More than the lease holds: the rest is written.
    await a.take([spec(key, max, 500)])
    a.correct(key, 50_000)
    await a.flush()
    expect(await rowOf(procs.db, key)).toEqual({ points: used + 100 - 500 - 1 + 500 + 50_000, leased: 0 })
  })
})
