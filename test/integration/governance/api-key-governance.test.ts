import { sql } from 'drizzle-orm'
import { MockLanguageModelV3, convertArrayToReadableStream } from 'ai/test'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiKeyView } from '../../../src/contracts/api-keys.ts'
import { applyRevocation } from '../../../src/app/account/revocation.ts'
import { createAiClient } from '../../../src/gateway/client.ts'
import { effectiveKeySettings, modelAllowed, parseKeySettings } from '../../../src/governance/keys/policy.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { errorOf, signUp, startTestApp, type TestApp } from '../../helpers/app.ts'
import { flatCatalog, mockProviders } from '../../helpers/gateway.ts'

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
}
const model = new MockLanguageModelV3({
  doGenerate: async () => ({
    content: [{ type: 'text' as const, text: 'Raise prices for the top tier.' }],
    finishReason: { unified: 'stop' as const, raw: 'stop' },
    usage,
    warnings: [],
  }),
  doStream: async () => ({
    stream: convertArrayToReadableStream([
      { type: 'stream-start' as const, warnings: [] },
      { type: 'text-start' as const, id: '1' },
      { type: 'text-delta' as const, id: '1', delta: 'Raise ' },
      { type: 'text-delta' as const, id: '1', delta: 'prices.' },
      { type: 'text-end' as const, id: '1' },
      { type: 'finish' as const, finishReason: { unified: 'stop' as const, raw: 'stop' }, usage },
    ]),
  }),
})

/**
 * Per-key governance (issue 13 item 4) through the HTTP API: each key's limits, budgets (daily,
 * monthly; a stream cannot pass one), model allowlist, scopes, expiry and rotation under an
 * injected clock, an admin's overrides (audited), and `GET /api/keys` with usage and standing.
 * Each call costs $0.00002 (flat catalog: 10 input and 5 output tokens).
 */
