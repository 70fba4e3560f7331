import { afterAll, beforeAll, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../../src/data/db.ts'
import { buildApp } from '../../../src/http/app.ts'
import type { App } from '../../../src/http/types.ts'
import { createContainer, type Container } from '../../../src/main/container.ts'
import { signUp } from '../../helpers/app.ts'
import { describeBackends, testConfig } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'
import { openSse } from '../../helpers/sse.ts'

/**
 * Issue 17, class 4: logout, account deletion and key revocation take effect in every process at
 * once (an `auth.revoked` event through the outbox), not after a cache's time-to-live: the caches
 * here are set to a minute, so only the event can explain a refusal within the test.
 */
const ENV = { AUTH_CACHE_MS: '60000' }

describeBackends('revocation reaches every process at once', (backend) => {
  let a: GatewayTestApp
  let b: { app: App; container: Container; db: Database | undefined; url: string }
  let aUrl: string

  beforeAll(async () => {
    a = await startGatewayApp(backend, ENV)
    await a.app.listen({ port: 0, host: '127.0.0.1' })
    aUrl = `http://127.0.0.1:${(a.app.server.address() as { port: number }).port}`
    const db = a.database.url ? await openDatabase({ kind: 'postgres', url: a.database.url, poolSize: 4 }) : undefined
    const container = await createContainer(
      testConfig({ OPTIMALIQ_ADMIN_EMAILS: 'admin@example.com', AI_LIMITS_ENABLED: 'false', ...ENV }),
      { db: db ?? a.database.db, migrate: false },
    )
    const app = await buildApp(container)
    await app.listen({ port: 0, host: '127.0.0.1' })
    b = { app, container, db, url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` }
  })
  afterAll(async () => {
    await b?.app.close()
    await b?.container.close()
    await b?.db?.close()
    await a?.close()
  })

  const me = (app: App, auth: Record<string, string>) =>
    app.inject({ method: 'GET', url: '/api/auth/me', headers: auth })

  it('logout closes that token’s streams in both processes and process B refuses the token although its cache held it', async () => {
    const user = await signUp(a.app)
    expect((await me(b.app, user.auth)).statusCode).toBe(200) // now cached in B for a minute
    const onB = await openSse(`${b.url}/api/realtime/stream`, user.auth)
    const onA = await openSse(`${aUrl}/api/realtime/stream`, user.auth)
    expect(onB.status).toBe(200)
    await onB.next((m) => m.event === 'ready')
    await onA.next((m) => m.event === 'ready')
    expect((await a.app.inject({ method: 'POST', url: '/api/auth/logout', headers: user.auth })).statusCode).toBe(204)
    await Promise.all([onA.ended, onB.ended])
    expect(onB.messages.find((m) => m.event === 'close')?.json).toEqual({ reason: 'signed_out' })
    const refused = await me(b.app, user.auth)
    expect(refused.statusCode).toBe(401)
    expect((refused.json() as { error: { code: string } }).error.code).toBe('token_revoked')
  })

  it('a password change ends the other sessions in both processes (cached in B for a minute); the changing session goes on with its new token', async () => {
    const user = await signUp(a.app, { password: 'first password 1' })
    const other = (
      await a.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: user.user.email, password: 'first password 1' },
      })
    ).json().token as string
    const otherAuth = { authorization: `Bearer ${other}` }
    expect((await me(b.app, otherAuth)).statusCode).toBe(200) // cached in B
    const onB = await openSse(`${b.url}/api/realtime/stream`, otherAuth)
    await onB.next((m) => m.event === 'ready')
    const changed = await a.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: user.auth,
      payload: { currentPassword: 'first password 1', newPassword: 'second password 2' },
    })
    expect(changed.statusCode, changed.body).toBe(200)
    await onB.ended
    expect(onB.messages.find((m) => m.event === 'close')?.json).toEqual({ reason: 'password_changed' })
    for (const app of [a.app, b.app]) {
      for (const auth of [otherAuth, user.auth]) {
        const refused = await me(app, auth)
        expect(refused.statusCode).toBe(401)
        expect((refused.json() as { error: { code: string } }).error.code).toBe('token_revoked')
      }
      expect((await me(app, { authorization: `Bearer ${changed.json().token}` })).statusCode).toBe(200)
    }
  })

  it('account deletion closes streams, stops API keys and sessions everywhere; writes answer 401, not 500', async () => {
    const owner = await userWithKey(a.app)
    const onB = await openSse(`${b.url}/api/realtime/stream`, owner.auth)
    await onB.next((m) => m.event === 'ready')
    // Warm B's caches: its principal and its API key.
    expect((await me(b.app, owner.auth)).statusCode).toBe(200)
    expect((await b.app.inject({ method: 'GET', url: '/v1/models', headers: owner.v1 })).statusCode).toBe(200)
    expect((await a.app.inject({ method: 'DELETE', url: '/api/me', headers: owner.auth })).statusCode).toBe(200)
    await onB.ended
    expect(onB.messages.find((m) => m.event === 'close')?.json).toEqual({ reason: 'account_deleted' })
    for (const app of [a.app, b.app]) {
      expect((await me(app, owner.auth)).statusCode).toBe(401)
      expect((await app.inject({ method: 'GET', url: '/v1/models', headers: owner.v1 })).statusCode).toBe(401)
      const write = await app.inject({
        method: 'POST',
        url: '/api/keys',
        headers: owner.auth,
        payload: { name: 'after deletion' },
      })
      expect(write.statusCode).toBe(401)
      const chat = await app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: owner.v1,
        payload: { model: 'default', messages: [{ role: 'user', content: 'hi' }] },
      })
      expect(chat.statusCode).toBe(401)
    }
  })

  it('a revoked API key is refused by the other process without waiting for its cache', async () => {
    const owner = await userWithKey(a.app)
    expect((await b.app.inject({ method: 'GET', url: '/v1/models', headers: owner.v1 })).statusCode).toBe(200)
    expect(
      (await a.app.inject({ method: 'DELETE', url: `/api/keys/${owner.key.id}`, headers: owner.auth })).statusCode,
    ).toBe(200)
    // The event arrives through LISTEN within milliseconds; the cache would keep the key for 30 s.
    let status = 200
    for (let i = 0; i < 100 && status === 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      status = (await b.app.inject({ method: 'GET', url: '/v1/models', headers: owner.v1 })).statusCode
    }
    expect(status).toBe(401)
  })
})
