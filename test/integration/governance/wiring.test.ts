import { afterAll, beforeAll, expect, it } from 'vitest'
import { createGovernance, everyCron } from '../../../src/governance/create-governance.ts'
import { createTestDatabase, describeBackends, testConfig, type TestDatabase } from '../../helpers/backends.ts'
import { insertUser } from '../../helpers/ai-log.ts'

describeBackends('governance wiring', (backend) => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase(backend)
  })
  afterAll(() => database.drop())

  it('runs the guards in order, counts refusals, redacts when asked, and exposes its periodic jobs', async () => {
    const config = testConfig({
      AI_RATE_LIMITS: JSON.stringify({ free: { perMinute: 1 } }),
      AI_BUDGETS: JSON.stringify({ user: { free: { dailyUsd: 0 } } }),
      AI_REDACT_PROMPTS: 'true',
      ALERT_INTERVAL_SECONDS: '300',
    })
    const g = await createGovernance({ db: database.db, config, budgetCacheMs: 0, versionCacheMs: 0 })
    // Rate limits, budgets, the per-key guard (limits and budgets of a key's own settings), metrics.
    expect(g.guards).toHaveLength(4)
    const userId = await insertUser(database.db)
    const caller = { userId, tier: 'free' as const }
    // Budget of $0: the rate limit passes, the budget refuses.
    await expect(runGuards(g.guards, caller)).rejects.toMatchObject({ code: 'budget_exceeded' })
    await expect(runGuards(g.guards, caller)).rejects.toMatchObject({ code: 'rate_limited' })
    const { body } = await g.metrics.render()
    expect(body).toContain('optimaliq_ai_refusals_total{kind="budget_exceeded",limit="user.free.daily"} 1')
    expect(body).toContain('optimaliq_ai_refusals_total{kind="rate_limited",limit="user.requests_per_minute"} 1')
    for (const guard of g.guards)
      await guard.after(caller, {
        feature: 'f',
        meta: {
          requestId: 'r',
          provider: 'rules',
          model: 'rules',
          modelVersion: undefined,
          usage: { inputTokens: undefined, outputTokens: undefined },
          costUsd: undefined,
          latencyMs: 1,
          cached: false,
          fallbackUsed: true,
          attempts: [],
        },
      })
    expect((await g.metrics.render()).body).toContain(
      'optimaliq_ai_requests_total{provider="rules",model="rules",feature="f",outcome="rules"} 1',
    )

    expect(g.redactPrompt({ messages: [{ role: 'user', content: 'write to a@b.io' }] })).toEqual({
      messages: [{ role: 'user', content: 'write to [redacted:email]' }],
    })
    expect(g.jobs.map((j) => [j.name, j.cron])).toEqual([
      ['alerts.evaluate', '*/5 * * * *'],
      ['retention.run', '17 3 * * *'],
    ])
    for (const job of g.jobs) await job.run()
    await g.evaluateAlerts()
    expect(await g.runRetention()).toMatchObject({ aiLog: 0 })

    const off = await createGovernance({ db: database.db, config: testConfig({ AI_LIMITS_ENABLED: 'false' }) })
    // Limits off: the per-key guard (explicit settings of a key) and metrics remain.
    expect(off.guards).toHaveLength(2)
    expect(off.redactPrompt('a@b.io')).toBe('a@b.io')
  })

  it('turns intervals into cron expressions', () => {
    expect(everyCron(30)).toBe('* * * * *')
    expect(everyCron(60)).toBe('* * * * *')
    expect(everyCron(600)).toBe('*/10 * * * *')
    expect(everyCron(7200)).toBe('0 * * * *')
  })
})

async function runGuards(
  guards: Array<{ before(c: object, call: { feature: string; estimatedTokens: number }): Promise<void> }>,
  caller: object,
) {
  for (const g of guards) await g.before(caller, { feature: 'f', estimatedTokens: 0 })
}
