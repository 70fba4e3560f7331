import type { Database } from '../db.ts'

/**
 * The fixed-window counters of the unlogged `rate_limits` table, behind the `CounterStore` the
 * limiter's lease bookkeeping (governance/limits/counters.ts) talks to. `rate_limit_take` and
 * `rate_limit_give` are migration 0003's functions: one call per contact, all counters at once, in
 * key order.
 */

/** One counter in a `take` call: what the request needs, the lease asked for, what this process hands back. */
export type TakeInput = {
  key: string
  points: number
  /** Extra points asked for as a lease. */
  extra: number
  max: number
  durationMs: number
  /** Points given back (unused lease minus pending corrections) if the window is still `handedExpire`. */
  back: number
  /** Leased points this process stops holding. */
  unleased: number
  handedExpire: number
}

/** The row after the call: its points and leases (everyone's), the lease granted, whether the request fit. */
export type TakeRow = {
  key: string
  points: number
  expire: number
  leased: number
  granted: number
  fits: boolean
}

/** A correction: points and leased points added (negative gives back) to the window ending at `expire`. */
export type GiveInput = { key: string; points: number; leased: number; expire: number }

export type CounterRow = { key: string; points: number; expire: number; leased: number }

export type CounterStore = {
  /** Take every counter's points, all or nothing; a lease only when `minRoom` stays spare, at most 1/`share` of it. */
  take(inputs: TakeInput[], now: number, minRoom: number, share: number): Promise<TakeRow[]>
  give(inputs: GiveInput[]): Promise<void>
  /** Live counters among these keys. */
  read(keys: string[], now: number): Promise<CounterRow[]>
}

type RawTake = {
  o_key: string
  o_points: number
  o_expire: string | number
  o_leased: number
  o_granted: number
  o_fits: boolean
}

/** The store on PostgreSQL or PGlite. */
export function pgCounterStore(db: Database): CounterStore {
  return {
    async take(inputs, now, minRoom, share) {
      const rows = await db.query<RawTake>(
        'select * from rate_limit_take($1::text[], $2::int[], $3::int[], $4::int[], $5::bigint[], $6::int[], $7::int[], $8::bigint[], $9::bigint, $10::int, $11::int)',
        [
          inputs.map((c) => c.key),
          inputs.map((c) => c.points),
          inputs.map((c) => c.extra),
          inputs.map((c) => c.max),
          inputs.map((c) => c.durationMs),
          inputs.map((c) => c.back),
          inputs.map((c) => c.unleased),
          inputs.map((c) => c.handedExpire),
          now,
          minRoom,
          share,
        ],
      )
      return rows.map((r) => ({
        key: r.o_key,
        points: r.o_points,
        expire: Number(r.o_expire),
        leased: r.o_leased,
        granted: r.o_granted,
        fits: r.o_fits,
      }))
    },
    async give(inputs) {
      await db.query('select rate_limit_give($1::text[], $2::int[], $3::int[], $4::bigint[])', [
        inputs.map((b) => b.key),
        inputs.map((b) => b.points),
        inputs.map((b) => b.leased),
        inputs.map((b) => b.expire),
      ])
    },
    async read(keys, now) {
      const rows = await db.query<{ key: string; points: number; expire: string | number; leased: number }>(
        'select key, points, expire, leased from rate_limits where key = any($1::text[]) and expire > $2',
        [keys, now],
      )
      return rows.map((r) => ({ key: r.key, points: r.points, expire: Number(r.expire), leased: r.leased }))
    },
  }
}

/** Drop counters whose window has ended (the retention job calls this). */
export async function clearExpiredLimits(db: Database, now = Date.now()): Promise<number> {
  // In key order and skipping rows a request holds, as rate_limit_take locks them: a plain DELETE
  // locks in physical order and can deadlock with requests restarting those windows.
  const rows = await db.query<{ n: string }>(
    'with d as (delete from rate_limits where key in (select key from rate_limits where expire < $1 order by key for update skip locked) returning 1) select count(*)::text as n from d',
    [now],
  )
  return Number(rows[0]?.n ?? 0)
}
