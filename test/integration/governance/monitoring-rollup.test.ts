import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLedger, type LedgerEntry } from '../../../src/gateway/ledger/ledger.ts'
import {
  aiMonitoring,
  type MonitoringReport,
  type MonitoringWindow,
} from '../../../src/governance/monitoring/report.ts'
import { rollupSpans } from '../../../src/data/repositories/ai-monitoring.ts'
import { usageSeries, type SeriesBucket } from '../../../src/governance/monitoring/usage-series.ts'
import { PG_ERROR, pgErrorCode } from '../../../src/data/pg-errors.ts'
import { runRetention } from '../../../src/governance/privacy/retention.ts'
import type { Database } from '../../../src/data/db.ts'
import { deleteUserData } from '../../../src/data/repositories/personal-data.ts'
import { createTestDatabase, describeBackends, type TestDatabase } from '../../helpers/backends.ts'
import { insertAiLogBatch, insertUser, type LogRow } from '../../helpers/ai-log.ts'

/** The documented bound: a histogram percentile is within 2^(1/8) − 1 of the nearest-rank one. */
const MAX_RELATIVE_ERROR = 2 ** (1 / 8) - 1

const HOUR = 3_600_000
const DAY = 86_400_000

/** Rows as comparable strings: timestamps as ISO, numbers (numeric, bigint as text) as numbers. */
function canon(rows: Array<Record<string, unknown>>): string[] {
  const value = (v: unknown) => {
    if (v instanceof Date) return v.toISOString()
    if (typeof v === 'bigint') return Number(v)
    if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v)
    return v
  }
  return rows.map((r) => JSON.stringify(Object.entries(r).map(([k, v]) => [k, value(v)]))).sort()
}

const GRAINS = `(values ('hour', interval '1 hour'), ('day', interval '1 day')) as g(grain, width)`
const BIN = (width: string) => `date_bin(${width}, l.created_at, '2000-01-01T00:00:00Z'::timestamptz)`

/** The rollup tables and the same sums computed by GROUP BY over ai_log, side by side. */
async function rollupsAndLog(db: Database) {
  const q = (text: string) => db.query<Record<string, unknown>>(text).then(canon)
  return {
    rollup: {
      sums: await q(
        `select grain, period_start, provider, model, feature, requests, ok, fallback, cached, input_tokens, output_tokens, cost_usd from ai_log_rollup where requests <> 0`,
      ),
      latency:
        await q(`select grain, period_start, provider, model, feature, array_lower(latency_histogram, 1) + o - 1 as bucket, n
        from ai_log_rollup cross join lateral unnest(latency_histogram) with ordinality as u(n, o) where n <> 0`),
      errors: await q(
        `select grain, period_start, provider, error_class, errors from ai_log_error_rollup where errors <> 0`,
      ),
      users: await q(`select day, user_id, requests, cost_usd from ai_log_user_daily where requests <> 0`),
    },
    log: {
      sums: await q(`select g.grain, ${BIN('g.width')} as period_start, l.provider, l.model, l.feature, count(*) as requests,
          count(*) filter (where l.status = 'ok') as ok, count(*) filter (where l.fallback_used) as fallback, count(*) filter (where l.cache_hit) as cached,
          coalesce(sum(l.input_tokens), 0) as input_tokens, coalesce(sum(l.output_tokens), 0) as output_tokens, coalesce(sum(l.cost_usd), 0) as cost_usd
        from ai_log l cross join ${GRAINS} group by 1, 2, 3, 4, 5`),
      latency:
        await q(`select g.grain, ${BIN('g.width')} as period_start, l.provider, l.model, l.feature, ai_latency_bucket(l.latency_ms) as bucket, count(*) as n
        from ai_log l cross join ${GRAINS} where l.latency_ms is not null group by 1, 2, 3, 4, 5, 6`),
      errors: await q(`select g.grain, ${BIN('g.width')} as period_start, l.provider, l.error_class, count(*) as errors
        from ai_log l cross join ${GRAINS} where l.status = 'error' group by 1, 2, 3, 4`),
      users:
        await q(`select ${BIN("interval '1 day'")} as day, l.user_id, count(*) as requests, coalesce(sum(l.cost_usd), 0) as cost_usd
        from ai_log l where l.user_id is not null group by 1, 2`),
    },
    // A row left at zero requests must be zero throughout (it stands for no rows).
    strayZeros: await db
      .query<{ n: string | number }>(
        `select (select count(*) from ai_log_rollup where requests = 0 and (ok <> 0 or fallback <> 0 or cached <> 0 or input_tokens <> 0 or output_tokens <> 0 or cost_usd <> 0 or 0 <> any (latency_histogram)))
        + (select count(*) from ai_log_user_daily where requests = 0 and cost_usd <> 0) as n`,
      )
      .then((r) => Number(r[0]!.n)),
  }
}

