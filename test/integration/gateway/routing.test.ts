import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { rows } from '../../../src/data/db.ts'
import { createGateway } from '../../../src/gateway/create-gateway.ts'
import type { AiGateway } from '../../../src/gateway/client.ts'
import { createSimulator, type Simulator } from '../../../src/simulator/index.ts'
import { errorOf, signUp } from '../../helpers/app.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'

/** A 1×1 PNG as a data URL. */
const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

/**
 * Routing strategies and rules through `/v1/chat/completions` (issue 13, item 3): the route a
 * request takes shows in `x-optimaliq-provider`/`-model`/`-route`; admins edit routes at run time
 * (stored, audited, picked up by a second gateway on the same database by its poll).
 */
describeBackends('routing strategies and rules', (backend) => {
  let sim: Simulator
  let t: GatewayTestApp
  let admin: Awaited<ReturnType<typeof signUp>>
  let user: Awaited<ReturnType<typeof userWithKey>>
  let second: AiGateway | undefined

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    const dir = await mkdtemp(join(tmpdir(), 'oq-routing-'))
    const file = join(dir, 'optimaliq.json')
    await writeFile(
      file,
      JSON.stringify({
        routes: {
          cheap: {
            strategy: 'cost',
            candidates: ['anthropic/claude-sonnet-4-0', 'openai/gpt-4.1-mini', 'bedrock/nova-micro'],
          },
          quality: ['anthropic/claude-sonnet-4-0'],
          default: {
            rules: [
              { when: { tier: ['enterprise'] }, route: 'quality' },
              { when: { metadata: { team: 'search' } }, route: 'cheap' },
            ],
          },
        },
      }),
    )
    t = await startGatewayApp(backend, {
      ...sim.env(['openai', 'anthropic', 'bedrock']),
      AI_PROVIDER: 'openai',
      OPTIMALIQ_CONFIG: file,
      AI_ROUTES_POLL_MS: '50',
    })
    admin = await signUp(t.app, { email: 'admin@example.com' })
    user = await userWithKey(t.app)
  }, 120_000)
  afterAll(async () => {
    await second?.close()
    await t?.close()
    await sim?.close()
  })

  const ask = (headers: Record<string, string>, model: string, extra: Record<string, unknown> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers,
      payload: { model, messages: [{ role: 'user', content: 'One growth tip, please.' }], ...extra },
    })
  const servedBy = (r: { headers: Record<string, unknown> }) =>
    `${String(r.headers['x-optimaliq-provider'])}/${String(r.headers['x-optimaliq-model'])}`

  it('serves a cost route from its cheapest model that fits the call', async () => {
    const plain = await ask(user.v1, 'cheap')
    expect(plain.statusCode, plain.body).toBe(200)
    expect(servedBy(plain)).toBe('bedrock/amazon.nova-micro-v1:0')
    expect(plain.headers['x-optimaliq-route']).toBe('cheap')
    // An image: Nova Micro cannot read it, so the next cheapest that can (gpt-4.1-mini) answers.
    const image = await ask(user.v1, 'cheap', {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: PIXEL } },
          ],
        },
      ],
    })
    expect(image.statusCode, image.body).toBe(200)
    expect(servedBy(image)).toBe('openai/gpt-4.1-mini')
    // The cheapest is down: its breaker opens and the next cheapest serves.
    sim.setFaults({ failureRate: 1, status: 503 }, 'bedrock')
    try {
      const fallback = await ask(user.v1, 'cheap')
      expect(fallback.statusCode, fallback.body).toBe(200)
      expect(servedBy(fallback)).toBe('openai/gpt-4.1-mini')
      expect(fallback.headers['x-optimaliq-fallback']).toBe('true')
    } finally {
      sim.clearFaults()
    }
  })

  it('lets rules on tier and the x-optimaliq-metadata header choose the route', async () => {
    const plain = await ask(user.v1, 'default')
    expect(servedBy(plain)).toBe('openai/gpt-4.1-mini')
    expect(plain.headers['x-optimaliq-route']).toBe('default')
    const tagged = await ask({ ...user.v1, 'x-optimaliq-metadata': JSON.stringify({ team: 'search' }) }, 'default')
    expect(tagged.statusCode, tagged.body).toBe(200)
    expect(tagged.headers['x-optimaliq-route']).toBe('cheap')
    expect(servedBy(tagged)).toBe('bedrock/amazon.nova-micro-v1:0')

    const big = await signUp(t.app)
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${big.user.id}`,
      headers: admin.auth,
      payload: { tier: 'enterprise' },
    })
    expect(patched.statusCode, patched.body).toBe(200)
    const created = await t.app.inject({ method: 'POST', url: '/api/keys', headers: big.auth, payload: { name: 'k' } })
    const enterprise = { authorization: `Bearer ${(created.json() as { key: string }).key}` }
    const chosen = await ask(enterprise, 'default')
    expect(chosen.headers['x-optimaliq-route']).toBe('quality')
    expect(servedBy(chosen)).toBe('anthropic/claude-sonnet-4-20250514')
    // A named model is not rerouted by the default route's rules.
    expect(servedBy(await ask(enterprise, 'openai/gpt-4.1-mini'))).toBe('openai/gpt-4.1-mini')
  })

  it('refuses a bad x-optimaliq-metadata header in OpenAI’s error shape, naming the header', async () => {
    for (const header of ['not json', '[1,2]', '{"team":{"nested":true}}', '{"bad key":"x"}']) {
      const r = await ask({ ...user.v1, 'x-optimaliq-metadata': header }, 'default')
      expect(r.statusCode, header).toBe(400)
      expect(r.json()).toMatchObject({
        error: { type: 'invalid_request_error', param: 'x-optimaliq-metadata', code: 'validation_failed' },
      })
    }
  })

  it('applies the rules to /v1/messages, /v1/responses and /v1/embeddings too, and refuses a bad header in each API’s shape', async () => {
    const messages = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/messages',
        headers: { 'x-api-key': user.key.key, 'anthropic-version': '2023-06-01', ...headers },
        payload: { model: 'default', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] },
      })
    const tagged = await messages({ 'x-optimaliq-metadata': '{"team":"search"}' })
    expect(tagged.statusCode, tagged.body).toBe(200)
    // The cheap route's cheapest model: the rule chose it.
    expect(servedBy(tagged)).toBe('bedrock/amazon.nova-micro-v1:0')
    expect(servedBy(await messages({}))).toBe('openai/gpt-4.1-mini')
    const bad = await messages({ 'x-optimaliq-metadata': '[]' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })
    expect((bad.json() as { error: { message: string } }).error.message).toMatch(/x-optimaliq-metadata/)
    const responses = await t.app.inject({
      method: 'POST',
      url: '/v1/responses',
      headers: { ...user.v1, 'x-optimaliq-metadata': '{"team":"search"}' },
      payload: { model: 'default', input: 'Hi', store: false },
    })
    expect(responses.statusCode, responses.body).toBe(200)
    expect(responses.headers['x-optimaliq-route']).toBe('cheap')
    expect(servedBy(responses)).toBe('bedrock/amazon.nova-micro-v1:0')
    const embeddings = await t.app.inject({
      method: 'POST',
      url: '/v1/embeddings',
      headers: { ...user.v1, 'x-optimaliq-metadata': 'nope' },
      payload: { model: 'openai/text-embedding-3-small', input: 'hello' },
    })
    expect(embeddings.statusCode).toBe(400)
    expect(embeddings.json()).toMatchObject({ error: { param: 'x-optimaliq-metadata' } })
  })

  it('lets admins store a route at run time: audited, served at once, and picked up by a second gateway', async () => {
    second = createGateway({ config: t.container.config, db: t.container.db, routesPollMs: 50 })
    expect(second.routes.plan('default', { apiKeyId: user.key.id }).name).toBe('default')
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/admin/routes/default',
      headers: admin.auth,
      payload: {
        strategy: 'ordered',
        rules: [
          { when: { apiKeyId: [user.key.id] }, route: 'batch' },
          { when: { tier: ['enterprise'] }, route: 'quality' },
        ],
      },
    })
    // The rule names a route that does not exist yet.
    expect(put.statusCode).toBe(400)
    expect(errorOf(put).error.details).toEqual([{ field: 'body.rules.0.route', message: 'no route named "batch"' }])

    const batch = await t.app.inject({
      method: 'PUT',
      url: '/api/admin/routes/batch',
      headers: admin.auth,
      payload: { strategy: 'cost', candidates: ['openai/gpt-4.1-mini', 'anthropic/claude-3-5-haiku-latest'] },
    })
    expect(batch.statusCode, batch.body).toBe(200)
    expect(batch.json()).toMatchObject({
      name: 'batch',
      source: 'admin',
      strategy: 'cost',
      candidates: [
        { provider: 'openai', model: 'gpt-4.1-mini' },
        { provider: 'anthropic', model: 'claude-3-5-haiku-20241022' },
      ],
      updatedBy: admin.user.id,
    })
    const rules = await t.app.inject({
      method: 'PUT',
      url: '/api/admin/routes/default',
      headers: admin.auth,
      payload: { strategy: 'ordered', rules: [{ when: { apiKeyId: [user.key.id] }, route: 'batch' }] },
    })
    expect(rules.statusCode, rules.body).toBe(200)
    // This process reloaded at once: the key's requests go to the batch route.
    const served = await ask(user.v1, 'default')
    expect(served.headers['x-optimaliq-route']).toBe('batch')
    expect(servedBy(served)).toBe('openai/gpt-4.1-mini')
    const other = await userWithKey(t.app)
    expect((await ask(other.v1, 'default')).headers['x-optimaliq-route']).toBe('default')
    // The second gateway (another process in production) picks it up by its poll.
    await vi.waitFor(() => expect(second!.routes.plan('default', { apiKeyId: user.key.id }).name).toBe('batch'), {
      timeout: 10_000,
      interval: 20,
    })
    expect(second.routes.plan('batch').strategy).toBe('cost')

    // Audited like every admin action.
    const auditRows = await rows<{ action: string; target: string; details: unknown }>(
      t.container.db.orm,
      sql`select action, target, details from admin_audit_log where action like 'route.%' order by id`,
    )
    expect(auditRows.map((r) => `${r.action} ${r.target}`)).toEqual(['route.put batch', 'route.put default'])
    expect(auditRows[1]?.details).toMatchObject({
      definition: { rules: [{ route: 'batch' }] },
      previous: null,
    })

    // Listed with its source; deleting the stored default restores the config file's rules everywhere.
    const list = await t.app.inject({ method: 'GET', url: '/api/admin/routes', headers: admin.auth })
    const routes = (list.json() as { routes: Array<{ name: string; source: string }> }).routes
    expect(routes.map((r) => `${r.name}:${r.source}`).sort()).toEqual([
      'batch:admin',
      'cheap:config',
      'default:admin',
      'quality:config',
    ])
    const removed = await t.app.inject({ method: 'DELETE', url: '/api/admin/routes/default', headers: admin.auth })
    expect(removed.statusCode).toBe(204)
    expect((await ask(user.v1, 'default')).headers['x-optimaliq-route']).toBe('default')
    await vi.waitFor(() => expect(second!.routes.plan('default', { tier: 'enterprise' }).name).toBe('quality'), {
      timeout: 10_000,
      interval: 20,
    })
    const one = await t.app.inject({ method: 'GET', url: '/api/admin/routes/default', headers: admin.auth })
    expect(one.json()).toMatchObject({
      name: 'default',
      source: 'config',
      rules: [{ route: 'quality' }, { route: 'cheap' }],
    })
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/api/admin/routes/default', headers: admin.auth })).statusCode,
    ).toBe(404)
  })

  it('refuses bad route edits with the fields at fault, and non-admins', async () => {
    const put = (name: string, payload: unknown, headers = admin.auth) =>
      t.app.inject({ method: 'PUT', url: `/api/admin/routes/${name}`, headers, payload: payload as object })
    const fields = async (name: string, payload: unknown) => {
      const r = await put(name, payload)
      expect(r.statusCode, r.body).toBe(400)
      expect(errorOf(r).error.code).toBe('validation_failed')
      return errorOf(r).error.details?.map((d) => d.field)
    }
    expect(await fields('x', { strategy: 'fastest', candidates: ['openai/gpt-4.1-mini'] })).toEqual(['body.strategy'])
    expect(await fields('x', { candidates: [] })).toEqual(['body.candidates'])
    expect(await fields('x', { candidates: ['openai/gpt-4.1-mini'], latency: { explorationRate: 2 } })).toEqual([
      'body.latency.explorationRate',
    ])
    expect(await fields('x', { candidates: ['openai/gpt-4.1-mini'], colour: 'red' })).toEqual(['body.colour'])
    expect(await fields('x', { rules: [{ when: {}, route: 'cheap' }] })).toEqual(['body.rules.0.when'])
    expect(await fields('x', { candidates: ['mistral/mistral-small', { provider: 'vertex', model: 'g' }] })).toEqual([
      'body.candidates.0',
      'body.candidates.1',
    ])
    expect(await fields('x', { strategy: 'cost' })).toEqual(['body.candidates'])
    expect(
      await fields('x', { candidates: ['openai/gpt-4.1-mini'], rules: [{ when: { tier: ['free'] }, route: 'x' }] }),
    ).toEqual(['body.rules.0.route'])
    expect(await fields('a%2Fb', { candidates: ['openai/gpt-4.1-mini'] })).toEqual(['params.name'])
    const plain = await signUp(t.app)
    expect((await put('x', { candidates: ['openai/gpt-4.1-mini'] }, plain.auth)).statusCode).toBe(403)
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/routes', headers: plain.auth })).statusCode).toBe(403)
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/routes/nope', headers: admin.auth })).statusCode).toBe(
      404,
    )
  })

  it('keeps stored routes to admins under row-level security', async () => {
    const plain = await signUp(t.app)
    const claims = { sub: plain.user.id, role: 'user' as const }
    await t.app.inject({
      method: 'PUT',
      url: '/api/admin/routes/rls-check',
      headers: admin.auth,
      payload: { candidates: ['openai/gpt-4.1-mini'] },
    })
    const seen = await t.container.db.asUser(claims, (tx) => rows(tx, sql`select name from ai_routes`))
    expect(seen).toEqual([])
    await expect(
      t.container.db.asUser(claims, (tx) =>
        tx.execute(sql`insert into ai_routes (name, definition) values ('evil', '{}'::jsonb)`),
      ),
    ).rejects.toThrow()
    const adminSeen = await t.container.db.asUser({ sub: admin.user.id, role: 'admin' }, (tx) =>
      rows<{ name: string }>(tx, sql`select name from ai_routes where name = 'rls-check'`),
    )
    expect(adminSeen).toEqual([{ name: 'rls-check' }])
    // A row the schema refuses (written by hand) is ignored with a warning; the others still load.
    await t.container.db.orm.execute(
      sql`insert into ai_routes (name, definition) values ('broken', '{"strategy":"fastest"}'::jsonb)`,
    )
    await t.container.ai.reloadRoutes()
    expect(t.container.ai.routes.names()).toContain('rls-check')
    expect(t.container.ai.routes.names()).not.toContain('broken')
    const listed = await t.app.inject({ method: 'GET', url: '/api/admin/routes/broken', headers: admin.auth })
    expect(listed.statusCode, listed.body).toBe(200)
    expect(listed.json()).toMatchObject({ name: 'broken', source: 'admin', strategy: 'ordered', candidates: [] })
    expect(listed.json()).not.toHaveProperty('definition')
  })
})
