import type { LanguageModelV3, LanguageModelV3GenerateResult } from '@ai-sdk/provider'
import { APICallError } from 'ai'
import { MockLanguageModelV3 } from 'ai/test'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createAiClient, type GatewayCatalog, type GatewayProviders } from '../../../src/gateway/client.ts'
import type { Clock } from '../../../src/gateway/router/clock.ts'
import type { ModelInfo } from '../../../src/gateway/types.ts'
import { testConfig } from '../../helpers/backends.ts'

/**
 * The strategies through the in-code client and the whole pipeline, with scripted prices,
 * capabilities, latencies (a fake clock each model call advances) and randomness.
 */

const answer = (text: string): LanguageModelV3GenerateResult => ({
  content: [{ type: 'text', text }],
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: {
    inputTokens: { total: 100, noCache: 100, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: 20, text: 20, reasoning: undefined },
  },
  warnings: [],
})
const serverError = () =>
  new APICallError({ message: 'down', url: 'http://x', requestBodyValues: {}, statusCode: 503, isRetryable: true })

function providers(models: Record<string, LanguageModelV3>): GatewayProviders {
  return {
    names: Object.keys(models),
    defaultModel: (p) => `${p}-model`,
    languageModel: (p) => models[p] as LanguageModelV3,
  }
}

const info = (provider: string, capabilities: string[], input: number, output: number, contextWindow = 100_000) =>
  ({
    id: `${provider}-model`,
    provider,
    aliases: [],
    contextWindow,
    capabilities,
    inputPricePerMillion: input,
    outputPricePerMillion: output,
  }) satisfies ModelInfo

/** A catalog from model infos: capabilities, windows and prices per provider. */
function catalogOf(models: ModelInfo[]): GatewayCatalog {
  return {
    resolveModel: () => undefined,
    costUsd: (p, _m, u) => {
      const m = models.find((x) => x.provider === p)
      if (!m || u.inputTokens === undefined || u.outputTokens === undefined) return undefined
      return (u.inputTokens * m.inputPricePerMillion + u.outputTokens * m.outputPricePerMillion) / 1e6
    },
    models: () => models,
  }
}

const caller = { requestId: 'r' }
const text = (ai: ReturnType<typeof createAiClient>, route: string, content: string | object[] = 'hi') =>
  ai.generateText({
    feature: 'test',
    route,
    messages: [{ role: 'user', content: content as string }],
    caller,
  })

