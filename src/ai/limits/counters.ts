import type { Database } from '../../data/db.ts'
import { LIMITER_TABLE } from './pg-store.ts'

/**
 * Fixed-window counters in `rate_limits`, several per statement: one AI request consumes up to
 * eight windows (minute, hour, day and tokens per day, for the user and for the API key), and one
 * round trip for all of them is what keeps the limiter off the gateway's critical path. Same rows
 * and semantics as rate-limiter-flexible's Postgres store (`points`, `expire` in epoch ms; an
 * expired row restarts its window), so the two share the table (provider pacing uses the library).
 */

export type CounterSpec = { key: string; points: number; durationMs: number }
export type CounterState = { key: string; points: number; expire: number }

/** Add points to every counter at once; returns each counter's new state, in input order. */
export async function consumeCounters(db: Database, specs: CounterSpec[], now = Date.now()): Promise<CounterState[]> {
  if (specs.length === 0) return []
  const result = await db.query<{ key: string; points: number; expire: string | number }>(
    `INSERT INTO ${LIMITER_TABLE} AS r (key, points, expire)
       SELECT k, p, e FROM unnest($1::text[], $2::int[], $3::bigint[]) AS t(k, p, e)
     ON CONFLICT (key) DO UPDATE SET
       points = CASE WHEN r.expire > $4 THEN r.points + EXCLUDED.points ELSE EXCLUDED.points END,
       expire = CASE WHEN r.expire > $4 THEN r.expire ELSE EXCLUDED.expire END
     RETURNING key, points, expire`,
    [specs.map((s) => s.key), specs.map((s) => s.points), specs.map((s) => now + s.durationMs), now],
  )
  const byKey = new Map(result.map((r) => [r.key, { key: r.key, points: Number(r.points), expire: Number(r.expire) }]))
  return specs.map((s) => byKey.get(s.key)!)
}

/** Add (or with a negative delta, give back) points on live counters; expired ones are left alone. */
export async function adjustCounters(db: Database, adjustments: Array<{ key: string; delta: number }>, now = Date.now()): Promise<void> {
  const live = adjustments.filter((a) => a.delta !== 0)
  if (live.length === 0) return
  await db.query(
    `UPDATE ${LIMITER_TABLE} AS r SET points = greatest(0, r.points + t.d)
       FROM unnest($1::text[], $2::int[]) AS t(k, d)
      WHERE r.key = t.k AND r.expire > $3`,
    [live.map((a) => a.key), live.map((a) => Math.round(a.delta)), now],
  )
}

/** The live state of these counters (missing or expired → absent). */
export async function readCounters(db: Database, keys: string[], now = Date.now()): Promise<Map<string, CounterState>> {
  if (keys.length === 0) return new Map()
  const result = await db.query<{ key: string; points: number; expire: string | number }>(
    `SELECT key, points, expire FROM ${LIMITER_TABLE} WHERE key = ANY($1::text[]) AND expire > $2`,
    [keys, now],
  )
  return new Map(result.map((r) => [r.key, { key: r.key, points: Number(r.points), expire: Number(r.expire) }]))
}
