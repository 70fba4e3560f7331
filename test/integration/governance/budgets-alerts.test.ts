import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { evaluateAlerts } from '../../../src/governance/alerts/evaluate.ts'
import { ensureAlertRules } from '../../../src/governance/alerts/rules.ts'
import { createBudgetGuard } from '../../../src/governance/budgets/budgets.ts'
import { resolveBudgets } from '../../../src/governance/limits/config.ts'
import { BudgetExceededError } from '../../../src/governance/limits/errors.ts'
import type { AiMeta } from '../../../src/gateway/types.ts'
import { createTestDatabase, describeBackends, type TestDatabase } from '../../helpers/backends.ts'
import { insertAiLog, insertUser } from '../../helpers/ai-log.ts'

const meta = (costUsd: number): AiMeta => ({
  requestId: crypto.randomUUID(),
  provider: 'openai',
  model: 'm',
  modelVersion: undefined,
  usage: { inputTokens: 1, outputTokens: 1 },
  costUsd,
  latencyMs: 5,
  cached: false,
  fallbackUsed: false,
  attempts: [],
})

async function budgetError(p: Promise<unknown>): Promise<BudgetExceededError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(BudgetExceededError)
  return e as BudgetExceededError
}

describeBackends('budgets', (backend) => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase(backend)
    await ensureAlertRules(database.db)
  })
  afterAll(() => database.drop())

  it('warns at 80 % once, stops at 100 % naming the budget and its reset, and resets the next day', async () => {
    let now = new Date('2026-03-10T12:00:00Z')
    const budgets = resolveBudgets({ user: { free: { dailyUsd: 1, monthlyUsd: 100 } } })
    const guard = createBudgetGuard({ db: database.db, budgets, clock: () => now, cacheMs: 0 })
    const userId = await insertUser(database.db)
    const caller = { userId, tier: 'free' as const }
    await guard.before(caller, { feature: 'f', estimatedTokens: 10 })

    // Yesterday's spend does not count today.
    await insertAiLog(database.db, [{ at: new Date('2026-03-09T23:00:00Z'), userId, costUsd: 5 }])
    await insertAiLog(database.db, [{ at: new Date('2026-03-10T11:00:00Z'), userId, costUsd: 0.85 }])
    await guard.before(caller, { feature: 'f', estimatedTokens: 10 })
    await guard.after(caller, { feature: 'f', meta: meta(0.001) })
    await guard.before(caller, { feature: 'f', estimatedTokens: 10 })
    // A second process (another guard, empty memory) must not warn again.
    await createBudgetGuard({ db: database.db, budgets, clock: () => now, cacheMs: 0 }).before(caller, {
      feature: 'f',
      estimatedTokens: 10,
    })
    const warnings = await database.db.query<{ rule_id: string; scope: string }>(
      `select rule_id, scope from alerts where scope like $1`,
      [`user:${userId}:%`],
    )
    expect(warnings).toEqual([{ rule_id: 'budget_80', scope: `user:${userId}:user.free.daily:2026-03-10` }])
    const events = await database.db.query<{
      type: string
      user_id: string
      payload: { budget: string; percent: number }
    }>(`select type, user_id, payload from events where type = 'budget.threshold' and user_id = $1`, [userId])
    expect(events).toHaveLength(1)
    expect(events[0]!.payload).toMatchObject({ budget: 'user.free.daily', percent: 85 })

    await insertAiLog(database.db, [{ at: new Date('2026-03-10T11:30:00Z'), userId, costUsd: 0.2 }])
    const e = await budgetError(guard.before(caller, { feature: 'f', estimatedTokens: 10 }))
    expect(e.status).toBe(402)
    expect(e.budget).toBe('user.free.daily')
    expect(e.details).toMatchObject({
      budget: 'user.free.daily',
      limitUsd: 1,
      resetAt: '2026-03-11T00:00:00.000Z',
      rulesFallback: true,
    })
    expect(
      (
        await database.db.query(`select 1 from alerts where rule_id = 'budget_100' and scope like $1`, [
          `user:${userId}:%`,
        ])
      ).length,
    ).toBe(1)

    // A fresh guard (a restarted process) reads the same spend from the ledger.
    await budgetError(
      createBudgetGuard({ db: database.db, budgets, clock: () => now }).before(caller, {
        feature: 'f',
        estimatedTokens: 1,
      }),
    )

    now = new Date('2026-03-11T00:00:01Z')
    await guard.before(caller, { feature: 'f', estimatedTokens: 10 })
    // The period ended: the evaluation resolves both budget alerts.
    const result = await evaluateAlerts({ db: database.db, clock: () => now })
    expect(
      result.resolved
        .filter((a) => a.scope.startsWith(`user:${userId}`))
        .map((a) => a.ruleId)
        .sort(),
    ).toEqual(['budget_100', 'budget_80'])
  })

  it('stops on the monthly budget, and on the global budget for everyone', async () => {
    const now = new Date('2026-04-20T08:00:00Z')
    const userId = await insertUser(database.db)
    await insertAiLog(database.db, [{ at: new Date('2026-04-02T10:00:00Z'), userId, costUsd: 3 }])
    const monthly = createBudgetGuard({
      db: database.db,
      budgets: resolveBudgets({ user: { free: { dailyUsd: 1, monthlyUsd: 3 } } }),
      clock: () => now,
      cacheMs: 0,
    })
    const e = await budgetError(monthly.before({ userId, tier: 'free' }, { feature: 'f', estimatedTokens: 1 }))
    expect(e.details).toMatchObject({ budget: 'user.free.monthly', resetAt: '2026-05-01T00:00:00.000Z' })
    // Premium has a larger budget.
    await monthly.before({ userId, tier: 'premium' }, { feature: 'f', estimatedTokens: 1 })

    const global = createBudgetGuard({
      db: database.db,
      budgets: resolveBudgets({ global: { dailyUsd: 2 }, rulesFallback: false }),
      clock: () => new Date('2026-04-02T12:00:00Z'),
      cacheMs: 0,
    })
    const g = await budgetError(global.before({ apiKeyId: crypto.randomUUID() }, { feature: 'f', estimatedTokens: 1 }))
    expect(g.details).toMatchObject({ budget: 'global.daily', rulesFallback: false })
    const standing = await global.standing({})
    expect(standing.map((s) => s.budget)).toEqual(['global.daily', 'global.monthly'])
  })

  it('counts what this process spent since its last read (cache)', async () => {
    const now = new Date('2026-05-05T10:00:00Z')
    const userId = await insertUser(database.db)
    const guard = createBudgetGuard({
      db: database.db,
      budgets: resolveBudgets({ user: { free: { dailyUsd: 1 } } }),
      clock: () => now,
      cacheMs: 60_000,
    })
    await guard.before({ userId, tier: 'free' }, { feature: 'f', estimatedTokens: 1 })
    await guard.after({ userId, tier: 'free' }, { feature: 'f', meta: meta(1.5) })
    await budgetError(guard.before({ userId, tier: 'free' }, { feature: 'f', estimatedTokens: 1 }))
  })
})