async function expectRollupsToMatchLog(db: Database) {
  const { rollup, log, strayZeros } = await rollupsAndLog(db)
  expect(rollup.sums).toEqual(log.sums)
  expect(rollup.latency).toEqual(log.latency)
  expect(rollup.errors).toEqual(log.errors)
  expect(rollup.users).toEqual(log.users)
  expect(strayZeros).toBe(0)
  return log.sums.length
}

/** A deterministic spread of ledger rows: several providers (one null), features, statuses, latencies from 0 ms to minutes. */
function fixture(count: number, seed: number, start: number, spanMs: number, users: Array<string | null>): LogRow[] {
  let x = seed
  const next = () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648
    return x / 2_147_483_648
  }
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]!
  return Array.from({ length: count }, () => {
    const error = next() < 0.15
    const latency = next() < 0.05 ? pick([0, null, 1, 2]) : Math.round(Math.exp(next() * Math.log(300_000)))
    return {
      at: new Date(start + Math.floor(next() * spanMs)),
      userId: pick(users),
      provider: pick(['openai', 'anthropic', 'mistral', null]),
      model: pick(['m1', 'm2', null]),
      feature: pick(['growth_insights', 'growth_levers', null]),
      status: error ? 'error' : 'ok',
      errorClass: error ? pick(['timeout', 'server_error', null]) : null,
      latencyMs: latency,
      inputTokens: next() < 0.1 ? null : Math.floor(next() * 2000),
      outputTokens: next() < 0.1 ? null : Math.floor(next() * 1000),
      costUsd: next() < 0.1 ? null : Math.round(next() * 1e6) / 1e8,
      cacheHit: next() < 0.2,
      fallbackUsed: next() < 0.1,
    }
  })
}

function chunks<T>(list: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size))
}

/** Everything but latency percentiles, which the rollups only approximate. */
function withoutPercentiles(r: MonitoringReport) {
  const strip = <
    T extends {
      p50LatencyMs: number | null
      p95LatencyMs: number | null
      p99LatencyMs: number | null
      costUsd: number
    },
  >({
    p50LatencyMs: _a,
    p95LatencyMs: _b,
    p99LatencyMs: _c,
    costUsd,
    ...rest
  }: T) => ({ ...rest, costUsd: Math.round(costUsd * 1e8) })
  const key = (x: object) => JSON.stringify(x)
  return {
    totals: strip(r.totals),
    byProvider: r.byProvider.map(strip).sort((a, b) => key(a).localeCompare(key(b))),
    byModel: r.byModel.map(strip).sort((a, b) => key(a).localeCompare(key(b))),
    byFeature: r.byFeature.map(strip).sort((a, b) => key(a).localeCompare(key(b))),
    topUsers: r.topUsers.map((u) => ({ ...u, costUsd: Math.round(u.costUsd * 1e8) })),
    series: r.series.map(({ p95LatencyMs: _p, costUsd, ...rest }) => ({ ...rest, costUsd: Math.round(costUsd * 1e8) })),
  }
}

