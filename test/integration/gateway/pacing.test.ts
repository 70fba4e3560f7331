import { afterAll, beforeAll, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../../src/simulator/index.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'

/**
 * Provider pacing on every gateway path — `/v1` passthrough, `/v1` streams, the in-code client and
 * its streams: a provider at its pace is skipped (the router moves on, nothing reaches it), and
 * the tokens-per-minute counter ends at the real usage once estimates are settled.
 */
describeBackends('provider pacing through the gateway', (backend) => {
  let sim: Simulator
  let t: GatewayTestApp
  let v1: { authorization: string }

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    t = await startGatewayApp(backend, {
      ...sim.env(['openai', 'anthropic']),
      AI_PROVIDER: 'openai',
      AI_PROVIDER_PACING: JSON.stringify({ openai: { rpm: 2 }, anthropic: { tpm: 1_000_000 } }),
    })
    v1 = (await userWithKey(t.app)).v1
  })
  afterAll(async () => {
    await t?.close()
    await sim?.close()
  })

  const ask = (payload: Record<string, unknown> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: v1,
      payload: { model: 'default', messages: [{ role: 'user', content: 'One growth tip, please.' }], ...payload },
    })
  const attemptsOf = async (requestId: string) => {
    await t.container.ai.ledger?.flush()
    const [row] = await t.database.db.query<{
      provider: string
      attempts: Array<{ provider: string; errorClass?: string }>
    }>('select provider, attempts from ai_log where request_id = $1', [requestId])
    return row
  }

  it('skips a provider at its pace on /v1, /v1 streams and the in-code client, and settles tokens to the real usage', async () => {
    // Two requests a minute for OpenAI: the first two go there (passthrough).
    for (let i = 0; i < 2; i++) expect((await ask()).headers['x-optimaliq-provider']).toBe('openai')
    expect(sim.stats().byProvider.openai).toBe(2)

    // The third is paced off OpenAI, without touching it or its breaker.
    const third = await ask()
    expect(third.statusCode).toBe(200)
    expect(third.headers).toMatchObject({ 'x-optimaliq-provider': 'anthropic', 'x-optimaliq-fallback': 'true' })
    expect(await attemptsOf(String(third.headers['x-request-id']))).toMatchObject({
      provider: 'anthropic',
      attempts: [{ provider: 'openai', errorClass: 'paced' }, { provider: 'anthropic' }],
    })

    // A /v1 stream is paced the same way.
    const streamed = await ask({ stream: true, stream_options: { include_usage: true } })
    expect(streamed.statusCode).toBe(200)
    expect(streamed.headers['x-optimaliq-provider']).toBe('anthropic')
    expect(streamed.body).toContain('data: [DONE]')

    // And the in-code client, plain and streaming.
    const text = await t.container.ai.generateText({
      feature: 'test',
      messages: [{ role: 'user', content: 'hi' }],
      caller: {},
    })
    expect(text).toMatchObject({ provider: 'anthropic', fallbackUsed: true })
    expect(text.attempts[0]).toMatchObject({ provider: 'openai', errorClass: 'paced' })
    const stream = await t.container.ai.stream({
      feature: 'test',
      messages: [{ role: 'user', content: 'hi' }],
      caller: {},
    })
    let chars = 0
    for await (const piece of stream.textStream) chars += piece.length
    expect(chars).toBeGreaterThan(0)
    expect(await stream.meta).toMatchObject({ provider: 'anthropic', fallbackUsed: true })
    expect(sim.stats().byProvider.openai).toBe(2)
    expect(t.container.ai.breakers.state('openai')).toBe('closed')

    // Anthropic's tokens-per-minute counter holds exactly what its four answers used.
    await t.container.ai.ledger?.flush()
    await t.container.governance.counters.flush()
    const [used] = await t.database.db.query<{ tokens: string; n: string }>(
      "select sum(input_tokens + output_tokens) as tokens, count(*) as n from ai_log where provider = 'anthropic'",
    )
    expect(Number(used!.n)).toBe(4)
    const [counter] = await t.database.db.query<{ points: number }>(
      "select points from rate_limits where key = 'pace_tpm:anthropic'",
    )
    expect(counter!.points).toBe(Number(used!.tokens))
  })
})
