import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHealthTracker } from '../../../src/gateway/health/health.ts'
import { createBreakerRegistry } from '../../../src/gateway/router/breakers.ts'
import { ErrorClass, ProviderCallError } from '../../../src/gateway/router/errors.ts'
import { createTestDatabase, type TestDatabase } from '../../helpers/backends.ts'

/** Provider health reaches admins' consoles as `provider.health` events (the console re-reads on each). */
describe('provider health events', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase('pglite')
  }, 120_000)
  afterAll(() => database?.drop())

  const events = (provider: string) =>
    database.db.query<{ type: string; audience: string; user_id: string | null; payload: Record<string, unknown> }>(
      `select type, audience, user_id, payload from events where type = 'provider.health' and payload->>'provider' = $1 order by id`,
      [provider],
    )

  it('a status change is one admin event with the status and breaker, beside its history row', async () => {
    const health = createHealthTracker({ db: database.db })
    for (let i = 0; i < 5; i++)
      health.observe({ provider: 'p-status', model: 'm', latencyMs: 10, ok: false, errorClass: ErrorClass.ServerError })
    await health.flush()
    expect(await events('p-status')).toEqual([
      {
        type: 'provider.health',
        audience: 'admin',
        user_id: null,
        payload: { provider: 'p-status', status: 'down', breaker: 'closed' },
      },
    ])
    const history = await database.db.query<{ status: string }>(
      `select status from provider_status_history where provider = 'p-status'`,
    )
    expect(history).toEqual([{ status: 'down' }])
  })

  it("a model's breaker opening is announced though its provider still serves; changes close together are one event", async () => {
    const health = createHealthTracker({ db: database.db })
    const breakers = createBreakerRegistry({
      threshold: 2,
      halfOpenAfterMs: 60_000,
      onStateChange: (provider, state) => health.breakerChanged(provider, state),
      onModelStateChange: (provider) => health.modelBreakerChanged(provider),
    })
    const fail = () => {
      throw new ProviderCallError({
        provider: 'p-model',
        model: 'a',
        errorClass: ErrorClass.ServerError,
        message: '500',
      })
    }
    await breakers.get('p-model', 'b').execute(() => 'ok')
    for (let i = 0; i < 2; i++)
      await breakers
        .get('p-model', 'a')
        .execute(fail)
        .catch(() => undefined)
    await health.flush()
    expect(breakers.state('p-model', 'a')).toBe('open')
    expect(breakers.state('p-model')).toBe('closed')
    expect((await events('p-model')).map((e) => e.payload)).toEqual([
      { provider: 'p-model', status: 'healthy', breaker: 'closed' },
    ])

    // Model b opens too: the provider's breaker opens and its status goes down, in one event.
    const failB = () => {
      throw new ProviderCallError({
        provider: 'p-model',
        model: 'b',
        errorClass: ErrorClass.ServerError,
        message: '500',
      })
    }
    for (let i = 0; i < 2; i++)
      await breakers
        .get('p-model', 'b')
        .execute(failB)
        .catch(() => undefined)
    await health.flush()
    expect((await events('p-model')).map((e) => e.payload)).toEqual([
      { provider: 'p-model', status: 'healthy', breaker: 'closed' },
      { provider: 'p-model', status: 'down', breaker: 'open' },
    ])
  })
})
