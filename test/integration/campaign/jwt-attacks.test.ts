import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto'
import { decodeJwt, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorOf, signUp, startTestApp, type TestApp } from '../../helpers/app.ts'
import { BACKENDS } from '../../helpers/backends.ts'

/**
 * The token part of the reliability campaign (issue 17, docs/RELIABILITY.md): forged, expired,
 * re-signed and tampered session tokens, in the header and in the session cookie, on a user route
 * and an admin route. Promise: every one answers 401 in the documented error shape, and a genuine
 * token still answers 200 (so the refusals are not an accident of the route).
 */
const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789'
const SUPABASE_SECRET = 'supabase-secret-that-is-long-enough-for-hs256-9876543210'
const enc = (text: string) => new TextEncoder().encode(text)
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
/** HS256 by hand, for headers jose refuses to sign (an unknown `crit`). */
const rawHs256 = (header: unknown, payload: unknown, key: string) => {
  const input = `${b64(header)}.${b64(payload)}`
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`
}

describe.skipIf(BACKENDS.length === 0)('JWT attacks', () => {
  const backend = BACKENDS.includes('postgres') ? 'postgres' : 'pglite'
  let t: TestApp
  let user: Awaited<ReturnType<typeof signUp>>
  let other: Awaited<ReturnType<typeof signUp>>
  let tally = 0

  beforeAll(async () => {
    t = await startTestApp(backend, { SUPABASE_JWT_SECRET: SUPABASE_SECRET })
    user = await signUp(t.app)
    other = await signUp(t.app)
  })
  afterAll(async () => {
    console.warn(`[campaign] jwt on ${backend}: ${tally} forged tokens tried, all refused 401`)
    await t?.close()
  })

  const now = () => Math.floor(Date.now() / 1000)
  const claims = (extra: Record<string, unknown> = {}) => ({
    sub: user.user.id,
    email: user.user.email,
    role: 'user',
    tier: 'free',
    iss: 'optimaliq',
    iat: now(),
    exp: now() + 3600,
    jti: randomUUID(),
    ...extra,
  })
  const hs = async (
    payload: Record<string, unknown>,
    key = SECRET,
    alg = 'HS256',
    header: Record<string, unknown> = {},
  ) => new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT', ...header }).sign(enc(key))
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const drop = (key: string) => {
    const c: Record<string, unknown> = claims()
    delete c[key]
    return c
  }

  /** Every forged token, named. */
  const forgeries = async (): Promise<Array<[string, string]>> => {
    const genuine = user.token
    const [header, , signature] = genuine.split('.')
    const original = decodeJwt(genuine)
    return [
      ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
      ['alg None, signature kept', `${b64({ alg: 'None', typ: 'JWT' })}.${b64(claims())}.${signature}`],
      ['alg none, admin role', `${b64({ alg: 'none' })}.${b64(claims({ role: 'admin' }))}.`],
      [
        'RS256 with an attacker key',
        await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey),
      ],
      [
        'ES256 with an attacker key',
        await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey),
      ],
      ['HS256 keyed with an RSA public key (confusion)', await hs(claims(), publicPem)],
      [
        'RS256 header over an HS256 signature',
        `${b64({ alg: 'RS256', typ: 'JWT' })}.${genuine.split('.')[1]}.${signature}`,
      ],
      ['HS512 with the right secret (algorithm pinned)', await hs(claims(), SECRET, 'HS512')],
      ['HS384 with the right secret', await hs(claims(), SECRET, 'HS384')],
      ['expired', await hs(claims({ iat: now() - 7200, exp: now() - 3600 }))],
      ['expired by a second', await hs(claims({ exp: now() - 1 }))],
      ['not valid before the future', await hs(claims({ nbf: now() + 3600 }))],
      ['wrong issuer', await hs(claims({ iss: 'evil' }))],
      ['no issuer', await hs(drop('iss'))],
      ['no expiry', await hs(drop('exp'))],
      ['no jti', await hs(drop('jti'))],
      ['no subject', await hs(drop('sub'))],
      ['subject of no user', await hs(claims({ sub: randomUUID() }))],
      ['subject not a uuid', await hs(claims({ sub: "' or 1=1 --" }))],
      ['wrong secret', await hs(claims(), 'another-secret-that-is-long-enough-for-hs256-000')],
      ['empty secret prefix', await hs(claims(), SECRET.slice(0, 31))],
      [
        'tampered subject (another user), signature kept',
        `${header}.${b64({ ...original, sub: other.user.id })}.${signature}`,
      ],
      ['tampered role admin, signature kept', `${header}.${b64({ ...original, role: 'admin' })}.${signature}`],
      ['tampered expiry, signature kept', `${header}.${b64({ ...original, exp: now() + 10 ** 9 })}.${signature}`],
      ['signature stripped', `${header}.${genuine.split('.')[1]}.`],
      ['signature of another token', `${header}.${genuine.split('.')[1]}.${other.token.split('.')[2]}`],
      [
        'kid/jku pointing elsewhere',
        await hs(claims(), 'attacker-secret-long-enough-for-hs256-0000000', 'HS256', {
          jku: 'http://127.0.0.1:1/jwks',
          kid: '../../dev/null',
        }),
      ],
      [
        'unknown crit header, right secret',
        rawHs256({ alg: 'HS256', typ: 'JWT', crit: ['x-evil'], 'x-evil': 1 }, claims(), SECRET),
      ],
      // The Supabase path (SUPABASE_JWT_SECRET): its own audience, its own rules.
      ['Supabase secret, wrong audience', await hs(claims({ aud: 'anon' }), SUPABASE_SECRET)],
      ['Supabase secret, no audience', await hs(claims(), SUPABASE_SECRET)],
      ['Supabase secret, expired', await hs(claims({ aud: 'authenticated', exp: now() - 10 }), SUPABASE_SECRET)],
      ['Supabase audience with an attacker secret', await hs(claims({ aud: 'authenticated' }), 'x'.repeat(40))],
      ['garbage', 'not.a.token'],
      ['two parts', `${header}.${genuine.split('.')[1]}`],
      ['huge', `${header}.${'A'.repeat(20_000)}.${signature}`],
      ['JSON instead of a JWT', encodeURIComponent(JSON.stringify(claims()))],
    ]
  }

  it('a genuine token is accepted (the control)', async () => {
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: user.auth })
    expect(me.statusCode).toBe(200)
    const supabase = await hs(claims({ aud: 'authenticated', iss: 'supabase' }), SUPABASE_SECRET)
    const viaSupabase = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { authorization: `Bearer ${supabase}` },
    })
    expect(viaSupabase.statusCode, viaSupabase.body).toBe(200)
  })

  it('refuses every forged token with 401, in the header and in the cookie, on user and admin routes', async () => {
    const refusedWrongly: string[] = []
    for (const [name, token] of await forgeries()) {
      for (const url of ['/api/auth/me', '/api/profile', '/api/admin/users']) {
        for (const headers of [{ authorization: `Bearer ${token}` }, { cookie: `optimaliq_token=${token}` }]) {
          const response = await t.app.inject({ method: 'GET', url, headers })
          tally += 1
          const shaped = response.statusCode === 401 && typeof errorOf(response).error?.code === 'string'
          if (!shaped) refusedWrongly.push(`${name} ${url} ${Object.keys(headers)[0]} → ${response.statusCode}`)
          expect(response.body).not.toContain(user.user.email)
        }
      }
    }
    expect(refusedWrongly).toEqual([])
  })

  it('a Supabase token claiming admin is still a user: the role comes from our database', async () => {
    const token = await hs(claims({ aud: 'authenticated', role: 'admin' }), SUPABASE_SECRET)
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/admin/users',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.statusCode).toBe(403)
  })

  it('refuses a token after its logout and after its account is deleted', async () => {
    const gone = await signUp(t.app)
    const out = await signUp(t.app)
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: out.auth })).statusCode,
    ).toBeLessThan(300)
    expect((await t.app.inject({ method: 'DELETE', url: '/api/me', headers: gone.auth })).statusCode).toBeLessThan(300)
    for (const auth of [out.auth, gone.auth]) {
      const response = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: auth })
      tally += 1
      expect(response.statusCode).toBe(401)
    }
  })
})
