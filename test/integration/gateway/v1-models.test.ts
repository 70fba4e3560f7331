import OpenAI, { NotFoundError } from 'openai'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../../src/simulator/index.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'

/** `GET /v1/models/{id}` (issue 13): OpenAI's model object, ids with slashes, 404 in OpenAI's shape. */
describeBackends('/v1/models/{id}', (backend) => {
  let sim: Simulator
  let t: GatewayTestApp
  let openai: OpenAI
  let v1: { authorization: string }

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    t = await startGatewayApp(backend, { ...sim.env(['openai', 'anthropic']), AI_PROVIDER: 'openai' })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const owner = await userWithKey(t.app)
    v1 = owner.v1
    const { port } = t.app.server.address() as { port: number }
    openai = new OpenAI({ apiKey: owner.key.key, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 })
  })
  afterAll(async () => {
    await t?.close()
    await sim?.close()
  })

  it('retrieves every listed model through the openai SDK, slashes included', async () => {
    const listed = await openai.models.list()
    const ids = listed.data.map((m) => m.id)
    expect(ids).toContain('anthropic/claude-sonnet-4-20250514')
    expect(ids).toContain('openai/text-embedding-3-small')
    for (const model of listed.data) {
      // The SDK percent-encodes the id (`anthropic%2Fclaude-…`).
      const one = await openai.models.retrieve(model.id)
      expect(one).toEqual(model)
    }
  })

  it('takes an unencoded slash, a route name and a catalog alias', async () => {
    const raw = await t.app.inject({ method: 'GET', url: '/v1/models/anthropic/claude-sonnet-4-20250514', headers: v1 })
    expect(raw.statusCode).toBe(200)
    expect(raw.json()).toEqual({
      id: 'anthropic/claude-sonnet-4-20250514',
      object: 'model',
      created: 0,
      owned_by: 'anthropic',
    })
    expect(await openai.models.retrieve('default')).toMatchObject({ id: 'default', owned_by: 'optimaliq' })
    // An alias `model` accepts, answered under the name asked for.
    expect(await openai.models.retrieve('gpt-4.1-mini')).toEqual({
      id: 'gpt-4.1-mini',
      object: 'model',
      created: 0,
      owned_by: 'openai',
    })
  })

  it('answers an unknown model with 404 in OpenAI shape, and needs a key', async () => {
    const error = await openai.models.retrieve('no-such/model').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NotFoundError)
    const raw = await t.app.inject({ method: 'GET', url: '/v1/models/mistral%2Fmistral-large', headers: v1 })
    expect(raw.statusCode).toBe(404)
    expect(raw.json()).toEqual({
      error: {
        message: expect.stringContaining('mistral/mistral-large'),
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    })
    const odd = await t.app.inject({ method: 'GET', url: '/v1/models/100%25', headers: v1 })
    expect(odd.statusCode).toBe(404)
    const anonymous = await t.app.inject({ method: 'GET', url: '/v1/models/default' })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json()).toMatchObject({ error: { code: 'invalid_api_key' } })
  })
})
