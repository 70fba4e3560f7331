import { afterAll, beforeAll, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../../src/data/db.ts'
import { buildApp } from '../../../src/http/app.ts'
import type { App } from '../../../src/http/types.ts'
import { createContainer, type Container } from '../../../src/main/container.ts'
import { errorOf, startTestApp, uniqueEmail, type TestApp } from '../../helpers/app.ts'
import { describeBackends, testConfig } from '../../helpers/backends.ts'

/**
 * Issue 17, class 1: login and sign-up are throttled per account (lower-cased email) and per
 * address, in the limiter's shared counters (so a second process sees the same counts), with
 * 429 + Retry-After, and refusals are audited.
 */
const ENV = {
  AUTH_LOGIN_BACKOFF_FAILURES: '4',
  AUTH_LOGIN_LOCK_FAILURES: '6',
  AUTH_LOGIN_ADDRESS_FAILURES: '12',
  AUTH_SIGNUPS_PER_ADDRESS_PER_HOUR: '3',
}

describeBackends('login and sign-up throttling', (backend) => {
  let t: TestApp
  // A second process on the same database: its own container, counter pool and caches.
  let second: { app: App; container: Container; db: Database | undefined }

  beforeAll(async () => {
    t = await startTestApp(backend, ENV)
    const db = t.database.url ? await openDatabase({ kind: 'postgres', url: t.database.url, poolSize: 4 }) : undefined
    const container = await createContainer(testConfig(ENV), { db: db ?? t.database.db, migrate: false })
    const app = await buildApp(container)
    await app.ready()
    second = { app, container, db }
  })
  afterAll(async () => {
    await second?.app.close()
    await second?.container.close()
    await second?.db?.close()
    await t?.close()
  })

  const signup = (app: App, email: string, address: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      remoteAddress: address,
      payload: { email, password: 'the right password' },
    })
  const login = (app: App, email: string, password: string, address: string) =>
    app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: address, payload: { email, password } })

  it('backs off after a few failures on an account, across processes and email case variants; the right password is refused too', async () => {
    const email = uniqueEmail('victim')
    expect((await signup(t.app, email, '10.0.0.1')).statusCode).toBe(201)
    const variants = [email, email.toUpperCase(), ` ${email} `, email.replace(/^v/, 'V')]
    const statuses: number[] = []
    for (let i = 0; i < 40; i++) {
      const app = i % 2 === 0 ? t.app : second.app
      statuses.push((await login(app, variants[i % variants.length]!, `wrong ${i}`, `10.1.0.${i}`)).statusCode)
    }
    // Four failures are answered 401; everything after is refused without checking the password.
    expect(statuses.filter((s) => s === 401)).toHaveLength(4)
    expect(statuses.slice(4).every((s) => s === 429)).toBe(true)
    const right = await login(second.app, email, 'the right password', '10.2.0.1')
    expect(right.statusCode).toBe(429)
    expect(errorOf(right).error.code).toBe('too_many_attempts')
    const retryAfter = Number(right.headers['retry-after'])
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    // Another account from the same addresses is not affected.
    const other = uniqueEmail('bystander')
    expect((await signup(t.app, other, '10.0.0.2')).statusCode).toBe(201)
    expect((await login(t.app, other, 'the right password', '10.1.0.3')).statusCode).toBe(200)
  })

  it('counts only failures: a right password gives its attempt back', async () => {
    const email = uniqueEmail('regular')
    expect((await signup(t.app, email, '10.3.0.1')).statusCode).toBe(201)
    for (let i = 0; i < 12; i++)
      expect((await login(i % 2 ? t.app : second.app, email, 'the right password', '10.3.0.1')).statusCode).toBe(200)
  })

  it('locks an account after the lock count even when the backoff window has room again', async () => {
    // A process configured with no backoff, on the same database.
    const container = await createContainer(testConfig({ ...ENV, AUTH_LOGIN_BACKOFF_FAILURES: '1000' }), {
      db: t.database.db,
      migrate: false,
    })
    const app = await buildApp(container)
    try {
      const email = uniqueEmail('locked')
      expect((await signup(app, email, '10.4.0.1')).statusCode).toBe(201)
      const statuses: number[] = []
      for (let i = 0; i < 10; i++) statuses.push((await login(app, email, 'wrong', `10.5.0.${i}`)).statusCode)
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429, 429, 429])
      const right = await login(app, email, 'the right password', '10.6.0.1')
      expect(right.statusCode).toBe(429)
      expect(Number(right.headers['retry-after'])).toBeGreaterThan(60)
      const audit = await t.database.db.query<{ action: string; target: string }>(
        "select action, target from admin_audit_log where action like 'auth.%'",
      )
      expect(audit).toContainEqual({ action: 'auth.login_locked', target: email.toLowerCase() })
    } finally {
      await app.close()
      await container.close()
    }
  })

  it('limits failures per address across accounts', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 16; i++)
      statuses.push((await login(i % 2 ? t.app : second.app, uniqueEmail(`spray${i}`), 'wrong', '10.7.0.1')).statusCode)
    expect(statuses.filter((s) => s === 401)).toHaveLength(12)
    expect(statuses.slice(12)).toEqual([429, 429, 429, 429])
  })

  it('limits sign-ups per address, across processes, and audits the refusal', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 6; i++)
      statuses.push((await signup(i % 2 ? t.app : second.app, uniqueEmail('bulk'), '10.8.0.1')).statusCode)
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429])
    const audit = await t.database.db.query<{ n: number }>(
      "select count(*)::int as n from admin_audit_log where action = 'auth.signup_throttled'",
    )
    expect(audit[0]!.n).toBeGreaterThanOrEqual(1)
    // Another address may still sign up.
    expect((await signup(t.app, uniqueEmail('fresh'), '10.8.0.2')).statusCode).toBe(201)
  })
})
