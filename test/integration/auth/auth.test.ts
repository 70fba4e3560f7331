import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeBackends } from '../../helpers/backends.ts'
import { errorOf, signUp, startTestApp, uniqueEmail, type TestApp } from '../../helpers/app.ts'

const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789'
const SUPABASE_SECRET = 'supabase-project-jwt-secret-0123456789abcdef'

describeBackends('auth and HTTP contract', (backend) => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp(backend, {
      OPTIMALIQ_ADMIN_EMAILS: 'boss@example.com',
      SUPABASE_JWT_SECRET: SUPABASE_SECRET,
      BODY_LIMIT_BYTES: '4096',
    })
  })
  afterAll(() => t?.close())

  it('signs up, logs in, reads me and logs out', async () => {
    const email = uniqueEmail('flow')
    const signup = await t.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email, password: 'correct horse battery', name: 'Ada', industry: 'Retail' },
    })
    expect(signup.statusCode).toBe(201)
    const body = signup.json()
    expect(body.user).toMatchObject({ email, name: 'Ada', role: 'user', tier: 'free' })
    expect(signup.headers['set-cookie']).toMatch(/optimaliq_token=.+HttpOnly/i)

    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: email.toUpperCase(), password: 'correct horse battery' },
    })
    expect(login.statusCode).toBe(200)
    const token = login.json().token as string

    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } })
    expect(me.statusCode).toBe(200)
    expect(me.json().user).toMatchObject({ id: body.user.id, email })

    // The cookie alone authenticates a browser.
    const viaCookie = await t.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { optimaliq_token: token } })
    expect(viaCookie.statusCode).toBe(200)

    const profile = await t.app.inject({
      method: 'GET',
      url: '/api/profile',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(profile.json()).toMatchObject({ userId: body.user.id, industry: 'Retail', overallScore: null })

    const logout = await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(logout.statusCode).toBe(204)
    const after = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(after.statusCode).toBe(401)
    expect(errorOf(after).error.code).toBe('token_revoked')
  })

  it('refuses a wrong password and an unknown email alike', async () => {
    const { user } = await signUp(t.app)
    for (const payload of [
      { email: user.email, password: 'wrong password' },
      { email: uniqueEmail('nobody'), password: 'whatever123' },
    ]) {
      const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload })
      expect(response.statusCode).toBe(401)
      expect(errorOf(response).error.code).toBe('invalid_credentials')
    }
  })

  it('refuses a duplicate email, whatever its case', async () => {
    const { user } = await signUp(t.app)
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: user.email.toUpperCase(), password: 'another password' },
    })
    expect(response.statusCode).toBe(409)
    expect(errorOf(response).error.code).toBe('email_taken')
  })

  it('names every bad field, and refuses malformed JSON and oversized bodies', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: 'not-an-email', password: 42, extra: true },
    })
    expect(bad.statusCode).toBe(400)
    const error = errorOf(bad).error
    expect(error.code).toBe('validation_failed')
    expect(error.details?.map((d) => d.field).sort()).toEqual(['body.email', 'body.extra', 'body.password'])

    const missing = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'a@b.co' } })
    expect(missing.statusCode).toBe(400)
    expect(errorOf(missing).error.details?.map((d) => d.field)).toEqual(['body.password'])

    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    })
    expect(malformed.statusCode).toBe(400)
    expect(errorOf(malformed).error.code).toBe('invalid_json')

    const huge = await t.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: uniqueEmail(), password: 'x'.repeat(10_000) },
    })
    expect(huge.statusCode).toBe(413)
    expect(errorOf(huge).error.code).toBe('payload_too_large')
  })

  it('rejects tampered, expired, unsigned and foreign tokens', async () => {
    const { token, user } = await signUp(t.app)
    const [h, p, s] = token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${s}`
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`
    const key = new TextEncoder().encode(SECRET)
    const expired = await new SignJWT({ email: user.email })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer('optimaliq')
      .setJti('x')
      .setIssuedAt(1_000)
      .setExpirationTime(2_000)
      .sign(key)
    const otherKey = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer('optimaliq')
      .setJti('y')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(40)))
    const cases: Array<[string, string]> = [
      [tampered, 'invalid_token'],
      [none, 'invalid_token'],
      [expired, 'token_expired'],
      [otherKey, 'invalid_token'],
      ['garbage', 'invalid_token'],
    ]
    for (const [bad, code] of cases) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: { authorization: `Bearer ${bad}` },
      })
      expect(response.statusCode, bad).toBe(401)
      expect(errorOf(response).error.code).toBe(code)
    }
    const noToken = await t.app.inject({ method: 'GET', url: '/api/auth/me' })
    expect(noToken.statusCode).toBe(401)
    expect(errorOf(noToken).error.code).toBe('unauthorized')
  })

  it('accepts a Supabase-issued token and provisions the user', async () => {
    const id = crypto.randomUUID()
    const email = uniqueEmail('supa')
    const token = await new SignJWT({ email, role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(id)
      .setAudience('authenticated')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SUPABASE_SECRET))
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } })
    expect(me.statusCode).toBe(200)
    expect(me.json().user).toMatchObject({ id, email, role: 'user' })
  })

  it('keeps users out of admin routes and lets admins change role and tier, audited', async () => {
    const user = await signUp(t.app)
    const admin = await signUp(t.app, { email: 'boss@example.com' })
    expect(admin.user.role).toBe('admin')

    const forbidden = await t.app.inject({ method: 'GET', url: '/api/admin/users', headers: user.auth })
    expect(forbidden.statusCode).toBe(403)
    expect(errorOf(forbidden).error.code).toBe('forbidden')
    const forbiddenPatch = await t.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${user.user.id}`,
      headers: user.auth,
      payload: { tier: 'enterprise' },
    })
    expect(forbiddenPatch.statusCode).toBe(403)

    const list = await t.app.inject({
      method: 'GET',
      url: `/api/admin/users?q=${encodeURIComponent(user.user.email)}`,
      headers: admin.auth,
    })
    expect(list.statusCode).toBe(200)
    expect(list.json()).toMatchObject({ total: 1, users: [{ id: user.user.id }] })

    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${user.user.id}`,
      headers: admin.auth,
      payload: { tier: 'premium' },
    })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ id: user.user.id, tier: 'premium', role: 'user' })
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: user.auth })
    expect(me.json().user.tier).toBe('premium')
    const audit = await t.container.db.query<{ action: string; target: string }>(
      'select action, target from admin_audit_log where target = $1',
      [user.user.id],
    )
    expect(audit).toEqual([{ action: 'user.update', target: user.user.id }])

    const unknown = await t.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${crypto.randomUUID()}`,
      headers: admin.auth,
      payload: { role: 'admin' },
    })
    expect(unknown.statusCode).toBe(404)
    const badId = await t.app.inject({
      method: 'PATCH',
      url: '/api/admin/users/nope',
      headers: admin.auth,
      payload: { role: 'admin' },
    })
    expect(badId.statusCode).toBe(400)
    expect(errorOf(badId).error.details?.[0]?.field).toBe('params.id')
  })

  it('lets a user change only their own business fields', async () => {
    const a = await signUp(t.app)
    const ok = await t.app.inject({
      method: 'PATCH',
      url: '/api/profile',
      headers: a.auth,
      payload: { companyName: 'Acme', keyChallenges: ['hiring'] },
    })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ companyName: 'Acme', keyChallenges: ['hiring'] })
    for (const payload of [{ overallScore: 5 }, { role: 'admin' }, { tier: 'enterprise' }, {}]) {
      const response = await t.app.inject({ method: 'PATCH', url: '/api/profile', headers: a.auth, payload })
      expect(response.statusCode, JSON.stringify(payload)).toBe(400)
      expect(errorOf(response).error.code).toBe('validation_failed')
    }
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: a.auth })
    expect(me.json().user).toMatchObject({ role: 'user', tier: 'free' })
  })

  it('answers with x-request-id, security headers, a stable 404 and health endpoints', async () => {
    const given = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'trace-123' } })
    expect(given.statusCode).toBe(200)
    expect(given.headers['x-request-id']).toBe('trace-123')
    expect(given.headers['x-content-type-options']).toBe('nosniff')
    const missing = await t.app.inject({ method: 'GET', url: '/api/nothing-here' })
    expect(missing.statusCode).toBe(404)
    expect(errorOf(missing)).toMatchObject({ error: { code: 'not_found' }, requestId: missing.headers['x-request-id'] })
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.json()).toEqual({ status: 'ok', checks: { database: 'ok', migrations: 'ok' } })
    const openapi = await t.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(openapi.json().paths['/api/auth/signup'].post).toBeDefined()
  })
})

describe('500s', () => {
  it('never leak the cause', async () => {
    const { startTestApp: start } = await import('../../helpers/app.ts')
    const t = await start('pglite')
    try {
      await t.container.db.exec('drop table revoked_tokens cascade')
      const { token } = await signUp(t.app)
      const response = await t.app.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: { authorization: `Bearer ${token}` },
      })
      expect(response.statusCode).toBe(500)
      expect(response.json()).toEqual({
        error: { code: 'internal_error', message: 'Internal server error' },
        requestId: response.headers['x-request-id'],
      })
      expect(response.body).not.toMatch(/revoked_tokens|select|at /)
    } finally {
      await t.close()
    }
    // It starts its own PGlite app (init and every migration) inside the test: on a loaded
    // machine that alone took more than the default 30 s.
  }, 120_000)
})
