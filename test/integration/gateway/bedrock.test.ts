import Anthropic from '@anthropic-ai/sdk'
import { generateText } from 'ai'
import OpenAI from 'openai'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createProviderRegistry } from '../../../src/gateway/providers/index.ts'
import { createSimulator, type Simulator } from '../../../src/simulator/index.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { startGatewayApp, userWithKey, type GatewayTestApp } from '../../helpers/gateway.ts'

/**
 * Amazon Bedrock (issue 13, item 2): the AI SDK's Bedrock provider, configured from the AWS
 * variables, against the simulator's Converse API (JSON and the binary event stream), and `/v1`
 * translating OpenAI requests to it, with the catalog's Bedrock prices in the ledger.
 */
describeBackends('Amazon Bedrock through the gateway', (backend) => {
  let sim: Simulator
  let t: GatewayTestApp
  let openai: OpenAI
  let anthropic: Anthropic

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    t = await startGatewayApp(backend, { ...sim.env(['bedrock']), AI_PROVIDER: 'bedrock' })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const owner = await userWithKey(t.app)
    const { port } = t.app.server.address() as { port: number }
    openai = new OpenAI({ apiKey: owner.key.key, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 })
    anthropic = new Anthropic({ apiKey: owner.key.key, baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 })
  })
  afterAll(async () => {
    await t?.close()
    await sim?.close()
  })

  it('is configured from the AWS variables and calls Converse with a SigV4-signed request', async () => {
    const seen: { url: string; authorization: string | null }[] = []
    const registry = createProviderRegistry(t.container.config.ai, {
      fetch: (input, init) => {
        seen.push({
          url: String(input instanceof Request ? input.url : input),
          authorization: new Headers(init?.headers).get('authorization'),
        })
        return fetch(input, init)
      },
    })
    expect(registry.configured).toEqual(['bedrock'])
    expect(registry.defaultModel('bedrock')).toBe('amazon.nova-lite-v1:0')
    const answer = await generateText({ model: registry.languageModel('bedrock'), prompt: 'x', maxRetries: 0 })
    expect(answer.text).toMatch(/\w+/)
    expect(seen).toHaveLength(1)
    expect(seen[0]!.url).toBe(`${sim.baseUrls.bedrock}/model/amazon.nova-lite-v1%3A0/converse`)
    expect(seen[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=sim-access-key\/\d{8}\/us-east-1\/bedrock\//)
  })

  it('answers /v1 chat completions from Bedrock, plain and streamed, and prices them from the catalog', async () => {
    // `nova-lite` is our catalog's alias: Bedrock receives the model's real id.
    const plain = await openai.chat.completions
      .create({ model: 'bedrock/nova-lite', messages: [{ role: 'user', content: 'One growth tip.' }] })
      .withResponse()
    expect(plain.data.choices[0]?.message.content).toMatch(/\w+/)
    expect(plain.response.headers.get('x-optimaliq-provider')).toBe('bedrock')
    const requestId = plain.response.headers.get('x-request-id')!
    await t.container.ai.ledger?.flush()
    const [row] = await t.database.db.query<{ provider: string; model: string; cost_usd: string }>(
      'select provider, model, cost_usd from ai_log where request_id = $1',
      [requestId],
    )
    expect(row).toMatchObject({ provider: 'bedrock', model: 'amazon.nova-lite-v1:0' })
    const usage = plain.data.usage!
    expect(Number(row!.cost_usd)).toBeCloseTo((usage.prompt_tokens * 0.06 + usage.completion_tokens * 0.24) / 1e6, 10)

    const stream = await openai.chat.completions.create({
      model: 'bedrock/nova-lite',
      messages: [{ role: 'user', content: 'One growth tip.' }],
      stream: true,
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    // The simulator answers the same request the same, streamed or not.
    expect(text).toBe(plain.data.choices[0]?.message.content)
  })

  it('answers stop_sequence on /v1/messages when Bedrock says a stop sequence ended the text (JSON and streamed)', async () => {
    // Every answer of the simulator has a space: it stops at the first word.
    const claude = await anthropic.messages.create({
      model: 'bedrock/anthropic.claude-3-5-haiku-20241022-v1:0',
      max_tokens: 50,
      stop_sequences: ['zzz', ' '],
      messages: [{ role: 'user', content: 'One growth tip.' }],
    })
    // Claude on Bedrock names the sequence.
    expect(claude).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ' ' })
    expect(claude.content[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/^\S+$/) })

    // Nova says only that a stop sequence ended it: with one sequence asked for, that is the one…
    const stream = anthropic.messages.stream({
      model: 'bedrock/nova-lite',
      max_tokens: 50,
      stop_sequences: [' '],
      messages: [{ role: 'user', content: 'One growth tip.' }],
    })
    expect(await stream.finalMessage()).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ' ' })
    // …with two, the reason is known and the sequence is not.
    const two = await anthropic.messages.create({
      model: 'bedrock/nova-lite',
      max_tokens: 50,
      stop_sequences: ['zzz', ' '],
      messages: [{ role: 'user', content: 'One growth tip.' }],
    })
    expect(two).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: null })
  })
})