describeBackends('alerts', (backend) => {
  let database: TestDatabase
  let server: Server
  let url: string
  const received: Array<{ event: string; alert: { ruleId: string; scope: string } }> = []
  let failuresLeft = 0
  beforeAll(async () => {
    database = await createTestDatabase(backend)
    await ensureAlertRules(database.db)
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft--
          res.writeHead(503).end()
          return
        }
        received.push(JSON.parse(body) as (typeof received)[number])
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  })
  afterAll(async () => {
    await new Promise((r) => server.close(r))
    await database.drop()
  })
  beforeEach(() => {
    received.length = 0
  })

  it('fires each rule once, does not repeat while firing, resolves when the condition clears, and delivers by webhook with retries', async () => {
    const now = new Date('2026-06-01T12:00:00Z')
    const min = (m: number) => new Date(now.getTime() - m * 60_000)
    // openai: 1 error in 10 (10 % > 5 %); anthropic: average latency 6 s; 60 USD today; mistral down.
    await insertAiLog(database.db, [
      ...Array.from({ length: 9 }, (_, i) => ({ at: min(10 + i), provider: 'openai', latencyMs: 200, costUsd: 6 })),
      { at: min(5), provider: 'openai', status: 'error' as const, errorClass: 'timeout', latencyMs: 200, costUsd: 6 },
      { at: min(20), provider: 'anthropic', latencyMs: 6_000 },
      { at: min(21), provider: 'anthropic', latencyMs: 6_000 },
    ])
    await database.db.query(
      `insert into provider_status_history (provider, status, reason, created_at) values ('mistral', 'healthy', null, $1), ('mistral', 'down', '5 failures', $2)`,
      [min(120).toISOString(), min(30).toISOString()],
    )

    failuresLeft = 2
    const webhook = { url, retries: 3, backoffMs: 1 }
    const first = await evaluateAlerts({ db: database.db, clock: () => now, webhook })
    const fired = first.fired.map((a) => `${a.ruleId} ${a.scope}`).sort()
    expect(fired).toEqual([
      'avg_latency provider:anthropic',
      'daily_cost global',
      'error_rate provider:openai',
      'provider_down provider:mistral',
    ])
    expect(first.fired.find((a) => a.ruleId === 'error_rate')!.value).toBeCloseTo(0.1, 6)
    expect(first.fired.find((a) => a.ruleId === 'daily_cost')!.value).toBeCloseTo(60, 6)
    // Two 503s were retried: all four arrived.
    expect(first.delivered).toBe(4)
    expect(received.map((r) => r.alert.ruleId).sort()).toEqual([
      'avg_latency',
      'daily_cost',
      'error_rate',
      'provider_down',
    ])
    const events = await database.db.query<{ audience: string; payload: { ruleId: string } }>(
      `select audience, payload from events where type = 'alert.fired'`,
    )
    expect(events).toHaveLength(4)
    expect(events.every((e) => e.audience === 'admin')).toBe(true)

    // Again, a minute later: nothing new, nothing delivered twice.
    received.length = 0
    const again = await evaluateAlerts({ db: database.db, clock: () => new Date(now.getTime() + 60_000), webhook })
    expect(again.fired).toEqual([])
    expect(again.resolved).toEqual([])
    expect(received).toEqual([])
    expect((await database.db.query(`select 1 from alerts where status = 'firing'`)).length).toBe(4)

    // Two hours later the 1-hour windows are clean and mistral is back; the day's cost still stands.
    await database.db.query(
      `insert into provider_status_history (provider, status, created_at) values ('mistral', 'healthy', $1)`,
      [new Date(now.getTime() + 3_600_000).toISOString()],
    )
    const later = await evaluateAlerts({
      db: database.db,
      clock: () => new Date(now.getTime() + 2 * 3_600_000),
      webhook,
    })
    expect(later.resolved.map((a) => a.ruleId).sort()).toEqual(['avg_latency', 'error_rate', 'provider_down'])
    expect(later.fired).toEqual([])
    expect(received.filter((r) => r.event === 'alert.resolved')).toHaveLength(3)
    expect((await database.db.query(`select 1 from events where type = 'alert.resolved'`)).length).toBe(3)
    const firing = await database.db.query<{ rule_id: string; notified_at: Date | null }>(
      `select rule_id, notified_at from alerts where status = 'firing'`,
    )
    expect(firing.map((f) => f.rule_id)).toEqual(['daily_cost'])
    expect(firing[0]!.notified_at).not.toBeNull()
  })

  it('keeps an undelivered alert and delivers it on a later run; a disabled rule resolves', async () => {
    const now = new Date('2026-07-01T12:00:00Z')
    await database.db.query(
      `insert into provider_status_history (provider, status, created_at) values ('vertex', 'down', $1)`,
      [new Date(now.getTime() - 60_000).toISOString()],
    )
    failuresLeft = 100
    const run1 = await evaluateAlerts({ db: database.db, clock: () => now, webhook: { url, retries: 1, backoffMs: 1 } })
    expect(run1.fired.map((a) => a.scope)).toContain('provider:vertex')
    expect(run1.delivered).toBe(0)
    expect(run1.undelivered).toBeGreaterThan(0)
    failuresLeft = 0
    const run2 = await evaluateAlerts({ db: database.db, clock: () => now, webhook: { url, retries: 1, backoffMs: 1 } })
    expect(run2.fired).toEqual([])
    expect(received.map((r) => r.alert.scope)).toContain('provider:vertex')

    await database.db.query(`update alert_rules set enabled = false where id = 'provider_down'`)
    const run3 = await evaluateAlerts({ db: database.db, clock: () => now })
    expect(run3.resolved.map((a) => a.scope)).toContain('provider:vertex')
    await database.db.query(`update alert_rules set enabled = true where id = 'provider_down'`)
  })

  it('fires the global budget rules from the ledger', async () => {
    const now = new Date('2026-08-15T12:00:00Z')
    await insertAiLog(database.db, [{ at: new Date('2026-08-15T01:00:00Z'), costUsd: 9 }])
    const r = await evaluateAlerts({
      db: database.db,
      clock: () => now,
      budgets: resolveBudgets({ global: { dailyUsd: 10, monthlyUsd: 1_000 } }),
    })
    expect(r.fired.filter((a) => a.ruleId.startsWith('budget')).map((a) => `${a.ruleId} ${a.scope}`)).toEqual([
      'budget_80 global:global.daily:2026-08-15',
    ])
    const next = await evaluateAlerts({
      db: database.db,
      clock: () => new Date('2026-08-16T00:00:05Z'),
      budgets: resolveBudgets({ global: { dailyUsd: 10, monthlyUsd: 1_000 } }),
    })
    expect(next.resolved.map((a) => a.scope)).toContain('global:global.daily:2026-08-15')
  })
})
