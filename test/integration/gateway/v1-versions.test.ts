import { afterAll, beforeAll, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../../src/simulator/index.ts'
import { signUp } from '../../helpers/app.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'

type Version = { id: string }

/** `/v1` runs the same pipeline as features: a `model` naming a versioned route gets its versions and experiments. */
describeBackends('/v1 versions and experiments', (backend) => {
  let sim: Simulator
  let t: GatewayTestApp
  let admin: Awaited<ReturnType<typeof signUp>>

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    t = await startGatewayApp(backend, { ...sim.env(['openai', 'anthropic']), AI_PROVIDER: 'openai' })
    admin = await signUp(t.app, { email: 'admin@example.com' })
  }, 120_000)
  afterAll(async () => {
    await t?.close()
    await sim?.close()
  })

  const version = async (feature: string, provider: string, model: string, status: string) => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/admin/model-versions',
      headers: admin.auth,
      payload: { feature, provider, model, promptVersion: 'v1', params: {}, status },
    })
    expect(r.statusCode, r.body).toBe(201)
    return r.json() as Version
  }
  const ask = (headers: Record<string, string>, model: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers,
      payload: { model, messages: [{ role: 'user', content: 'One growth tip, please.' }] },
    })

  it('routes /v1 to the active version of the route its model names, and says which version answered', async () => {
    const feature = `tips_${backend}`
    const active = await version(feature, 'anthropic', 'claude-sonnet-4-0', 'active')
    const { v1 } = await userWithKey(t.app)
    const response = await ask(v1, feature)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.headers).toMatchObject({
      'x-optimaliq-provider': 'anthropic',
      'x-optimaliq-model': 'claude-sonnet-4-0',
      'x-optimaliq-model-version': active.id,
    })
    // `provider/model` and plain routes keep their own way, without a version.
    const plain = await ask(v1, 'default')
    expect(plain.headers['x-optimaliq-provider']).toBe('openai')
    expect(plain.headers['x-optimaliq-model-version']).toBeUndefined()
  })

  it('splits /v1 traffic of an experiment between its variants, sticky by user', async () => {
    const feature = `split_${backend}`
    const control = await version(feature, 'openai', 'gpt-4.1-mini', 'active')
    const challenger = await version(feature, 'anthropic', 'claude-sonnet-4-0', 'candidate')
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/admin/experiments',
      headers: admin.auth,
      payload: {
        feature,
        variants: [
          { versionId: control.id, weight: 50 },
          { versionId: challenger.id, weight: 50 },
        ],
      },
    })
    expect(created.statusCode, created.body).toBe(201)
    t.container.governance.versions.invalidate(feature)
    const seen = new Map<string, number>()
    for (let i = 0; i < 12; i++) {
      const { v1 } = await userWithKey(t.app)
      const first = await ask(v1, feature)
      const again = await ask(v1, feature)
      const answered = String(first.headers['x-optimaliq-model-version'])
      expect(again.headers['x-optimaliq-model-version']).toBe(answered)
      seen.set(answered, (seen.get(answered) ?? 0) + 1)
    }
    expect([...seen.keys()].sort()).toEqual([control.id, challenger.id].sort())
  })
})