describe('rollup spans', () => {
  it('splits a window into raw edges, whole hours and whole days', () => {
    const s = rollupSpans(new Date('2026-08-11T12:34:56Z'), new Date('2026-09-10T12:34:56Z'), 'day')
    expect(s).toEqual({
      from: '2026-08-11T12:34:56.000Z',
      hourStart: '2026-08-11T13:00:00.000Z',
      dayStart: '2026-08-12T00:00:00.000Z',
      dayEnd: '2026-09-10T00:00:00.000Z',
      hourEnd: '2026-09-10T12:00:00.000Z',
      to: '2026-09-10T12:34:56.000Z',
    })
    // Hours only: the day span is empty (its ends meet at hourEnd).
    expect(rollupSpans(new Date('2026-09-03T12:34:56Z'), new Date('2026-09-10T12:34:56Z'), 'hour')).toMatchObject({
      hourStart: '2026-09-03T13:00:00.000Z',
      hourEnd: '2026-09-10T12:00:00.000Z',
      dayStart: '2026-09-10T12:00:00.000Z',
      dayEnd: '2026-09-10T12:00:00.000Z',
    })
    // Aligned ends: no raw rows but those at `to` itself.
    expect(rollupSpans(new Date('2026-09-03T00:00:00Z'), new Date('2026-09-10T00:00:00Z'), 'day')).toMatchObject({
      from: '2026-09-03T00:00:00.000Z',
      hourStart: '2026-09-03T00:00:00.000Z',
      dayStart: '2026-09-03T00:00:00.000Z',
      dayEnd: '2026-09-10T00:00:00.000Z',
      hourEnd: '2026-09-10T00:00:00.000Z',
    })
    // Inside one hour: everything raw.
    expect(rollupSpans(new Date('2026-09-10T12:10:00Z'), new Date('2026-09-10T12:50:00Z'), 'day')).toMatchObject({
      hourStart: '2026-09-10T12:10:00.000Z',
      hourEnd: '2026-09-10T12:10:00.000Z',
      dayStart: '2026-09-10T12:10:00.000Z',
      dayEnd: '2026-09-10T12:10:00.000Z',
    })
  })
})

