import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBackends } from '../../helpers/backends.ts'
import { errorOf, signUp, startTestApp, type TestApp } from '../../helpers/app.ts'

describeBackends('change password', (backend) => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp(backend)
  })
  afterAll(() => t?.close())

  const change = (token: string, payload: unknown) =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { authorization: `Bearer ${token}` },
      payload: payload as Record<string, unknown>,
    })
  const login = (email: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } })

  it('changes the password when the current one is right: the new one signs in, the old one no longer', async () => {
    const { user, token } = await signUp(t.app, { password: 'first password 1' })
    const response = await change(token, { currentPassword: 'first password 1', newPassword: 'second password 2' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ changed: true, user: { id: user.id }, token: expect.any(String) })
    expect((await login(user.email, 'second password 2')).statusCode).toBe(200)
    expect((await login(user.email, 'first password 1')).statusCode).toBe(401)
  })

  const me = (token: string) =>
    t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } })

  it('ends every other session: tokens issued before the change are refused; the session that changed it goes on with a new token (also the cookie)', async () => {
    const { user, token } = await signUp(t.app, { password: 'first password 1' })
    const laptop = (await login(user.email, 'first password 1')).json().token as string
    const phone = (await login(user.email, 'first password 1')).json().token as string
    // Cached principals must not keep them alive: each was used once before the change.
    for (const tk of [token, laptop, phone]) expect((await me(tk)).statusCode).toBe(200)
    const response = await change(laptop, { currentPassword: 'first password 1', newPassword: 'second password 2' })
    expect(response.statusCode, response.body).toBe(200)
    const fresh = response.json().token as string
    expect(fresh).not.toBe(laptop)
    expect(response.cookies.find((c) => c.name === 'optimaliq_token')?.value).toBe(fresh)
    for (const old of [token, laptop, phone]) {
      const refused = await me(old)
      expect(refused.statusCode).toBe(401)
      expect(errorOf(refused).error.code).toBe('token_revoked')
    }
    expect((await me(fresh)).statusCode).toBe(200)
    // A session begun after the change works.
    const later = (await login(user.email, 'second password 2')).json().token as string
    expect((await me(later)).statusCode).toBe(200)
  })

  it('refuses a wrong current password under currentPassword (400, not 401) and changes nothing', async () => {
    const { user, token } = await signUp(t.app, { password: 'first password 1' })
    const response = await change(token, { currentPassword: 'not my password', newPassword: 'second password 2' })
    expect(response.statusCode).toBe(400)
    const { error } = errorOf(response)
    expect(error.code).toBe('validation_failed')
    expect(error.details).toEqual([expect.objectContaining({ field: 'body.currentPassword', code: 'wrong_password' })])
    expect((await login(user.email, 'first password 1')).statusCode).toBe(200)
  })

  it('checks the new password with the sign-up rules and refuses the same one', async () => {
    const { token } = await signUp(t.app, { password: 'first password 1' })
    const short = await change(token, { currentPassword: 'first password 1', newPassword: 'short' })
    expect(short.statusCode).toBe(400)
    expect(JSON.stringify(errorOf(short).error.details)).toMatch(/newPassword/)
    const same = await change(token, { currentPassword: 'first password 1', newPassword: 'first password 1' })
    expect(same.statusCode).toBe(400)
    expect(JSON.stringify(errorOf(same).error.details)).toMatch(/newPassword/)
  })

  it('counts wrong current passwords like failed logins: a stolen session cannot guess faster (429, then even the right one waits)', async () => {
    const { user, token } = await signUp(t.app, { password: 'first password 1' })
    const statuses: number[] = []
    for (let i = 0; i < 7; i++)
      statuses.push(
        (await change(token, { currentPassword: `guess ${i} wrong`, newPassword: 'second password 2' })).statusCode,
      )
    // Five wrong guesses a minute (AUTH_LOGIN_BACKOFF_FAILURES' default), then the account backs off.
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400])
    expect(statuses.slice(5)).toEqual([429, 429])
    const right = await change(token, { currentPassword: 'first password 1', newPassword: 'second password 2' })
    expect(right.statusCode).toBe(429)
    expect(right.headers['retry-after']).toBeDefined()
    // The same counter as logins: signing in with the right password waits too.
    expect((await login(user.email, 'first password 1')).statusCode).toBe(429)
  })

  it('requires a session', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: 'a', newPassword: 'second password 2' },
    })
    expect(response.statusCode).toBe(401)
  })
})
