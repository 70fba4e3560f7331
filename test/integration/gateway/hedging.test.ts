import { afterAll, beforeAll, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../../src/simulator/index.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'

/**
 * Hedging against the simulator: when the first provider has not answered after AI_HEDGE_AFTER_MS,
 * the next candidate is asked too and the first answer wins — on `/v1` and in code.
 */
describeBackends('hedged requests through the gateway', (backend) => {
  let sim: Simulator
  let t: GatewayTestApp
  let v1: { authorization: string }

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    t = await startGatewayApp(backend, {
      ...sim.env(['openai', 'anthropic']),
      AI_PROVIDER: 'openai',
      AI_HEDGE_AFTER_MS: '100',
      AI_ATTEMPT_TIMEOUT_MS: '10000',
      AI_DEADLINE_MS: '20000',
    })
    v1 = (await userWithKey(t.app)).v1
  })
  afterAll(async () => {
    await t?.close()
    await sim?.close()
  })

  it('asks the next provider when the first is slow, and answers with whichever is first', async () => {
    // OpenAI takes 3 s; Anthropic answers at once, after the 100 ms hedge delay.
    sim.setFaults({ latencyMs: 3_000 }, 'openai')
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: v1,
      payload: { model: 'default', messages: [{ role: 'user', content: 'One growth tip, please.' }] },
    })
    expect(response.statusCode).toBe(200)
    expect(response.headers['x-optimaliq-provider']).toBe('anthropic')
    expect(response.json().choices[0].message.content).toBeTruthy()
    expect(sim.stats().byProvider).toMatchObject({ openai: 1, anthropic: 1 })

    const text = await t.container.ai.generateText({
      feature: 'hedge-test',
      messages: [{ role: 'user', content: 'hi' }],
      caller: {},
    })
    expect(text.provider).toBe('anthropic')
    expect(text.attempts.map((a) => a.provider)).toContain('anthropic')
    // With OpenAI quick again, no hedge is needed: OpenAI answers alone.
    sim.clearFaults()
    sim.resetStats()
    const quick = await t.container.ai.generateText({
      feature: 'hedge-test',
      messages: [{ role: 'user', content: 'hi' }],
      caller: {},
    })
    expect(quick.provider).toBe('openai')
    expect(sim.stats().byProvider).toEqual({ openai: 1 })
  })
})