describeBackends('AI monitoring rollups', (backend) => {
  let database: TestDatabase
  let db: Database
  beforeAll(async () => {
    database = await createTestDatabase(backend)
    db = database.db
  })
  afterAll(() => database.drop())

  describe('kept by the ai_log triggers', () => {
    it('equal a GROUP BY over ai_log after batched, concurrent, deleting and updating statements', async () => {
      const users = [await insertUser(db), await insertUser(db), await insertUser(db), null]
      const start = Date.parse('2026-06-01T00:00:00Z')
      // 40 batches of 25 over 4 days, 8 statements at a time: concurrent upserts of the same keys.
      const batches = chunks(fixture(1000, 7, start, 4 * DAY, users), 25)
      for (const group of chunks(batches, 8)) await Promise.all(group.map((b) => insertAiLogBatch(db, b)))
      expect(await expectRollupsToMatchLog(db)).toBeGreaterThan(100)
      // 8 statements at once into the same two hours: the same rollup rows from every statement,
      // locked in key order (without it, PostgreSQL reports deadlocks here).
      await Promise.all(chunks(fixture(800, 13, start + DAY, 2 * HOUR, users), 100).map((b) => insertAiLogBatch(db, b)))
      await expectRollupsToMatchLog(db)

      // The ledger's own path: two writers (two processes' ledgers) flushing at once.
      const ledgers = [
        createLedger({ db, batchSize: 20, flushIntervalMs: 60_000 }),
        createLedger({ db, batchSize: 20, flushIntervalMs: 60_000 }),
      ]
      const entry = (i: number): LedgerEntry => ({
        requestId: `ledger-${backend}-${i}`,
        userId: users[i % 3]!,
        feature: 'growth_levers',
        provider: i % 2 ? 'openai' : 'anthropic',
        model: 'm1',
        latencyMs: 10 + i * 37,
        cacheHit: i % 5 === 0,
        fallbackUsed: false,
        status: i % 7 === 0 ? 'error' : 'ok',
        errorClass: i % 7 === 0 ? 'timeout' : undefined,
        inputTokens: i,
        outputTokens: 2 * i,
        costUsd: i / 1e5,
        attempts: [],
      })
      for (let i = 0; i < 200; i++) ledgers[i % 2]!.record(entry(i))
      await Promise.all(ledgers.map((l) => l.close()))
      expect((await db.query('select 1 from ai_log where request_id like $1', [`ledger-${backend}-%`])).length).toBe(
        200,
      )
      await expectRollupsToMatchLog(db)

      // Users may not write ai_log at all (0009_hardening): a user's own insert is refused and the
      // rollups stay as they were.
      const today = async () =>
        Number(
          (
            await db.query<{ n: string | null }>(
              `select sum(requests) as n from ai_log_user_daily where user_id = $1`,
              [users[0]],
            )
          )[0]?.n ?? 0,
        )
      const before = await today()
      const refused = await db
        .asUser({ sub: users[0]!, role: 'user' }, (tx) =>
          tx.execute(
            sql`insert into ai_log (request_id, user_id, feature, provider, latency_ms) values (${`own-${backend}`}, ${users[0]!}, 'growth_levers', 'openai', 123)`,
          ),
        )
        .then(
          () => undefined,
          (error: unknown) => error,
        )
      expect(pgErrorCode(refused)).toBe(PG_ERROR.INSUFFICIENT_PRIVILEGE)
      expect(await today()).toBe(before)
      await expectRollupsToMatchLog(db)

      // Deletes take rows away (histogram buckets included), in one statement and concurrently.
      await db.query(`delete from ai_log where provider = 'mistral' and created_at < $1`, [
        new Date(start + 2 * DAY).toISOString(),
      ])
      await Promise.all(
        ['openai', 'anthropic'].map((p) =>
          db.query(`delete from ai_log where provider = $1 and latency_ms > 100000`, [p]),
        ),
      )
      await expectRollupsToMatchLog(db)

      // Updates move rows between keys: old rows out, new rows in.
      await db.query(
        `update ai_log set provider = 'openai', latency_ms = latency_ms + 1000, created_at = created_at + interval '90 minutes', status = 'ok' where model = 'm2'`,
      )
      await expectRollupsToMatchLog(db)
    })

    // PGlite has one connection: nothing runs concurrently there to deadlock.
    it.runIf(backend === 'postgres')(
      'apply an UPDATE as one change: concurrent updates moving rows both ways between hours and days fail nothing and leave the rollups exact',
      async () => {
        // The last hour of one day and the first of the next: the moves change day rollups too.
        const start = Date.parse('2026-07-01T23:00:00Z')
        const rows = (model: string, at: number) =>
          Array.from({ length: 2_000 }, (_, i) => ({
            at: new Date(at + i * 1_500),
            provider: 'openai',
            model,
            feature: 'moves',
            latencyMs: 100 + i,
            costUsd: 0.001,
          }))
        await insertAiLogBatch(db, [...rows('up', start), ...rows('down', start + HOUR)])
        const failures: unknown[] = []
        // Each round moves one set an hour later and the other an hour earlier, at the same time:
        // both statements change the rollup rows of the same two hours and days. (With one trigger
        // for the new rows and one for the old, the two could lock those rows in opposite orders;
        // the window is too narrow to hit reliably here, so this checks the outcome, not the race.)
        for (let round = 0; round < 10; round++) {
          const sign = round % 2 === 0 ? 1 : -1
          await Promise.all([
            db.query(
              `update ai_log set created_at = created_at + $1::interval where model = 'up' and feature = 'moves'`,
              [`${sign} hour`],
            ),
            db.query(
              `update ai_log set created_at = created_at - $1::interval where model = 'down' and feature = 'moves'`,
              [`${sign} hour`],
            ),
          ]).catch((error: unknown) => failures.push(error))
        }
        expect(failures).toEqual([])
        await expectRollupsToMatchLog(db)
      },
    )

    it('rebuild recomputes them, and TRUNCATE ai_log empties them', async () => {
      await db.query(`delete from ai_log_rollup where grain = 'day'`)
      await db.query(`update ai_log_user_daily set requests = requests + 5`)
      await db.query('select ai_log_rollup_rebuild()')
      expect(await expectRollupsToMatchLog(db)).toBeGreaterThan(100)

      await db.query('truncate ai_log')
      expect(
        await db.query(
          'select 1 from ai_log_rollup union all select 1 from ai_log_error_rollup union all select 1 from ai_log_user_daily',
        ),
      ).toEqual([])
    })
  })

  describe('7d and 30d reports', () => {
    const now = new Date('2026-09-10T12:34:56Z')
    const ago = (ms: number) => new Date(now.getTime() - ms)
    const MIN = 60_000
    let u1: string
    let u2: string
    let u3: string
    beforeAll(async () => {
      await db.query('truncate ai_log')
      u1 = await insertUser(db, { email: `r1-${backend}@example.com` })
      u2 = await insertUser(db, { email: `r2-${backend}@example.com` })
      u3 = await insertUser(db, { email: `r3-${backend}@example.com` })
      const w7 = 7 * DAY
      const w30 = 30 * DAY
      await insertAiLogBatch(db, [
        // 1: in the partial hour at the window's end (12:00–12:34:56 today).
        {
          at: ago(10 * MIN),
          userId: u1,
          provider: 'openai',
          model: 'gpt-a',
          feature: 'f1',
          latencyMs: 100,
          inputTokens: 10,
          outputTokens: 20,
          costUsd: 0.01,
        },
        // 2, 3: whole hours (7d), whole days (30d).
        {
          at: ago(2 * DAY),
          userId: u2,
          provider: 'openai',
          model: 'gpt-b',
          feature: 'f2',
          status: 'error',
          errorClass: 'timeout',
          latencyMs: 300,
        },
        {
          at: ago(3 * DAY + 5 * HOUR),
          userId: u1,
          provider: 'anthropic',
          model: 'claude',
          feature: 'f1',
          latencyMs: 400,
          inputTokens: 5,
          outputTokens: 5,
          costUsd: 0.05,
          fallbackUsed: true,
        },
      ])
      await insertAiLogBatch(db, [
        // 4: one minute inside the 7d window's start (its partial first hour); 5: one minute before it.
        {
          at: ago(w7 - MIN),
          userId: u3,
          provider: 'anthropic',
          model: 'claude',
          feature: 'f2',
          status: 'error',
          errorClass: 'server_error',
          latencyMs: 500,
          costUsd: 0.02,
        },
        {
          at: ago(w7 + MIN),
          userId: u3,
          provider: 'openai',
          model: 'gpt-a',
          feature: 'f1',
          latencyMs: 1000,
          inputTokens: 100,
          outputTokens: 100,
          costUsd: 1,
          cacheHit: true,
        },
        // 6: 20 days ago (30d only).
        {
          at: ago(20 * DAY),
          userId: u2,
          provider: 'openai',
          model: 'gpt-a',
          feature: 'f1',
          latencyMs: 2000,
          inputTokens: 1,
          outputTokens: 1,
          costUsd: 0.5,
        },
        // 7: 30 s inside the 30d window's start; 8: 30 s before it (outside both).
        {
          at: ago(w30 - 30_000),
          userId: u1,
          provider: 'mistral',
          model: 'm',
          feature: 'f3',
          status: 'error',
          errorClass: 'rate_limited',
          latencyMs: 50,
        },
        {
          at: ago(w30 + 30_000),
          userId: u2,
          provider: 'openai',
          model: 'gpt-a',
          feature: 'f1',
          latencyMs: 100,
          costUsd: 100,
        },
      ])
      await insertAiLogBatch(db, [
        // 9: exactly at the end (inclusive); 10: exactly at the 7d start (inclusive); 11: a second after the end.
        { at: now, userId: u2, provider: 'openai', model: 'gpt-a', feature: 'f1', latencyMs: 150, costUsd: 0.001 },
        { at: ago(w7), userId: u1, provider: 'openai', model: 'gpt-a', feature: 'f2', latencyMs: 250, costUsd: 0.003 },
        {
          at: new Date(now.getTime() + 1000),
          userId: u3,
          provider: 'openai',
          model: 'gpt-a',
          feature: 'f1',
          latencyMs: 100,
          costUsd: 50,
        },
      ])
    })

    it('7d equals the hand-computed figures, edges exact', async () => {
      const r = await aiMonitoring(db, '7d', now)
      expect(r.percentiles).toBe('histogram')
      // Rows 1, 2, 3, 4, 9, 10.
      expect(r.totals).toMatchObject({ requests: 6, inputTokens: 15, outputTokens: 25, cacheHitRate: 0 })
      expect(r.totals.successRate).toBeCloseTo(4 / 6, 12)
      expect(r.totals.fallbackRate).toBeCloseTo(1 / 6, 12)
      expect(r.totals.costUsd).toBeCloseTo(0.084, 10)
      // Latencies 100, 150, 250, 300, 400, 500: nearest rank p50 = 250 (bucket 32), p95 = p99 = 500 (bucket 36), as bucket midpoints.
      expect(r.totals.p50LatencyMs).toBeCloseTo(2 ** (31.5 / 4), 9)
      expect(r.totals.p95LatencyMs).toBeCloseTo(2 ** (35.5 / 4), 9)
      expect(r.totals.p99LatencyMs).toBeCloseTo(2 ** (35.5 / 4), 9)
      expect(Math.abs(r.totals.p50LatencyMs! - 250) / 250).toBeLessThanOrEqual(MAX_RELATIVE_ERROR)
      expect(Math.abs(r.totals.p95LatencyMs! - 500) / 500).toBeLessThanOrEqual(MAX_RELATIVE_ERROR)

      const openai = r.byProvider.find((p) => p.provider === 'openai')!
      expect(openai).toMatchObject({ requests: 4, inputTokens: 10, outputTokens: 20, errorsByClass: { timeout: 1 } })
      expect(openai.successRate).toBeCloseTo(3 / 4, 12)
      expect(openai.costUsd).toBeCloseTo(0.014, 10)
      const anthropic = r.byProvider.find((p) => p.provider === 'anthropic')!
      expect(anthropic).toMatchObject({
        requests: 2,
        successRate: 0.5,
        fallbackRate: 0.5,
        errorsByClass: { server_error: 1 },
      })
      expect(anthropic.costUsd).toBeCloseTo(0.07, 10)
      expect(r.byProvider).toHaveLength(2)
      expect(r.byModel.map((m) => [m.provider, m.model, m.requests]).sort()).toEqual([
        ['anthropic', 'claude', 2],
        ['openai', 'gpt-a', 3],
        ['openai', 'gpt-b', 1],
      ])
      expect(r.byFeature.map((f) => [f.feature, f.requests, f.successRate]).sort()).toEqual([
        ['f1', 3, 1],
        ['f2', 3, 1 / 3],
      ])

      expect(r.topUsers.map((u) => [u.userId, u.requests])).toEqual([
        [u1, 3],
        [u3, 1],
        [u2, 2],
      ])
      expect(r.topUsers.map((u) => u.costUsd)).toEqual([
        expect.closeTo(0.063, 10),
        expect.closeTo(0.02, 10),
        expect.closeTo(0.001, 10),
      ])
      expect(r.topUsers[0]!.email).toBe(`r1-${backend}@example.com`)

      // Six-hour buckets aligned to UTC.
      expect(r.series.map((b) => [b.bucket, b.requests, b.errors])).toEqual([
        ['2026-09-03T12:00:00.000Z', 2, 1],
        ['2026-09-07T06:00:00.000Z', 1, 0],
        ['2026-09-08T12:00:00.000Z', 1, 1],
        ['2026-09-10T12:00:00.000Z', 2, 0],
      ])
      expect(withoutPercentiles(r)).toEqual(withoutPercentiles(await aiMonitoring(db, '7d', now, { exact: true })))
    })

    it('30d equals the hand-computed figures, edges exact', async () => {
      const r = await aiMonitoring(db, '30d', now)
      expect(r.percentiles).toBe('histogram')
      // Rows 1–7, 9, 10.
      expect(r.totals).toMatchObject({ requests: 9, inputTokens: 116, outputTokens: 126 })
      expect(r.totals.successRate).toBeCloseTo(6 / 9, 12)
      expect(r.totals.cacheHitRate).toBeCloseTo(1 / 9, 12)
      expect(r.totals.costUsd).toBeCloseTo(1.584, 10)
      expect(Object.fromEntries(r.byProvider.map((p) => [p.provider, [p.requests, p.errorsByClass]]))).toEqual({
        openai: [6, { timeout: 1 }],
        anthropic: [2, { server_error: 1 }],
        mistral: [1, { rate_limited: 1 }],
      })
      expect(r.topUsers.map((u) => [u.userId, u.requests])).toEqual([
        [u3, 2],
        [u2, 3],
        [u1, 4],
      ])
      expect(r.topUsers.map((u) => u.costUsd)).toEqual([
        expect.closeTo(1.02, 10),
        expect.closeTo(0.501, 10),
        expect.closeTo(0.063, 10),
      ])
      expect(r.series.map((b) => [b.bucket, b.requests])).toEqual([
        ['2026-08-11T00:00:00.000Z', 1],
        ['2026-08-21T00:00:00.000Z', 1],
        ['2026-09-03T00:00:00.000Z', 3],
        ['2026-09-07T00:00:00.000Z', 1],
        ['2026-09-08T00:00:00.000Z', 1],
        ['2026-09-10T00:00:00.000Z', 2],
      ])
      expect(withoutPercentiles(r)).toEqual(withoutPercentiles(await aiMonitoring(db, '30d', now, { exact: true })))
    })

    it('over a larger spread: counts, tokens, cost, errors and top users equal the raw rows at any end time; percentiles within the bound', async () => {
      const users = [u1, u2, u3, null, ...(await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9].map(() => insertUser(db))))]
      const start = now.getTime() - 35 * DAY
      for (const batch of chunks(fixture(3000, 11, start, 36 * DAY, users), 200)) await insertAiLogBatch(db, batch)
      const ends = [
        now,
        new Date('2026-09-10T00:00:00Z'),
        new Date('2026-09-09T17:00:00Z'),
        new Date('2026-09-09T23:59:59.999Z'),
        new Date('2026-09-10T00:00:00.001Z'),
      ]
      for (const end of ends) {
        for (const window of ['7d', '30d'] as MonitoringWindow[]) {
          const r = await aiMonitoring(db, window, end)
          expect(withoutPercentiles(r), `${window} to ${end.toISOString()}`).toEqual(
            withoutPercentiles(await aiMonitoring(db, window, end, { exact: true })),
          )
          expect(r.totals.requests).toBeGreaterThan(100)

          // Nearest-rank percentiles of the same rows, per group, by SQL.
          const bucket = window === '7d' ? '6 hours' : '1 day'
          const exact = await db.query<{
            g: number
            provider: string | null
            model: string | null
            feature: string | null
            bin: string | Date | null
            p: number[] | null
          }>(
            `select grouping(provider, model, feature, bin) as g, provider, model, feature, bin, percentile_disc(array[0.5, 0.95, 0.99]) within group (order by latency_ms) as p
              from (select *, date_bin($3::interval, created_at, '2000-01-01T00:00:00Z'::timestamptz) as bin from ai_log where created_at >= $1 and created_at <= $2) l
              group by grouping sets ((), (provider), (provider, model), (feature), (bin))`,
            [r.from, r.to, bucket],
          )
          type Group = [
            g: number,
            provider: string | null,
            model: string | null,
            feature: string | null,
            bin: string | null,
            got: Array<number | null>,
          ]
          const p = (b: { p50LatencyMs: number | null; p95LatencyMs: number | null; p99LatencyMs: number | null }) => [
            b.p50LatencyMs,
            b.p95LatencyMs,
            b.p99LatencyMs,
          ]
          const groups: Group[] = [
            [15, null, null, null, null, p(r.totals)],
            ...r.byProvider.map((x): Group => [7, x.provider, null, null, null, p(x)]),
            ...r.byModel.map((x): Group => [3, x.provider, x.model, null, null, p(x)]),
            ...r.byFeature.map((x): Group => [13, null, null, x.feature, null, p(x)]),
            ...r.series.map((x): Group => [14, null, null, null, x.bucket, [null, x.p95LatencyMs, null]]),
          ]
          const unknown = (v: string | null) => v ?? 'unknown'
          let compared = 0
          for (const [g, provider, model, feature, bin, got] of groups) {
            const row = exact.find(
              (e) =>
                Number(e.g) === g &&
                unknown(e.provider) === unknown(provider) &&
                unknown(e.model) === unknown(model) &&
                unknown(e.feature) === unknown(feature) &&
                (e.bin === null ? null : new Date(e.bin).toISOString()) === bin,
            )!
            expect(row, JSON.stringify([g, provider, model, feature, bin])).toBeDefined()
            // The series reports p95 only.
            for (const i of g === 14 ? [1] : [0, 1, 2]) {
              const value = got[i] ?? null
              const want = row.p?.[i] ?? null
              const label = `${JSON.stringify([g, provider, model, feature, bin, i])}: ${value} vs ${want}`
              if (want === null || want === 0) {
                expect(value, label).toBe(want)
                continue
              }
              compared++
              expect(Math.abs(value! - want) / want, label).toBeLessThanOrEqual(MAX_RELATIVE_ERROR + 1e-12)
            }
          }
          expect(compared).toBeGreaterThan(30)
        }
      }
    })
  })

  describe('usage series (GET /api/admin/ai-monitoring/series)', () => {
    const now = new Date('2026-09-10T12:34:56Z')
    it('per provider, model and feature, each bucket equals a GROUP BY over ai_log (rollups and edges alike)', async () => {
      // The larger spread above is still in ai_log.
      const ends = [now, new Date('2026-09-09T23:59:59.999Z'), new Date('2026-09-10T00:00:00.001Z')]
      const cases: Array<[MonitoringWindow, SeriesBucket]> = [
        ['24h', '5m'],
        ['24h', '1h'],
        ['7d', '1h'],
        ['7d', '6h'],
        ['30d', '6h'],
        ['30d', '1d'],
      ]
      const INTERVAL = { '5m': '5 minutes', '1h': '1 hour', '6h': '6 hours', '1d': '1 day' } as const
      let points = 0
      for (const end of ends) {
        for (const [window, bucket] of cases) {
          for (const by of ['provider', 'model', 'feature'] as const) {
            const got = await usageSeries(db, { window, bucket, by }, end)
            const key =
              by === 'provider'
                ? `coalesce(provider, 'unknown')`
                : by === 'model'
                  ? `coalesce(provider, 'unknown') || '/' || coalesce(model, 'unknown')`
                  : `coalesce(feature, 'unknown')`
            const want = await db.query<{
              key: string
              bin: Date | string
              n: string
              i: string
              o: string
              c: string
            }>(
              `select ${key} as key, date_bin($3::interval, created_at, '2000-01-01T00:00:00Z'::timestamptz) as bin,
                  count(*) as n, coalesce(sum(input_tokens), 0) as i, coalesce(sum(output_tokens), 0) as o, coalesce(sum(cost_usd), 0) as c
                from ai_log where created_at >= $1 and created_at <= $2 group by 1, 2 order by 1, 2`,
              [got.from, got.to, INTERVAL[bucket]],
            )
            const flat = got.series
              .flatMap((s) =>
                s.points.map((p) => [s.key, p.bucket, p.requests, p.inputTokens, p.outputTokens, p.costUsd]),
              )
              .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1])))
            const expected = want
              .map((r) => [r.key, new Date(r.bin).toISOString(), Number(r.n), Number(r.i), Number(r.o), Number(r.c)])
              .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1])))
            const label = `${window} ${bucket} by ${by} to ${end.toISOString()}`
            expect(flat.length, label).toBe(expected.length)
            flat.forEach((row, i) => {
              expect(row.slice(0, 5), label).toEqual(expected[i]!.slice(0, 5))
              expect(row[5] as number, label).toBeCloseTo(expected[i]![5] as number, 9)
            })
            points += flat.length
            // Series are sorted by cost, and their totals are their points' sums.
            for (const s of got.series) expect(s.requests).toBe(s.points.reduce((a, p) => a + p.requests, 0))
          }
        }
      }
      expect(points).toBeGreaterThan(500)
    })
  })

  describe('deletion and retention', () => {
    it('deleting a user removes their per-user rollup rows (DELETE /api/me path and a plain user delete) and the sums follow', async () => {
      await db.query('truncate ai_log')
      const [a, b, c] = [await insertUser(db), await insertUser(db), await insertUser(db)]
      const start = Date.parse('2026-07-01T00:00:00Z')
      await insertAiLogBatch(db, fixture(300, 5, start, 3 * DAY, [a, b, c]))
      const daily = async (user: string) =>
        (await db.query('select 1 from ai_log_user_daily where user_id = $1', [user])).length
      expect(await daily(a)).toBeGreaterThan(0)

      const counts = await db.transaction((tx) => deleteUserData(tx, a))
      expect(counts).toMatchObject({ users: 1 })
      expect(counts.ai_log).toBeGreaterThan(0)
      expect(await daily(a)).toBe(0)
      expect(await daily(b)).toBeGreaterThan(0)
      await expectRollupsToMatchLog(db)

      // Deleted directly: ai_log keeps the rows with user_id set to null; the user's rollup rows go.
      await db.query('delete from users where id = $1', [b])
      expect(await daily(b)).toBe(0)
      expect((await db.query('select 1 from ai_log where user_id is null')).length).toBeGreaterThan(0)
      await expectRollupsToMatchLog(db)
    })

    it('retention prunes the rollups with ai_log', async () => {
      const now = new Date('2026-07-04T06:30:00Z')
      const r = await runRetention(db, { aiLogDays: 2, eventsDays: 0, now, batch: 50 })
      expect(r.aiLog).toBeGreaterThan(0)
      expect(r.rollups).toBeGreaterThan(0)
      const cutoff = new Date(now.getTime() - 2 * DAY).toISOString()
      expect((await db.query(`select 1 from ai_log where created_at < $1`, [cutoff])).length).toBe(0)
      expect(
        await db.query(
          `select grain, period_start from ai_log_rollup where grain = 'hour' and period_start < date_bin('1 hour', $1::timestamptz, '2000-01-01T00:00:00Z'::timestamptz)`,
          [cutoff],
        ),
      ).toEqual([])
      expect(
        await db.query(
          `select grain, period_start from ai_log_rollup where grain = 'day' and period_start < date_bin('1 day', $1::timestamptz, '2000-01-01T00:00:00Z'::timestamptz)`,
          [cutoff],
        ),
      ).toEqual([])
      expect(
        await db.query(
          `select day from ai_log_user_daily where day < date_bin('1 day', $1::timestamptz, '2000-01-01T00:00:00Z'::timestamptz)`,
          [cutoff],
        ),
      ).toEqual([])
      expect(await db.query('select 1 from ai_log_rollup where requests = 0')).toEqual([])
      expect(await expectRollupsToMatchLog(db)).toBeGreaterThan(0)
    })
  })
})
