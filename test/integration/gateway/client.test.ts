import type { LanguageModelV3, LanguageModelV3GenerateResult } from '@ai-sdk/provider'
import { APICallError } from 'ai'
import { MockLanguageModelV3, convertArrayToReadableStream } from 'ai/test'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { testConfig } from '../../helpers/backends.ts'
import { createAiClient, checkObject, type GatewayCatalog, type GatewayProviders } from '../../../src/gateway/client.ts'
import { BudgetExceededError } from '../../../src/governance/limits/errors.ts'
import type { AiGuard } from '../../../src/gateway/types.ts'

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: output, text: output, reasoning: undefined },
})
const answer = (text: string): LanguageModelV3GenerateResult => ({
  content: [{ type: 'text', text }],
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: usage(10, 5),
  warnings: [],
})
const serverError = () =>
  new APICallError({ message: 'boom', url: 'http://x', requestBodyValues: {}, statusCode: 500, isRetryable: true })

function fakeProviders(models: Record<string, LanguageModelV3>): GatewayProviders {
  return {
    names: Object.keys(models),
    defaultModel: (p) => `${p}-model`,
    languageModel: (p) => models[p] as LanguageModelV3,
  }
}
const catalog: GatewayCatalog = {
  resolveModel: () => undefined,
  costUsd: (_p, _m, u) =>
    u.inputTokens === undefined || u.outputTokens === undefined
      ? undefined
      : (u.inputTokens * 1 + u.outputTokens * 2) / 1e6,
  models: () => [],
}
const config = (env: Record<string, string> = {}) => testConfig({ AI_MAX_RETRIES: '0', ...env })
const schema = z.object({ score: z.number().int().min(1).max(5), summary: z.string() })
const caller = { userId: undefined, requestId: 'req-1' }