describeBackends('per-key governance', (backend) => {
  let t: TestApp
  let now = Date.now()
  let baseURL: string

  beforeAll(async () => {
    t = await startTestApp(
      backend,
      {
        OPTIMALIQ_ADMIN_EMAILS: 'admin@example.com',
        AI_LEDGER_FLUSH_MS: '50',
        AI_LIMITS_ENABLED: 'false',
      },
      {
        ai: (deps) =>
          createAiClient({
            ...deps,
            providers: mockProviders({ openai: model }),
            catalog: flatCatalog,
            // Routes whose names and rules could lead around an allowlist.
            routes: {
              'gpt-premium': ['openai/o3'],
              premium: ['openai/o3'],
              fast: {
                strategy: 'ordered',
                candidates: ['openai/gpt-4.1-mini'],
                rules: [{ when: { metadata: { plan: ['pro'] } }, route: 'premium' }],
              },
              mixed: ['openai/o3', 'openai/gpt-4.1-mini'],
            },
          }),
        clock: () => new Date(now),
      },
    )
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    baseURL = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}/v1`
  })
  afterAll(() => t?.close())

  const createKey = async (auth: { authorization: string }, payload: Record<string, unknown>) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/keys', headers: auth, payload })
    expect(response.statusCode, response.body).toBe(201)
    return response.json() as { id: string; key: string; status: string; effective: Record<string, unknown> }
  }
  const chat = (key: string, payload: Record<string, unknown> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${key}` },
      payload: { model: 'default', messages: [{ role: 'user', content: 'One tip.' }], ...payload },
    })
  const listKeys = async (auth: { authorization: string }) => {
    const response = await t.app.inject({ method: 'GET', url: '/api/keys', headers: auth })
    expect(response.statusCode).toBe(200)
    return (response.json() as { keys: ApiKeyView[] }).keys
  }
  const flush = () => t.container.ai.ledger?.flush()

  it('creates keys with settings and refuses bad ones with the field at fault', async () => {
    const owner = await signUp(t.app)
    const bad = [
      [{ scopes: ['chat', 'bogus'] }, 'scopes'],
      [{ limits: { requestsPerMinute: 0 } }, 'limits'],
      [{ budgets: { dailyUsd: -1 } }, 'budgets'],
      [{ allowedModels: ['has space'] }, 'allowedModels'],
      [{ expiresAt: new Date(now - 1000).toISOString() }, 'expiresAt'],
      [{ expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ color: 'red' }, ''],
    ] as const
    for (const [payload, field] of bad) {
      const response = await t.app.inject({ method: 'POST', url: '/api/keys', headers: owner.auth, payload })
      expect(response.statusCode, JSON.stringify(payload)).toBe(400)
      const body = errorOf(response)
      expect(body.error.code).toBe('validation_failed')
      if (field) expect(JSON.stringify(body.error.details)).toContain(field)
    }
    const key = await createKey(owner.auth, {
      name: 'ci',
      scopes: ['chat'],
      allowedModels: ['default', 'openai/*'],
      limits: { requestsPerMinute: 100 },
      budgets: { dailyUsd: 1, monthlyUsd: 10 },
    })
    expect(key.key).toMatch(/^oq_/)
    expect(key.status).toBe('active')
    expect(key.effective).toEqual({
      scopes: ['chat'],
      allowedModels: ['default', 'openai/*'],
      limits: { requestsPerMinute: 100 },
      budgets: { dailyUsd: 1, monthlyUsd: 10 },
    })
  })

  it('limits requests per minute (429 with Retry-After and X-RateLimit-*) and tokens per minute', async () => {
    const owner = await signUp(t.app)
    const key = await createKey(owner.auth, { limits: { requestsPerMinute: 2 } })
    const first = await chat(key.key)
    expect(first.statusCode).toBe(200)
    expect(first.headers['x-ratelimit-limit']).toBe('2')
    expect(first.headers['x-ratelimit-remaining']).toBe('1')
    expect((await chat(key.key)).statusCode).toBe(200)
    const refused = await chat(key.key)
    expect(refused.statusCode).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(refused.headers['x-ratelimit-limit']).toBe('2')
    expect(refused.headers['x-ratelimit-remaining']).toBe('0')
    expect(refused.headers['x-ratelimit-reset']).toBeTruthy()
    expect(refused.json().error).toMatchObject({ code: 'rate_limited', type: 'rate_limit_error' })
    expect(refused.json().error.message).toContain('key.requests_per_minute')
    // Another key of the same user has its own windows.
    const other = await createKey(owner.auth, {})
    expect((await chat(other.key)).statusCode).toBe(200)

    const tokens = await createKey(owner.auth, { limits: { tokensPerMinute: 50 } })
    expect((await chat(tokens.key, { max_tokens: 10 })).statusCode).toBe(200)
    const tooMany = await chat(tokens.key, { max_tokens: 200 })
    expect(tooMany.statusCode).toBe(429)
    expect(tooMany.json().error.message).toContain('key.tokens_per_minute')
  })

  it('refuses past a daily budget and a monthly budget (402), and a stream before its first byte', async () => {
    const owner = await signUp(t.app)
    for (const budgets of [{ dailyUsd: 0.00003 }, { monthlyUsd: 0.00003 }]) {
      const key = await createKey(owner.auth, { budgets })
      expect((await chat(key.key)).statusCode).toBe(200)
      await flush()
      expect((await chat(key.key)).statusCode).toBe(200)
      await flush()
      const refused = await chat(key.key)
      expect(refused.statusCode).toBe(402)
      expect(refused.json().error.code).toBe('budget_exceeded')
      expect(refused.json().error.message).toContain(budgets.dailyUsd ? 'key.daily' : 'key.monthly')
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    }

    const streaming = await createKey(owner.auth, { budgets: { dailyUsd: 0.00001 } })
    const first = await chat(streaming.key, { stream: true })
    expect(first.statusCode).toBe(200)
    expect(first.headers['content-type']).toContain('text/event-stream')
    expect(first.body).toContain('[DONE]')
    await flush()
    const second = await chat(streaming.key, { stream: true })
    expect(second.statusCode).toBe(402)
    expect(second.headers['content-type']).toContain('application/json')
    expect(second.body).not.toContain('data:')

    await flush()
    // The refused call is in the ledger too (a request, at no cost).
    const [row] = (await listKeys(owner.auth)).filter((k) => k.id === streaming.id)
    expect(row!.usage.today).toEqual({ requests: 2, tokens: 15, costUsd: 0.00002 })
    expect(row!.budgets.daily).toMatchObject({ limitUsd: 0.00001, spentUsd: 0.00002, remainingUsd: 0 })
    expect(row!.budgets.monthly).toBeNull()
  })

  it('holds a key to its model allowlist (403 naming model, through the openai SDK) and its scopes', async () => {
    const owner = await signUp(t.app)
    const key = await createKey(owner.auth, { allowedModels: ['default'] })
    const openai = new OpenAI({ apiKey: key.key, baseURL, maxRetries: 0 })
    const ok = await openai.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'Hi' }] })
    expect(ok.choices[0]?.message.content).toBe('Raise prices for the top tier.')
    const error = await openai.chat.completions
      .create({ model: 'openai/gpt-4.1-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError)
    expect(error).toMatchObject({ status: 403, param: 'model', code: 'model_not_allowed' })
    const models = await openai.models.list()
    expect(models.data.map((m) => m.id)).toEqual(['default'])

    const embeddingsOnly = await createKey(owner.auth, { scopes: ['embeddings'] })
    const refused = await chat(embeddingsOnly.key)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error).toMatchObject({ code: 'api_key_scope_denied', type: 'invalid_request_error' })
    expect(refused.json().error.message).toContain('chat')
    // Listing models needs no particular scope.
    const listed = await t.app.inject({
      method: 'GET',
      url: '/v1/models',
      headers: { authorization: `Bearer ${embeddingsOnly.key}` },
    })
    expect(listed.statusCode).toBe(200)
  })

  it('holds the allowlist on the model that serves: a route name, a rule or a wildcard cannot lead around it', async () => {
    const owner = await signUp(t.app)
    const refused = (error: unknown) => {
      expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError)
      expect(error).toMatchObject({ status: 403, param: 'model', code: 'model_not_allowed' })
      return (error as Error).message
    }
    const ask = (openai: OpenAI, model: string, metadata?: Record<string, string>) =>
      openai.chat.completions
        .create(
          { model, messages: [{ role: 'user', content: 'Hi' }] },
          metadata ? { headers: { 'x-optimaliq-metadata': JSON.stringify(metadata) } } : {},
        )
        .withResponse()

    // `gpt-*` fits the route name `gpt-premium`, but the route leads to o3.
    const wildcard = new OpenAI({
      apiKey: (await createKey(owner.auth, { allowedModels: ['gpt-*', 'openai/gpt-*'] })).key,
      baseURL,
      maxRetries: 0,
    })
    expect(refused(await ask(wildcard, 'gpt-premium').catch((e: unknown) => e))).toContain(
      'may not use model "openai/o3" (which "gpt-premium" leads to)',
    )
    const direct = await ask(wildcard, 'openai/gpt-4.1-mini')
    expect(direct.response.headers.get('x-optimaliq-model')).toBe('gpt-4.1-mini')

    // A listed route serves, but a rule that hands the request to an unlisted route does not.
    const routeKey = new OpenAI({
      apiKey: (await createKey(owner.auth, { allowedModels: ['fast'] })).key,
      baseURL,
      maxRetries: 0,
    })
    const fast = await ask(routeKey, 'fast')
    expect(fast.response.headers.get('x-optimaliq-model')).toBe('gpt-4.1-mini')
    expect(refused(await ask(routeKey, 'fast', { plan: 'pro' }).catch((e: unknown) => e))).toContain(
      'which "premium" leads to',
    )

    // Listing a route by its exact name grants its candidates; reached by a wildcard, only the
    // candidates the list covers serve (the others are left out, as fallbacks too).
    const exact = new OpenAI({
      apiKey: (await createKey(owner.auth, { allowedModels: ['mixed'] })).key,
      baseURL,
      maxRetries: 0,
    })
    expect((await ask(exact, 'mixed')).response.headers.get('x-optimaliq-model')).toBe('o3')
    const partial = new OpenAI({
      apiKey: (await createKey(owner.auth, { allowedModels: ['mix*', 'openai/gpt-4.1-mini'] })).key,
      baseURL,
      maxRetries: 0,
    })
    expect((await ask(partial, 'mixed')).response.headers.get('x-optimaliq-model')).toBe('gpt-4.1-mini')
  })

  it("checks the scope on every /v1 endpoint, in each API's error shape", async () => {
    const owner = await signUp(t.app)
    const chatOnly = await createKey(owner.auth, { scopes: ['chat'], allowedModels: ['default'] })
    const bearer = { authorization: `Bearer ${chatOnly.key}` }
    const calls = [
      { url: '/v1/embeddings', headers: bearer, payload: { model: 'default', input: 'x' } },
      { url: '/v1/responses', headers: bearer, payload: { model: 'default', input: 'Hi' } },
    ]
    for (const call of calls) {
      const response = await t.app.inject({ method: 'POST', ...call })
      expect(response.statusCode, call.url).toBe(403)
      expect(response.json().error).toMatchObject({ code: 'api_key_scope_denied' })
    }
    const messages = await t.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { 'x-api-key': chatOnly.key, 'anthropic-version': '2023-06-01' },
      payload: { model: 'default', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] },
    })
    expect(messages.statusCode).toBe(403)
    expect(messages.json()).toMatchObject({ type: 'error', error: { message: expect.stringContaining('messages') } })
    const stored = await t.app.inject({ method: 'GET', url: '/v1/responses/resp_x', headers: bearer })
    expect(stored.statusCode).toBe(403)
    const model = await t.app.inject({ method: 'GET', url: '/v1/models/openai%2Fgpt-4.1-mini', headers: bearer })
    expect(model.statusCode).toBe(403)
    expect(model.json().error).toMatchObject({ code: 'model_not_allowed', param: 'model' })
  })

  it('refuses an expired key with 401 and a clear message (the cache does not keep it alive)', async () => {
    const owner = await signUp(t.app)
    const key = await createKey(owner.auth, { expiresAt: new Date(now + 60_000).toISOString() })
    expect((await chat(key.key)).statusCode).toBe(200)
    now += 61_000
    const refused = await chat(key.key)
    expect(refused.statusCode).toBe(401)
    expect(refused.json().error.code).toBe('api_key_expired')
    expect(refused.json().error.message).toContain('expired at')
    const [row] = (await listKeys(owner.auth)).filter((k) => k.id === key.id)
    expect(row!.status).toBe('expired')
    const rotate = await t.app.inject({
      method: 'POST',
      url: `/api/keys/${key.id}/rotate`,
      headers: owner.auth,
      payload: {},
    })
    expect(rotate.statusCode).toBe(409)
  })

  it('rotates: the old secret works during the grace period and is refused after it', async () => {
    const owner = await signUp(t.app)
    const key = await createKey(owner.auth, {})
    expect((await chat(key.key)).statusCode).toBe(200)
    const rotated = await t.app.inject({
      method: 'POST',
      url: `/api/keys/${key.id}/rotate`,
      headers: owner.auth,
      payload: { graceSeconds: 3600 },
    })
    expect(rotated.statusCode).toBe(200)
    const fresh = rotated.json() as { id: string; key: string; status: string; previousKeyExpiresAt: string }
    expect(fresh.id).toBe(key.id)
    expect(fresh.key).not.toBe(key.key)
    expect(fresh.status).toBe('rotating')
    expect(new Date(fresh.previousKeyExpiresAt).getTime()).toBe(now + 3_600_000)
    expect((await chat(key.key)).statusCode).toBe(200)
    expect((await chat(fresh.key)).statusCode).toBe(200)

    now += 3_601_000
    const old = await chat(key.key)
    expect(old.statusCode).toBe(401)
    expect(old.json().error.code).toBe('api_key_rotated')
    expect((await chat(fresh.key)).statusCode).toBe(200)
    await flush()
    const [row] = (await listKeys(owner.auth)).filter((k) => k.id === key.id)
    expect(row!.status).toBe('active')
    expect(row!.usage.today.requests).toBe(4)

    const bad = await t.app.inject({
      method: 'POST',
      url: `/api/keys/${key.id}/rotate`,
      headers: owner.auth,
      payload: { graceSeconds: -1 },
    })
    expect(bad.statusCode).toBe(400)
    const theirs = await signUp(t.app)
    const notYours = await t.app.inject({
      method: 'POST',
      url: `/api/keys/${key.id}/rotate`,
      headers: theirs.auth,
      payload: {},
    })
    expect(notYours.statusCode).toBe(404)
    // Rotating again at once ends the grace of the secret before.
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/keys/${key.id}/rotate`,
      headers: owner.auth,
      payload: { graceSeconds: 0 },
    })
    expect(again.statusCode).toBe(200)
    expect((await chat(fresh.key)).statusCode).toBe(401)
    expect((await chat(again.json().key)).statusCode).toBe(200)
  })

  it("lets an admin override a key's and a user's settings, audited; the owner cannot", async () => {
    const admin = await signUp(t.app, { email: 'admin@example.com' })
    const owner = await signUp(t.app)
    const key = await createKey(owner.auth, { limits: { requestsPerMinute: 100 } })
    expect((await chat(key.key)).statusCode).toBe(200)

    const forbidden = await t.app.inject({
      method: 'PUT',
      url: `/api/admin/keys/${key.id}/overrides`,
      headers: owner.auth,
      payload: { limits: { requestsPerMinute: 1000 } },
    })
    expect(forbidden.statusCode).toBe(403)
    // Under RLS, the owner's own transaction cannot write the admin's column either.
    await expect(
      t.database.db.asUser({ sub: owner.user.id, role: 'user' }, (tx) =>
        tx.execute(
          sql`update api_keys set admin_settings = '{"limits":{"requestsPerMinute":1000}}' where id = ${key.id}`,
        ),
      ),
    ).rejects.toThrow()

    const set = await t.app.inject({
      method: 'PUT',
      url: `/api/admin/keys/${key.id}/overrides`,
      headers: admin.auth,
      payload: { limits: { requestsPerMinute: 1 }, budgets: { dailyUsd: 5 } },
    })
    expect(set.statusCode, set.body).toBe(200)
    expect(set.json().effective).toEqual({ limits: { requestsPerMinute: 1 }, budgets: { dailyUsd: 5 } })
    expect(set.json().settings).toEqual({ limits: { requestsPerMinute: 100 } })
    // The minute's window already holds the request made before: the new maximum of 1 is reached.
    expect((await chat(key.key)).statusCode).toBe(429)

    const user = await t.app.inject({
      method: 'PUT',
      url: `/api/admin/users/${owner.user.id}/key-overrides`,
      headers: admin.auth,
      payload: { allowedModels: ['fast'] },
    })
    expect(user.statusCode, user.body).toBe(200)
    expect(user.json().overrides).toEqual({ allowedModels: ['fast'] })
    const second = await createKey(owner.auth, {})
    expect(second.effective).toEqual({ allowedModels: ['fast'] })
    const refused = await chat(second.key)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error.param).toBe('model')

    const [seen] = (await listKeys(owner.auth)).filter((k) => k.id === key.id)
    expect(seen!.overrides).toEqual({
      key: { limits: { requestsPerMinute: 1 }, budgets: { dailyUsd: 5 } },
      user: { allowedModels: ['fast'] },
    })
    expect(seen!.budgets.daily).toMatchObject({ limitUsd: 5 })

    for (const url of [`/api/admin/users/${owner.user.id}/key-overrides`, `/api/admin/keys/${key.id}/overrides`]) {
      const cleared = await t.app.inject({ method: 'DELETE', url, headers: admin.auth })
      expect(cleared.statusCode).toBe(200)
    }
    expect((await chat(second.key)).statusCode).toBe(200)
    const listed = await t.app.inject({
      method: 'GET',
      url: `/api/admin/users/${owner.user.id}/keys`,
      headers: admin.auth,
    })
    expect(listed.statusCode).toBe(200)
    expect(listed.json().overrides).toEqual({})
    expect(listed.json().keys).toHaveLength(2)

    const audit = await t.database.db.query<{ action: string; target: string; actor_id: string; details: unknown }>(
      `select action, target, actor_id, details from admin_audit_log where action like 'api_key.%' and (target = $1 or target = $2) order by id`,
      [key.id, owner.user.id],
    )
    expect(audit.map((a) => a.action)).toEqual([
      'api_key.override.set',
      'api_key.user_override.set',
      'api_key.user_override.clear',
      'api_key.override.clear',
    ])
    expect(audit.every((a) => a.actor_id === admin.user.id)).toBe(true)
    expect(audit[0]!.details).toMatchObject({ before: {}, after: { limits: { requestsPerMinute: 1 } } })
    const badOverride = await t.app.inject({
      method: 'PUT',
      url: `/api/admin/keys/${key.id}/overrides`,
      headers: admin.auth,
      payload: { limits: { requestsPerHour: 3 } },
    })
    expect(badOverride.statusCode).toBe(400)
  })

  it('reads a key again after a change event from another process', async () => {
    const owner = await signUp(t.app)
    const key = await createKey(owner.auth, { limits: { requestsPerDay: 7 } })
    expect((await chat(key.key)).statusCode).toBe(200)
    const service = t.container.apiKeys
    expect(await service.settingsOf(key.id)).toEqual({ limits: { requestsPerDay: 7 } })
    // Another process changed the key's row: the event makes this one read it from the database.
    await t.database.db.query(`update api_keys set settings = '{"scopes":["embeddings"]}' where id = $1`, [key.id])
    expect(await service.settingsOf(key.id)).toEqual({ limits: { requestsPerDay: 7 } })
    applyRevocation(
      { apiKeys: service, auth: { forget: () => undefined }, realtime: { closeUser: () => 0 } },
      { userId: owner.user.id, reason: 'api_key_changed', keyId: key.id },
    )
    expect(await service.settingsOf(key.id)).toEqual({ scopes: ['embeddings'] })
    expect((await chat(key.key)).statusCode).toBe(403)
    expect(await service.settingsOf('00000000-0000-4000-8000-000000000000')).toBeUndefined()
  })

  it('lists each key with usage today and this month, and its standing', async () => {
    const owner = await signUp(t.app)
    const live = await createKey(owner.auth, { budgets: { dailyUsd: 1, monthlyUsd: 2 } })
    const gone = await createKey(owner.auth, {})
    await chat(live.key)
    await chat(live.key)
    await flush()
    await t.app.inject({ method: 'DELETE', url: `/api/keys/${gone.id}`, headers: owner.auth })
    const keys = await listKeys(owner.auth)
    const row = keys.find((k) => k.id === live.id)!
    expect(row.status).toBe('active')
    expect(row.usage).toEqual({
      today: { requests: 2, tokens: 30, costUsd: 0.00004 },
      month: { requests: 2, tokens: 30, costUsd: 0.00004 },
    })
    expect(row.budgets.daily).toMatchObject({ limitUsd: 1, spentUsd: 0.00004, remainingUsd: 0.99996 })
    expect(row.budgets.monthly).toMatchObject({ limitUsd: 2, remainingUsd: 1.99996 })
    expect(keys.find((k) => k.id === gone.id)!.status).toBe('revoked')
    expect(JSON.stringify(keys)).not.toContain(live.key)
    expect((await chat(gone.key)).statusCode).toBe(401)
  })
})

describe('per-key settings rules', () => {
  it('takes each field from the key override, then the user override, then the owner', () => {
    expect(
      effectiveKeySettings({
        owner: { scopes: ['chat'], limits: { requestsPerMinute: 10, tokensPerDay: 100 }, budgets: { dailyUsd: 1 } },
        user: { limits: { requestsPerMinute: 5 }, allowedModels: ['a'] },
        key: { limits: { tokensPerDay: 50 }, allowedModels: ['b*'] },
      }),
    ).toEqual({
      scopes: ['chat'],
      allowedModels: ['b*'],
      limits: { requestsPerMinute: 5, tokensPerDay: 50 },
      budgets: { dailyUsd: 1 },
    })
    expect(effectiveKeySettings({ owner: {} })).toEqual({})
  })
  it('matches models exactly or by a prefix ending in *', () => {
    expect(modelAllowed(undefined, 'x')).toBe(true)
    expect(modelAllowed(['openai/*'], 'openai/gpt-4.1')).toBe(true)
    expect(modelAllowed(['openai/*'], 'anthropic/claude')).toBe(false)
    expect(modelAllowed(['default'], 'default-2')).toBe(false)
    expect(modelAllowed(['*'], 'anything')).toBe(true)
  })
  it('reads stored settings that do not parse as none', () => {
    expect(parseKeySettings({ scopes: ['nope'] })).toEqual({})
    expect(parseKeySettings(null)).toEqual({})
  })
})
