import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../../src/simulator/index.ts'
import { findInputProblem } from '../../../src/http/plugins/sanitize.ts'
import { errorOf, signUp, uniqueEmail } from '../../helpers/app.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'

/**
 * Issue 17, class 2 and 7: input the database or a provider would choke on is a 400 naming the
 * field on every route (before any upstream call on /v1); framework errors keep the documented
 * error shape; every answer carries the security headers.
 */
describeBackends('input sanitising, error shape and headers', (backend) => {
  let sim: Simulator
  let t: GatewayTestApp
  let user: Awaited<ReturnType<typeof userWithKey>>
  let admin: Awaited<ReturnType<typeof signUp>>

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    t = await startGatewayApp(backend, { ...sim.env(['openai']), AI_PROVIDER: 'openai', AI_MAX_RETRIES: '0' })
    user = await userWithKey(t.app)
    admin = await signUp(t.app, { email: 'admin@example.com' })
  })
  afterAll(async () => {
    await t?.close()
    await sim?.close()
  })

  const expectField = (response: { statusCode: number; body: string }, field: string) => {
    expect(response.statusCode, response.body).toBe(400)
    const body = JSON.parse(response.body) as { error: { code: string; details?: Array<{ field: string }> } }
    expect(body.error.code).toBe('validation_failed')
    expect(body.error.details?.[0]?.field).toBe(field)
  }

  it('refuses NUL and lone surrogates in sign-up and login with a 400 naming the field', async () => {
    expectField(
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email: uniqueEmail(), password: 'pass\u0000word-long-enough' },
      }),
      'body.password',
    )
    expectField(
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        payload: `{"email":"${uniqueEmail()}","password":"long enough \\ud800 x"}`,
        headers: { 'content-type': 'application/json' },
      }),
      'body.password',
    )
    expectField(
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'a\u0000@example.com', password: 'whatever-password' },
      }),
      'body.email',
    )
    expectField(
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: `{"email":"x@example.com","password":"\\udfff"}`,
        headers: { 'content-type': 'application/json' },
      }),
      'body.password',
    )
  })

  it('keeps tab and newline in free text but refuses them in single-line fields and the query', async () => {
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: uniqueEmail(), password: 'line one\nline\ttwo', name: 'Ada' },
    })
    expect(ok.statusCode, ok.body).toBe(201)
    expectField(
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email: `${uniqueEmail()}\r\n`, password: 'long enough pass' },
      }),
      'body.email',
    )
    expectField(
      await t.app.inject({ method: 'GET', url: '/api/admin/users?limit=1%00', headers: admin.auth }),
      'querystring.limit',
    )
  })

  it('refuses a /v1 model name with NUL or CR/LF before any upstream call', async () => {
    sim.resetStats()
    for (const model of ['gpt-4o\u0000', 'default\r\nx-injected: 1', 'default\n']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: user.v1,
        payload: { model, messages: [{ role: 'user', content: 'hi' }] },
      })
      expect(response.statusCode, response.body).toBe(400)
      const body = response.json() as { error: { type: string; param: string | null; code: string } }
      expect(body.error).toMatchObject({
        type: 'invalid_request_error',
        param: 'model',
        code: 'validation_failed',
      })
    }
    expect(sim.stats().total).toBe(0)
    // Free text in a message keeps its newlines.
    const fine = await t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: user.v1,
      payload: { model: 'default', messages: [{ role: 'user', content: 'line 1\nline 2' }] },
    })
    expect(fine.statusCode, fine.body).toBe(200)
  })

  it('refuses out-of-range numbers: max_tokens 1e12, an alert threshold of 1e308, Infinity', async () => {
    sim.resetStats()
    const tokens = await t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: user.v1,
      payload: { model: 'default', max_tokens: 1e12, messages: [{ role: 'user', content: 'hi' }] },
    })
    expect(tokens.statusCode, tokens.body).toBe(400)
    expect((tokens.json() as { error: { param: string } }).error.param).toBe('max_tokens')
    expect(sim.stats().total).toBe(0)
    const rules = await t.app.inject({ method: 'GET', url: '/api/admin/alert-rules', headers: admin.auth })
    expect(rules.statusCode, rules.body).toBe(200)
    const rule = (rules.json() as { rules: Array<{ id: string }> }).rules[0]!
    for (const payload of ['{"threshold":1e308}', '{"threshold":1e400}', '{"threshold":1e9}']) {
      const response = await t.app.inject({
        method: 'PATCH',
        url: `/api/admin/alert-rules/${rule.id}`,
        headers: { ...admin.auth, 'content-type': 'application/json' },
        payload,
      })
      expectField(response, 'body.threshold')
    }
  })

  it('answers framework errors in the documented shape', async () => {
    const badEncoding = await t.app.inject({ method: 'GET', url: '/api/ai/tasks/%E0%A4%A', headers: user.auth })
    expect(badEncoding.statusCode).toBe(400)
    expect(errorOf(badEncoding).error.code).toBeTypeOf('string')
    expect(errorOf(badEncoding).requestId).toBeTypeOf('string')
    const longParam = await t.app.inject({
      method: 'GET',
      url: `/api/ai/tasks/${'a'.repeat(1000)}`,
      headers: user.auth,
    })
    expect(longParam.statusCode).toBeGreaterThanOrEqual(400)
    expect(longParam.statusCode).toBeLessThan(500)
    expect(errorOf(longParam).error.code).toBeTypeOf('string')
    const badJson = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    })
    expect(errorOf(badJson).error.code).toBe('invalid_json')
  })

  it('sets the security headers on every answer, /v1 and errors included', async () => {
    const answers = [
      await t.app.inject({ method: 'GET', url: '/v1/models', headers: user.v1 }),
      await t.app.inject({ method: 'GET', url: '/v1/models' }),
      await t.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: user.v1,
        payload: { model: 'default', messages: [{ role: 'user', content: 'hi' }] },
      }),
      await t.app.inject({ method: 'GET', url: '/api/nowhere' }),
      await t.app.inject({ method: 'GET', url: '/api/ai/tasks/%E0%A4%A' }),
      await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: user.auth }),
    ]
    for (const answer of answers) {
      expect(answer.headers['x-content-type-options'], answer.body).toBe('nosniff')
      expect(answer.headers['x-frame-options']).toBeDefined()
      expect(answer.headers['referrer-policy']).toBeDefined()
      expect(answer.headers['strict-transport-security']).toBeDefined()
    }
  })
})

describe('findInputProblem', () => {
  it('names the first bad field, keys included, and bounds depth', () => {
    expect(findInputProblem({ a: [{ b: 'ok' }, { c: 'x\u0007' }] }, 'body', { multiline: true })?.field).toBe(
      'body.a.1.c',
    )
    expect(findInputProblem({ ['k\u0000']: 1 }, 'body', { multiline: true })?.code).toBe('control_character')
    expect(findInputProblem({ text: '😀 fine\n' }, 'body', { multiline: true })).toBeUndefined()
    let deep: unknown = 'leaf'
    for (let i = 0; i < 100; i++) deep = { d: deep }
    expect(findInputProblem(deep, 'body', { multiline: true })?.code).toBe('too_deep')
    expect(findInputProblem({ n: Number.MAX_SAFE_INTEGER + 2 }, 'body', { multiline: true })?.code).toBe(
      'number_out_of_range',
    )
  })
})