describe('ai client', () => {
  it('asks the pacer before each attempt: a paced provider is skipped without harming its breaker, and usage is settled', async () => {
    const paced = new MockLanguageModelV3({ doGenerate: answer('{"score":5,"summary":"a"}') })
    const other = new MockLanguageModelV3({ doGenerate: answer('{"score":3,"summary":"b"}') })
    const settled: Array<[string, number, number]> = []
    const pacer = {
      acquire: async (provider: string) => provider !== 'openai',
      settle: (provider: string, estimated: number, actual: number) => void settled.push([provider, estimated, actual]),
    }
    const ai = createAiClient({
      config: config({ AI_BREAKER_THRESHOLD: '1' }),
      providers: fakeProviders({ openai: paced, anthropic: other }),
      catalog,
      pacer,
    })
    for (let i = 0; i < 3; i++) {
      const result = await ai.generateObject({
        feature: 'test',
        schema,
        messages: [{ role: 'user', content: `hi ${i}` }],
        caller,
      })
      expect(result).toMatchObject({ provider: 'anthropic', fallbackUsed: true })
      expect(result.attempts.map((a) => a.errorClass ?? 'ok')).toEqual(['paced', 'ok'])
    }
    expect(paced.doGenerateCalls).toHaveLength(0)
    expect(ai.providerHealth().find((h) => h.provider === 'openai')?.breaker).toBe('closed')
    expect(settled).toHaveLength(3)
    expect(settled[0]).toEqual(['anthropic', expect.any(Number), 15])
  })

  it("calls unpaced when the pacer's database fails, without counting it against the provider", async () => {
    const model = new MockLanguageModelV3({ doGenerate: answer('{"score":4,"summary":"a"}') })
    const pacer = {
      acquire: async () => {
        throw Object.assign(new Error('deadlock detected'), { code: '40P01' })
      },
      settle: () => {
        throw new Error('nothing was reserved, so nothing is settled')
      },
    }
    const ai = createAiClient({
      config: config({ AI_BREAKER_THRESHOLD: '1' }),
      providers: fakeProviders({ openai: model }),
      catalog,
      pacer,
    })
    for (let i = 0; i < 2; i++) {
      const result = await ai.generateObject({
        feature: 'test',
        schema,
        messages: [{ role: 'user', content: `hi ${i}` }],
        caller,
      })
      expect(result).toMatchObject({ provider: 'openai', fallbackUsed: false, object: { score: 4 } })
    }
    expect(model.doGenerateCalls).toHaveLength(2)
    expect(ai.providerHealth().find((h) => h.provider === 'openai')?.breaker).toBe('closed')
  })

  it('answers from rules when a budget refuses and allows the rules fallback, and refuses otherwise', async () => {
    const model = new MockLanguageModelV3({ doGenerate: answer('{"score":3,"summary":"paid"}') })
    const refuse = (rulesFallback: boolean): AiGuard => ({
      before: async () => {
        throw new BudgetExceededError({
          budget: 'user.free.daily',
          limitUsd: 1,
          spentUsd: 1.2,
          resetAt: new Date('2030-01-02T00:00:00Z'),
          rulesFallback,
        })
      },
      after: async () => {},
    })
    const request = { feature: 'test', schema, messages: [{ role: 'user' as const, content: 'hi' }], caller }
    const lenient = createAiClient({
      config: config(),
      providers: fakeProviders({ openai: model }),
      catalog,
      guards: [refuse(true)],
    })
    const fallback = await lenient.generateObject({ ...request, rules: () => ({ score: 2, summary: 'rules' }) })
    expect(fallback).toMatchObject({ object: { score: 2, summary: 'rules' }, provider: 'rules', costUsd: 0 })
    expect(model.doGenerateCalls).toHaveLength(0)
    await expect(lenient.generateObject(request)).rejects.toMatchObject({ code: 'budget_exceeded' })
    const strict = createAiClient({
      config: config(),
      providers: fakeProviders({ openai: model }),
      catalog,
      guards: [refuse(false)],
    })
    await expect(
      strict.generateObject({ ...request, rules: () => ({ score: 2, summary: 'rules' }) }),
    ).rejects.toMatchObject({ code: 'budget_exceeded' })
    expect(model.doGenerateCalls).toHaveLength(0)
  })

  it('returns a validated object with usage, cost and meta', async () => {
    const model = new MockLanguageModelV3({ doGenerate: answer('{"score":3,"summary":"ok"}') })
    const ai = createAiClient({ config: config(), providers: fakeProviders({ openai: model }), catalog })
    const result = await ai.generateObject({
      feature: 'test',
      schema,
      messages: [{ role: 'user', content: 'hi' }],
      caller,
      temperature: 0,
    })
    expect(result.object).toEqual({ score: 3, summary: 'ok' })
    expect(result).toMatchObject({
      provider: 'openai',
      model: 'openai-model',
      usage: { inputTokens: 10, outputTokens: 5 },
      costUsd: 20 / 1e6,
      cached: false,
      fallbackUsed: false,
    })
    expect(model.doGenerateCalls[0]?.temperature).toBe(0)
    expect(model.doGenerateCalls[0]?.responseFormat).toMatchObject({ type: 'json' })
    await ai.close()
  })

  it('repairs invalid output once, sending the validation error back', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: [answer('{"score":9,"summary":"x"}'), answer('```json\n{"score":4,"summary":"fixed"}\n```')],
    })
    const ai = createAiClient({ config: config(), providers: fakeProviders({ openai: model }), catalog })
    const result = await ai.generateObject({
      feature: 'test',
      schema,
      messages: [{ role: 'user', content: 'hi' }],
      caller,
    })
    expect(result.object).toEqual({ score: 4, summary: 'fixed' })
    expect(result.usage).toEqual({ inputTokens: 20, outputTokens: 10 })
    expect(JSON.stringify(model.doGenerateCalls[1]?.prompt)).toContain('score')
    expect(result.attempts.map((a) => a.errorClass ?? 'ok')).toEqual(['invalid_output', 'ok'])
  })

  it('routes on when the repair fails too and never returns an invalid object', async () => {
    const bad = new MockLanguageModelV3({ doGenerate: [answer('not json'), answer('{"score":"high"}')] })
    const good = new MockLanguageModelV3({ doGenerate: answer('{"score":2,"summary":"b"}') })
    const ai = createAiClient({ config: config(), providers: fakeProviders({ openai: bad, anthropic: good }), catalog })
    const result = await ai.generateObject({
      feature: 'test',
      schema,
      messages: [{ role: 'user', content: 'hi' }],
      caller,
    })
    expect(result).toMatchObject({ object: { score: 2, summary: 'b' }, provider: 'anthropic', fallbackUsed: true })
    const onlyBad = createAiClient({
      config: config(),
      providers: fakeProviders({ openai: new MockLanguageModelV3({ doGenerate: answer('{"score":7}') }) }),
      catalog,
    })
    await expect(
      onlyBad.generateObject({ feature: 'test', schema, messages: [{ role: 'user', content: 'hi' }], caller }),
    ).rejects.toMatchObject({ code: 'all_providers_failed' })
    const withRules = await onlyBad.generateObject({
      feature: 'test',
      schema,
      messages: [{ role: 'user', content: 'hi' }],
      caller,
      rules: () => ({ score: 1, summary: 'rules' }),
    })
    expect(withRules).toMatchObject({ object: { score: 1, summary: 'rules' }, provider: 'rules', fallbackUsed: true })
  })

  it('falls back on provider errors and answers from rules when AI is disabled', async () => {
    const failing = new MockLanguageModelV3({
      doGenerate: async () => {
        throw serverError()
      },
    })
    const good = new MockLanguageModelV3({ doGenerate: answer('hello') })
    const ai = createAiClient({
      config: config(),
      providers: fakeProviders({ openai: failing, anthropic: good }),
      catalog,
    })
    const text = await ai.generateText({ feature: 'chat', messages: [{ role: 'user', content: 'hi' }], caller })
    expect(text).toMatchObject({ text: 'hello', provider: 'anthropic', fallbackUsed: true })
    expect(text.attempts[0]).toMatchObject({ provider: 'openai', errorClass: 'server_error', status: 500 })

    const off = createAiClient({
      config: config({ AI_ENABLED: 'false' }),
      providers: fakeProviders({ openai: good }),
      catalog,
    })
    expect(off.enabled).toBe(false)
    const ruled = await off.generateText({ feature: 'chat', messages: [], caller, rules: () => 'rules text' })
    expect(ruled).toMatchObject({ text: 'rules text', provider: 'rules', fallbackUsed: false })
    await expect(off.generateText({ feature: 'chat', messages: [], caller })).rejects.toMatchObject({
      code: 'ai_unavailable',
      status: 503,
    })
    const none = createAiClient({ config: config(), providers: fakeProviders({}), catalog })
    expect(none.enabled).toBe(false)
  })

  it('caches with single flight: identical concurrent requests make one upstream call', async () => {
    let calls = 0
    const model = new MockLanguageModelV3({
      doGenerate: async () => {
        calls += 1
        await new Promise((resolve) => setTimeout(resolve, 20))
        return answer('{"score":5,"summary":"cached"}')
      },
    })
    const ai = createAiClient({ config: config(), providers: fakeProviders({ openai: model }), catalog })
    const request = {
      feature: 'levers',
      schema,
      messages: [{ role: 'user' as const, content: 'same' }],
      caller,
      cacheTtlSeconds: 60,
    }
    const results = await Promise.all(Array.from({ length: 100 }, () => ai.generateObject(request)))
    expect(calls).toBe(1)
    expect(results.filter((r) => !r.cached)).toHaveLength(1)
    const again = await ai.generateObject(request)
    expect(again).toMatchObject({ cached: true, costUsd: 0 })
    await ai.generateObject({ ...request, cacheScope: 'scores-changed' })
    expect(calls).toBe(2)
  })

  it('calls guards around each request and uses versioned candidates', async () => {
    const events: string[] = []
    const guard: AiGuard = {
      before: async (_c, call) => void events.push(`before:${call.feature}`),
      after: async (_c, call) => void events.push(`after:${call.meta.provider}`),
    }
    const model = new MockLanguageModelV3({ doGenerate: answer('hi') })
    const ai = createAiClient({
      config: config(),
      providers: fakeProviders({ openai: model, anthropic: model }),
      catalog,
      guards: [guard],
      resolveVersions: async () => [
        { provider: 'anthropic', model: 'v-model', versionId: 'v7', params: { temperature: 0.2 } },
      ],
    })
    const result = await ai.generateText({ feature: 'insights', messages: [{ role: 'user', content: 'hi' }], caller })
    expect(result).toMatchObject({ provider: 'anthropic', model: 'v-model', modelVersion: 'v7' })
    expect(model.doGenerateCalls[0]?.temperature).toBe(0.2)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(events).toEqual(['before:insights', 'after:anthropic'])
    const refusing: AiGuard = {
      before: async () => {
        throw Object.assign(new Error('limit'), { code: 'rate_limited' })
      },
      after: async () => undefined,
    }
    const limited = createAiClient({
      config: config(),
      providers: fakeProviders({ openai: model }),
      catalog,
      guards: [refusing],
    })
    await expect(limited.generateText({ feature: 'x', messages: [], caller })).rejects.toThrow('limit')
  })

  it('streams text with meta, falling back before the first chunk', async () => {
    const failing = new MockLanguageModelV3({
      doStream: async () => {
        throw serverError()
      },
    })
    const streaming = new MockLanguageModelV3({
      doStream: {
        stream: convertArrayToReadableStream([
          { type: 'stream-start', warnings: [] },
          { type: 'text-start', id: '1' },
          { type: 'text-delta', id: '1', delta: 'Hel' },
          { type: 'text-delta', id: '1', delta: 'lo' },
          { type: 'text-end', id: '1' },
          { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(3, 2) },
        ]),
      },
    })
    const ai = createAiClient({
      config: config(),
      providers: fakeProviders({ openai: failing, anthropic: streaming }),
      catalog,
    })
    const { textStream, meta } = await ai.stream({
      feature: 'chat',
      messages: [{ role: 'user', content: 'hi' }],
      caller,
    })
    let text = ''
    for await (const piece of textStream) text += piece
    expect(text).toBe('Hello')
    expect(await meta).toMatchObject({
      provider: 'anthropic',
      fallbackUsed: true,
      usage: { inputTokens: 3, outputTokens: 2 },
    })
    const off = createAiClient({ config: config({ AI_ENABLED: 'false' }), providers: fakeProviders({}), catalog })
    const ruled = await off.stream({ feature: 'chat', messages: [], caller, rules: () => 'rules' })
    for await (const piece of ruled.textStream) expect(piece).toBe('rules')
    expect((await ruled.meta).provider).toBe('rules')
    expect(ai.providerHealth().map((h) => h.provider)).toEqual(['openai', 'anthropic'])
    expect(ai.models()).toEqual([])
  })

  it('hedges a slow first provider when AI_HEDGE_AFTER_MS is set, cancelling the loser', async () => {
    let cancelled = false
    const slow = new MockLanguageModelV3({
      doGenerate: (options) =>
        new Promise((_, reject) =>
          options.abortSignal?.addEventListener(
            'abort',
            () => ((cancelled = true), reject(options.abortSignal?.reason as Error)),
          ),
        ),
    })
    const fast = new MockLanguageModelV3({ doGenerate: answer('quick') })
    const ai = createAiClient({
      config: config({ AI_HEDGE_AFTER_MS: '20' }),
      providers: fakeProviders({ openai: slow, anthropic: fast }),
      catalog,
    })
    const result = await ai.generateText({ feature: 'chat', messages: [{ role: 'user', content: 'hi' }], caller })
    expect(result).toMatchObject({ text: 'quick', provider: 'anthropic', fallbackUsed: true })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(cancelled).toBe(true)
  })

  it('checks objects tolerantly but strictly', () => {
    expect(checkObject(schema, '{"score":1,"summary":"a"}')).toEqual({ ok: true, value: { score: 1, summary: 'a' } })
    expect(checkObject(schema, '{"score":0}')).toMatchObject({ ok: false })
  })
})
