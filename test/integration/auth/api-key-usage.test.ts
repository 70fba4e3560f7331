import { MockLanguageModelV3 } from 'ai/test'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBackends } from '../../helpers/backends.ts'
import { signUp } from '../../helpers/app.ts'
import { flatCatalog, mockProviders, startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'

const reply = {
  content: [{ type: 'text' as const, text: 'Raise prices for the top tier.' }],
  finishReason: { unified: 'stop' as const, raw: 'stop' },
  usage: {
    inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: 5, text: 5, reasoning: undefined },
  },
  warnings: [],
}

describeBackends('API key usage (account page)', (backend) => {
  let t: GatewayTestApp
  beforeAll(async () => {
    t = await startGatewayApp(
      backend,
      {},
      {
        providers: mockProviders({ openai: new MockLanguageModelV3({ doGenerate: async () => reply }) }),
        catalog: flatCatalog,
      },
    )
  })
  afterAll(() => t?.close())

  it("counts each key's requests, tokens and cost from the ledger, for its owner only", async () => {
    const owner = await userWithKey(t.app)
    const idle = await t.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: owner.auth,
      payload: { name: 'idle' },
    })
    for (let i = 0; i < 2; i++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: owner.v1,
        payload: { model: 'default', messages: [{ role: 'user', content: `Tip number ${i}` }] },
      })
      expect(response.statusCode).toBe(200)
    }
    await t.container.ai.ledger?.flush()

    const usage = await t.app.inject({ method: 'GET', url: '/api/keys/usage', headers: owner.auth })
    expect(usage.statusCode).toBe(200)
    const body = usage.json()
    expect(body.days).toBe(30)
    expect(body.keys).toEqual([
      expect.objectContaining({ keyId: owner.key.id, requests: 2, errors: 0, tokens: 30, costUsd: 0.00004 }),
    ])
    expect(body.keys[0].lastRequestAt).toBeTruthy()
    expect(body.keys.some((k: { keyId: string }) => k.keyId === idle.json().id)).toBe(false)

    const other = await signUp(t.app)
    const theirs = await t.app.inject({ method: 'GET', url: '/api/keys/usage', headers: other.auth })
    expect(theirs.json().keys).toEqual([])
    expect((await t.app.inject({ method: 'GET', url: '/api/keys/usage' })).statusCode).toBe(401)
  })
})
