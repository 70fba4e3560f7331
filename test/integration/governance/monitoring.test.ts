import { afterAll, beforeAll, expect, it } from 'vitest'
import { aiMonitoring } from '../../../src/governance/monitoring/report.ts'
import { runRetention } from '../../../src/governance/privacy/retention.ts'
import { createTestDatabase, describeBackends, type TestDatabase } from '../../helpers/backends.ts'
import { insertAiLog, insertUser } from '../../helpers/ai-log.ts'

describeBackends('AI monitoring', (backend) => {
  let database: TestDatabase
  const now = new Date('2026-09-10T12:00:00Z')
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000)
  let u1: string
  let u2: string
  beforeAll(async () => {
    database = await createTestDatabase(backend)
    u1 = await insertUser(database.db, { email: `u1-${backend}@example.com` })
    u2 = await insertUser(database.db, { email: `u2-${backend}@example.com` })
    await insertAiLog(database.db, [
      {
        at: ago(90),
        userId: u1,
        provider: 'openai',
        model: 'gpt-a',
        feature: 'f1',
        latencyMs: 100,
        inputTokens: 10,
        outputTokens: 20,
        costUsd: 0.01,
      },
      {
        at: ago(80),
        userId: u1,
        provider: 'openai',
        model: 'gpt-a',
        feature: 'f1',
        latencyMs: 200,
        inputTokens: 10,
        outputTokens: 20,
        costUsd: 0.01,
        cacheHit: true,
      },
      {
        at: ago(30),
        userId: u2,
        provider: 'openai',
        model: 'gpt-b',
        feature: 'f2',
        status: 'error',
        errorClass: 'timeout',
        latencyMs: 300,
      },
      {
        at: ago(20),
        userId: u2,
        provider: 'anthropic',
        model: 'claude',
        feature: 'f1',
        latencyMs: 400,
        inputTokens: 5,
        outputTokens: 5,
        costUsd: 0.05,
        fallbackUsed: true,
      },
      {
        at: ago(10),
        userId: u1,
        provider: 'anthropic',
        model: 'claude',
        feature: 'f2',
        status: 'error',
        errorClass: 'server_error',
        latencyMs: 500,
      },
      // Outside the 24 h window.
      {
        at: ago(48 * 60),
        userId: u2,
        provider: 'openai',
        model: 'gpt-a',
        feature: 'f1',
        latencyMs: 10_000,
        costUsd: 100,
      },
    ])
    // openai: healthy before the window, down 6 h before now, healthy again 3 h before now: 21 of 24 h up.
    await database.db.query(
      `insert into provider_status_history (provider, status, created_at) values ('openai', 'healthy', $1), ('openai', 'down', $2), ('openai', 'healthy', $3)`,
      [ago(30 * 60).toISOString(), ago(6 * 60).toISOString(), ago(3 * 60).toISOString()],
    )
  })
  afterAll(() => database.drop())

  it('equals the hand-computed figures', async () => {
    const r = await aiMonitoring(database.db, '24h', now)
    expect(r.from).toBe('2026-09-09T12:00:00.000Z')
    // Latencies 100..500: p50 300; p95 = 400 + 0.8 × 100; p99 = 400 + 0.96 × 100.
    expect(r.totals).toEqual({
      requests: 5,
      successRate: 0.6,
      errorRate: 0.4,
      p50LatencyMs: 300,
      p95LatencyMs: 480,
      p99LatencyMs: 496,
      inputTokens: 25,
      outputTokens: 45,
      costUsd: 0.07,
      fallbackRate: 0.2,
      cacheHitRate: 0.2,
    })

    const openai = r.byProvider.find((p) => p.provider === 'openai')!
    expect(openai).toMatchObject({
      requests: 3,
      p50LatencyMs: 200,
      p95LatencyMs: 290,
      inputTokens: 20,
      outputTokens: 40,
      errorsByClass: { timeout: 1 },
    })
    expect(openai.successRate).toBeCloseTo(2 / 3, 10)
    expect(openai.costUsd).toBeCloseTo(0.02, 10)
    expect(openai.cacheHitRate).toBeCloseTo(1 / 3, 10)
    const anthropic = r.byProvider.find((p) => p.provider === 'anthropic')!
    expect(anthropic).toMatchObject({
      requests: 2,
      successRate: 0.5,
      p50LatencyMs: 450,
      fallbackRate: 0.5,
      errorsByClass: { server_error: 1 },
    })
    expect(r.byProvider).toHaveLength(2)

    expect(r.byModel.map((m) => [m.provider, m.model, m.requests]).sort()).toEqual([
      ['anthropic', 'claude', 2],
      ['openai', 'gpt-a', 2],
      ['openai', 'gpt-b', 1],
    ])
    const f1 = r.byFeature.find((f) => f.feature === 'f1')!
    const f2 = r.byFeature.find((f) => f.feature === 'f2')!
    expect([f1.requests, f1.successRate, f2.requests, f2.successRate, f2.errorRate]).toEqual([3, 1, 2, 0, 1])

    expect(r.topUsers.map((u) => [u.userId, u.requests])).toEqual([
      [u2, 2],
      [u1, 3],
    ])
    expect(r.topUsers[0]!.costUsd).toBeCloseTo(0.05, 10)
    expect(r.topUsers[0]!.email).toBe(`u2-${backend}@example.com`)

    expect(r.uptime).toHaveLength(1)
    expect(r.uptime[0]!.uptime).toBeCloseTo(21 / 24, 10)
    expect(r.uptime[0]).toMatchObject({ provider: 'openai', status: 'healthy', since: ago(180).toISOString() })

    // Hourly buckets from the window start: 10:30 and 10:40, then 11:30, 11:40 and 11:50.
    expect(r.series.reduce((s, b) => s + b.requests, 0)).toBe(5)
    expect(r.series.reduce((s, b) => s + b.errors, 0)).toBe(2)
    expect(r.series.map((b) => [b.bucket, b.requests])).toEqual([
      ['2026-09-10T10:00:00.000Z', 2],
      ['2026-09-10T11:00:00.000Z', 3],
    ])
  })

  it('narrows to the window asked for', async () => {
    const r = await aiMonitoring(database.db, '1h', now)
    expect(r.totals.requests).toBe(3)
    expect(r.series.map((b) => b.bucket)).toEqual([
      '2026-09-10T11:30:00.000Z',
      '2026-09-10T11:40:00.000Z',
      '2026-09-10T11:50:00.000Z',
    ])
    const week = await aiMonitoring(database.db, '7d', now)
    expect(week.totals.requests).toBe(6)
    expect(week.totals.costUsd).toBeCloseTo(100.07, 8)
    const empty = await aiMonitoring(database.db, '30d', new Date('2020-01-01T00:00:00Z'))
    expect(empty.totals).toMatchObject({ requests: 0, successRate: 0, errorRate: 0, p50LatencyMs: null })
    expect(empty.byProvider).toEqual([])
  })

  it('retention deletes ledger rows and events older than their limits', async () => {
    await database.db.query(
      `insert into events (type, payload, created_at) values ('dashboard.updated', '{}', $1), ('dashboard.updated', '{}', $2)`,
      [ago((40 * 86_400) / 60).toISOString(), ago(60).toISOString()],
    )
    const r = await runRetention(database.db, { aiLogDays: 1, eventsDays: 30, now, batch: 1 })
    expect(r).toMatchObject({ aiLog: 1, events: 1 })
    expect((await database.db.query('select 1 from ai_log')).length).toBe(5)
    expect((await database.db.query('select 1 from events')).length).toBe(1)
  })
})