describe('routing strategies through the pipeline', () => {
  it('cost: the cheapest model that can read the images or write the JSON; the next cheapest when it fails', async () => {
    const models = {
      micro: new MockLanguageModelV3({ doGenerate: answer('micro') }),
      lite: new MockLanguageModelV3({ doGenerate: answer('lite') }),
      big: new MockLanguageModelV3({ doGenerate: answer('{"ok":true}') }),
    }
    const ai = createAiClient({
      config: testConfig({ AI_MAX_RETRIES: '0', AI_BREAKER_THRESHOLD: '1' }),
      providers: providers(models),
      catalog: catalogOf([
        info('micro', ['tools'], 0.03, 0.1),
        info('lite', ['vision'], 0.07, 0.3),
        info('big', ['vision', 'json_schema', 'tools'], 2, 8),
      ]),
      routes: { cheap: { strategy: 'cost', candidates: ['big/big-model', 'lite/lite-model', 'micro/micro-model'] } },
    })
    expect(await text(ai, 'cheap')).toMatchObject({ provider: 'micro', fallbackUsed: false })
    const image = [
      { type: 'text', text: 'what is this?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
    ]
    expect(await text(ai, 'cheap', image)).toMatchObject({ provider: 'lite' })
    const object = await ai.generateObject({
      feature: 'test',
      route: 'cheap',
      schema: z.object({ ok: z.boolean() }),
      messages: [{ role: 'user', content: 'json please' }],
      caller,
    })
    expect(object).toMatchObject({ provider: 'big', object: { ok: true } })
    // The cheapest fails: the next cheapest answers, and while its breaker is open it is not first.
    models.micro.doGenerate = async () => {
      throw serverError()
    }
    const fallback = await text(ai, 'cheap')
    expect(fallback).toMatchObject({ provider: 'lite', fallbackUsed: true })
    expect(fallback.attempts.map((a) => a.provider)).toEqual(['micro', 'lite'])
    const next = await text(ai, 'cheap')
    expect(next).toMatchObject({ provider: 'lite', fallbackUsed: false })
    await ai.close()
  })

  it('weighted: the injected draw orders every place, fallbacks included', async () => {
    const calls: string[] = []
    const model = (name: string, fail = false) =>
      new MockLanguageModelV3({
        doGenerate: async () => {
          calls.push(name)
          if (fail) throw serverError()
          return answer(name)
        },
      })
    const draws = [0.9, 0.5, 0.1]
    const ai = createAiClient({
      config: testConfig({ AI_MAX_RETRIES: '0' }),
      providers: providers({ a: model('a', true), b: model('b'), c: model('c', true) }),
      catalog: catalogOf([]),
      random: () => draws.shift() ?? 0.5,
      routes: {
        split: [
          { provider: 'a', model: 'a-model', weight: 1 },
          { provider: 'b', model: 'b-model', weight: 1 },
          { provider: 'c', model: 'c-model', weight: 100 },
        ],
      },
    })
    // Keys −ln(1−u)/w: a 2.30, b 0.69, c 0.001 → c, b, a: c fails, b (not a) is the fallback.
    expect(await text(ai, 'split')).toMatchObject({ provider: 'b', fallbackUsed: true })
    expect(calls).toEqual(['c', 'b'])
    await ai.close()
  })

  it('latency: learns the faster provider, leaves it while it fails, and tries it again after it recovers', async () => {
    let now = 0
    const clock: Clock = { now: () => now, sleep: async () => undefined }
    let fastDown = false
    const timed = (name: string, ms: number, down = () => false) =>
      new MockLanguageModelV3({
        doGenerate: async () => {
          now += ms
          if (down()) throw serverError()
          return answer(name)
        },
      })
    const ai = createAiClient({
      config: testConfig({ AI_MAX_RETRIES: '0', AI_BREAKER_THRESHOLD: '1', AI_BREAKER_HALF_OPEN_MS: '10' }),
      providers: providers({ slow: timed('slow', 400), fast: timed('fast', 40, () => fastDown) }),
      catalog: catalogOf([]),
      clock,
      random: () => 0.99,
      routes: {
        quick: {
          strategy: 'latency',
          candidates: ['slow/slow-model', 'fast/fast-model'],
          latency: { explorationRate: 0, probeAfterSeconds: 30, windowSeconds: 60 },
        },
      },
    })
    // Nothing known: each is explored once, in turn.
    expect((await text(ai, 'quick')).provider).toBe('slow')
    expect((await text(ai, 'quick')).provider).toBe('fast')
    expect(ai.latency.p50('fast', 'fast-model', 60_000)).toBe(40)
    for (let i = 0; i < 3; i++) expect((await text(ai, 'quick')).provider).toBe('fast')
    // Fast fails: its breaker opens; slow serves.
    fastDown = true
    expect(await text(ai, 'quick')).toMatchObject({ provider: 'slow', fallbackUsed: true })
    fastDown = false
    // A minute of silence from fast (its samples leave the window), and its breaker's half-open time passes.
    now += 61_000
    await new Promise((resolve) => setTimeout(resolve, 30))
    // Explored first again: it answers, and leads from then on.
    expect(await text(ai, 'quick')).toMatchObject({ provider: 'fast', fallbackUsed: false })
    // Slow was silent as long: it is explored once too; then the faster leads again.
    expect((await text(ai, 'quick')).provider).toBe('slow')
    for (let i = 0; i < 3; i++) expect((await text(ai, 'quick')).provider).toBe('fast')
    expect(ai.providerHealth().find((h) => h.provider === 'fast')?.breaker).toBe('closed')
    await ai.close()
  })
})
