import { describe, expect, it } from 'vitest'
import { chatCompletionBody, type ChatCompletionBody } from './openai-chat.ts'
import { toChatRequest, unsupportedParams, UnsupportedParameterError } from './translate.ts'

const body = (extra: Record<string, unknown>): ChatCompletionBody =>
  chatCompletionBody.parse({ model: 'x', messages: [{ role: 'user', content: 'hi' }], ...extra })
const target = (provider: string, model = 'm', capabilities?: string[]) => ({ provider, model, capabilities })

describe('faithful translation', () => {
  it('maps reasoning_effort, parallel_tool_calls and thinking to each provider’s own options', () => {
    expect(toChatRequest(body({ reasoning_effort: 'none' }), target('anthropic')).providerOptions).toEqual({
      anthropic: { thinking: { type: 'disabled' } },
    })
    expect(
      toChatRequest(
        body({
          reasoning_effort: 'minimal',
          parallel_tool_calls: false,
          thinking: { type: 'enabled', budget_tokens: 2048 },
        }),
        target('anthropic'),
      ).providerOptions,
    ).toEqual({
      anthropic: { effort: 'low', disableParallelToolUse: true, thinking: { type: 'enabled', budgetTokens: 2048 } },
    })
    expect(toChatRequest(body({ reasoning_effort: 'none' }), target('vertex')).providerOptions).toEqual({
      google: { thinkingConfig: { thinkingBudget: 0 } },
    })
    expect(toChatRequest(body({ reasoning_effort: 'minimal' }), target('google')).providerOptions).toEqual({
      google: { thinkingConfig: { thinkingLevel: 'minimal' } },
    })
    expect(
      toChatRequest(body({ reasoning_effort: 'medium', parallel_tool_calls: true }), target('mistral')).providerOptions,
    ).toEqual({ mistral: { reasoningEffort: 'high', parallelToolCalls: true } })
    expect(toChatRequest(body({ reasoning_effort: 'none' }), target('mistral')).providerOptions).toEqual({
      mistral: { reasoningEffort: 'none' },
    })
  })

  it('leaves out what the client dropped, content parts included', () => {
    const request = toChatRequest(
      body({
        seed: 1,
        presence_penalty: 1,
        frequency_penalty: 1,
        user: 'u',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'input_audio', input_audio: { data: 'x', format: 'wav' } },
            ],
          },
        ],
      }),
      target('anthropic'),
      new Set(['seed', 'presence_penalty', 'frequency_penalty', 'user', 'messages[0].content[1]']),
    )
    expect(request).toMatchObject({ messages: [{ content: [{ type: 'text', text: 'a' }] }] })
    expect(request.seed).toBeUndefined()
    expect(request.presencePenalty).toBeUndefined()
    expect(request.providerOptions).toBeUndefined()
  })

  it('names images a model cannot take: no vision, a bad URL, an assistant image', () => {
    const image = (url: string, role = 'user') =>
      body({ messages: [{ role, content: [{ type: 'image_url', image_url: { url } }] }] })
    expect(unsupportedParams(image('https://x/a.png'), target('mistral', 'm', ['tools']))[0]?.message).toMatch(
      /does not take images/,
    )
    expect(unsupportedParams(image('ftp://x/a.png'), target('anthropic'))[0]?.message).toMatch(/data: or http/)
    expect(unsupportedParams(image('https://x/a.png', 'assistant'), target('anthropic'))[0]?.param).toBe(
      'messages[0].content[0]',
    )
    expect(
      unsupportedParams(body({ n: 1, logprobs: false, top_logprobs: 0, seed: null }), target('anthropic')),
    ).toEqual([])
  })

  it('is a 400 unsupported_parameter naming the field', () => {
    const error = new UnsupportedParameterError({ param: 'seed', message: 'seed is not supported by a/b' }, 'a/b')
    expect(error).toMatchObject({
      status: 400,
      code: 'unsupported_parameter',
      details: [{ field: 'seed', model: 'a/b' }],
    })
  })
})
