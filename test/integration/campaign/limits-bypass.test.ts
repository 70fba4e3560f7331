import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../../src/simulator/index.ts'
import { errorOf, signUp, startTestApp, uniqueEmail } from '../../helpers/app.ts'
import { BACKENDS } from '../../helpers/backends.ts'
import { startGatewayApp, type GatewayTestApp } from '../../helpers/gateway.ts'
import { eventually } from '../../helpers/sse.ts'
import { growthAnswers } from '../../helpers/growth.ts'

/**
 * The limit and budget part of the reliability campaign (issue 17, docs/RELIABILITY.md): ways a
 * caller might try to get more than their share. Promise: a user's limits and budgets are the
 * user's, whatever email spelling, however many API keys, streaming or not, concurrently or not.
 * (Login and sign-up throttles across email variants and processes: test/integration/auth/throttle.test.ts;
 * rate limits across two processes: test/integration/main/multiprocess.test.ts.)
 */
const PER_MINUTE = 4
const GROWTH = growthAnswers()
const KEYS = 5

describe.skipIf(BACKENDS.length === 0)('limit and budget bypass attempts', () => {
  const backend = BACKENDS.includes('postgres') ? 'postgres' : 'pglite'
  let sim: Simulator
  let t: GatewayTestApp
  const tally = { attempts: 0, refused: 0 }

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    t = await startGatewayApp(backend, {
      ...sim.env(['openai']),
      AI_PROVIDER: 'openai',
      AI_LIMITS_ENABLED: 'true',
      AI_RATE_LIMITS: JSON.stringify({ free: { perMinute: PER_MINUTE, perHour: 1000, perDay: 1000 } }),
      // Premium users: no tight rate limit, a tiny daily budget (one call's cost passes it).
      AI_BUDGETS: JSON.stringify({ user: { premium: { dailyUsd: 0.0000001 } } }),
    })
  })
  afterAll(async () => {
    console.warn(
      `[campaign] limits on ${backend}: ${tally.attempts} bypass attempts beyond a limit, ${tally.refused} refused`,
    )
    await t?.close()
    await sim?.close()
  })

  const keysOf = async (auth: Record<string, string>, n: number) => {
    const keys: Array<Record<string, string>> = []
    for (let i = 0; i < n; i++) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/keys',
        headers: auth,
        payload: { name: `k${i}` },
      })
      expect(created.statusCode).toBe(201)
      keys.push({ authorization: `Bearer ${(created.json() as { key: string }).key}` })
    }
    return keys
  }
  const chat = (headers: Record<string, string>, stream = false) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers,
      payload: { model: 'default', messages: [{ role: 'user', content: 'One growth tip.' }], stream },
    })

  it('one account per email whatever its spelling: case and spaces do not make a second account', async () => {
    const email = uniqueEmail('Case.Variant')
    await signUp(t.app, { email })
    for (const variant of [email.toLowerCase(), email.toUpperCase(), ` ${email} `, `${email}	`]) {
      const again = await t.app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email: variant, password: 'another password 1' },
      })
      tally.attempts += 1
      expect(again.statusCode, variant).toBeGreaterThanOrEqual(400)
      expect(again.statusCode, variant).toBeLessThan(500)
      if (again.statusCode >= 400) tally.refused += 1
    }
    const [row] = await t.container.db.query<{ n: number }>(
      'select count(*)::int as n from users where lower(email) = $1',
      [email.toLowerCase()],
    )
    expect(row!.n).toBe(1)
  })

  it('many API keys of one user share the user’s rate limit, one after another and all at once', async () => {
    const user = await signUp(t.app)
    const keys = await keysOf(user.auth, KEYS)
    const statuses: number[] = []
    for (let i = 0; i < PER_MINUTE * 3; i++) statuses.push((await chat(keys[i % KEYS]!, i % 2 === 1)).statusCode)
    expect(statuses.filter((s) => s === 200)).toHaveLength(PER_MINUTE)
    expect(statuses.filter((s) => s === 429)).toHaveLength(PER_MINUTE * 2)
    tally.attempts += PER_MINUTE * 2
    tally.refused += statuses.filter((s) => s === 429).length

    // All at once, a fresh user: concurrency across keys does not overshoot either.
    const burst = await signUp(t.app)
    const burstKeys = await keysOf(burst.auth, KEYS)
    const answers = await Promise.all(
      Array.from({ length: PER_MINUTE * 4 }, (_, i) => chat(burstKeys[i % KEYS]!, i % 3 === 0)),
    )
    const ok = answers.filter((r) => r.statusCode === 200).length
    expect(ok).toBeLessThanOrEqual(PER_MINUTE)
    expect(answers.every((r) => r.statusCode === 200 || r.statusCode === 429)).toBe(true)
    tally.attempts += PER_MINUTE * 3
    tally.refused += answers.length - ok
  })

  it('a user’s budget stops every key of theirs, streams included, and their features fall back to rules: no upstream call after it', async () => {
    const user = await signUp(t.app)
    await t.container.db.query(`update users set tier = 'premium' where id = $1`, [user.user.id])
    const keys = await keysOf(user.auth, KEYS)
    // The first call spends past the budget; once the ledger has it, the next call is refused.
    expect((await chat(keys[0]!)).statusCode).toBe(200)
    await eventually(
      async () => ((await chat(keys[0]!)).statusCode === 200 ? undefined : true),
      10_000,
      'the budget to refuse',
    )
    const upstreamBefore = sim.stats().total
    for (const key of keys) {
      for (const stream of [false, true]) {
        const refused = await chat(key, stream)
        tally.attempts += 1
        expect(refused.statusCode, refused.body).not.toBe(200)
        expect(refused.statusCode).toBeLessThan(500)
        if (!stream) expect(errorOf(refused).error.code).toMatch(/budget/)
        tally.refused += 1
      }
    }
    // The session's AI features: answered by the rules engine, not by a paid call.
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/growth-assessment', headers: user.auth, payload: GROWTH }))
        .statusCode,
    ).toBe(201)
    const insights = await t.app.inject({
      method: 'POST',
      url: '/api/growthAssessment/getInsights',
      headers: user.auth,
      payload: {},
    })
    tally.attempts += 1
    expect(insights.statusCode, insights.body).toBeLessThan(500)
    if (insights.statusCode === 200) expect((insights.json() as { provider: string }).provider).toBe('rules')
    tally.refused += 1
    expect(sim.stats().total, 'no upstream call once the budget is spent').toBe(upstreamBefore)
  })

  it('X-Forwarded-For does not escape the per-address sign-up throttle; with TRUST_PROXY it names the client behind the proxy', async () => {
    const signup = (app: GatewayTestApp['app'], forwardedFor: string) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        remoteAddress: '10.9.9.9', // the proxy, or a client on its own
        headers: { 'x-forwarded-for': forwardedFor },
        payload: { email: uniqueEmail('xff'), password: 'correct horse battery' },
      })
    const direct = await startTestApp(backend, { AUTH_SIGNUPS_PER_ADDRESS_PER_HOUR: '2' })
    const proxied = await startTestApp(backend, { AUTH_SIGNUPS_PER_ADDRESS_PER_HOUR: '2', TRUST_PROXY: '1' })
    try {
      // No proxy trusted: a forged header per request changes nothing, the socket's address counts.
      const spoofed = []
      for (let i = 0; i < 4; i++) spoofed.push((await signup(direct.app, `198.51.100.${i}`)).statusCode)
      expect(spoofed).toEqual([201, 201, 429, 429])
      tally.attempts += 2
      tally.refused += 2
      // One trusted hop: clients behind the proxy are counted apart, each on its own.
      const clients = []
      for (let i = 0; i < 4; i++) clients.push((await signup(proxied.app, `198.51.100.${i}`)).statusCode)
      expect(clients).toEqual([201, 201, 201, 201])
      const one = []
      for (let i = 0; i < 3; i++) one.push((await signup(proxied.app, '203.0.113.7')).statusCode)
      expect(one).toEqual([201, 201, 429])
      tally.attempts += 1
      tally.refused += 1
    } finally {
      await direct.close()
      await proxied.close()
    }
  })

  it('a stream’s cost counts against the budget: once a stream has spent it, every key is refused', async () => {
    const user = await signUp(t.app)
    await t.container.db.query(`update users set tier = 'premium' where id = $1`, [user.user.id])
    const [first, second] = await keysOf(user.auth, 2)
    const streamed = await chat(first!, true)
    expect(streamed.statusCode).toBe(200)
    expect(streamed.body).toContain('data: [DONE]')
    // Only the stream has spent anything: its settled cost must be what stops the next call.
    await eventually(
      async () => ((await chat(second!)).statusCode === 200 ? undefined : true),
      10_000,
      'the budget to refuse after a stream',
    )
    // And the ledger holds the stream's real cost (written off the hot path, in batches).
    const settled = await eventually(
      async () =>
        (
          await t.container.db.query<{ cost: string }>(
            'select cost_usd::text as cost from ai_log where user_id = $1 and cost_usd > 0',
            [user.user.id],
          )
        )[0],
      10_000,
      'the stream’s cost in the ledger',
    )
    expect(Number(settled.cost)).toBeGreaterThan(0)
    tally.attempts += 1
    tally.refused += 1
  })

  // A stream its reader cancels part-way is settled with its estimated cost (the budget still counts
  // it): test/integration/gateway/v1-streams.test.ts, 'settles a cancelled stream with its estimated cost'.
})
