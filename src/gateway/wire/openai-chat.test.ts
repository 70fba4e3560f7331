import { describe, expect, it } from 'vitest'
import { OptimaliqError } from '../../errors.ts'
import { UnknownModelError } from '../router/routes.ts'
import { chatCompletionBody, firstChunkEvent, openAiError, toChunkEvents, toCompletion } from './openai-chat.ts'
import { toChatRequest } from './translate.ts'

describe('openai format', () => {
  it('maps a request body to a provider-neutral chat request', () => {
    const body = chatCompletionBody.parse({
      model: 'default',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      temperature: 0,
      max_tokens: 5,
      top_p: 0.5,
      stop: 'END',
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      tool_choice: 'auto',
      user: 'kept',
    })
    expect(body.user).toBe('kept')
    expect(toChatRequest(body)).toMatchObject({
      temperature: 0,
      maxTokens: 5,
      topP: 0.5,
      stop: ['END'],
      responseFormat: { type: 'json', schema: { type: 'object' }, name: 'x' },
      toolChoice: 'auto',
    })
    expect(
      toChatRequest(
        chatCompletionBody.parse({
          model: 'm',
          messages: [{ role: 'user', content: 'x' }],
          response_format: { type: 'json_object' },
        }),
      ).responseFormat,
    ).toEqual({ type: 'json' })
  })

  it('writes completions and stream chunks in OpenAI shape', () => {
    const meta = { id: 'chatcmpl-1', model: 'm', created: 1 }
    const completion = JSON.parse(
      toCompletion(
        {
          text: '',
          toolCalls: [{ id: 'c1', name: 'lookup', arguments: '{}' }],
          finishReason: 'tool_calls',
          usage: { inputTokens: 3, outputTokens: 4 },
        },
        meta,
      ),
    )
    expect(completion.choices[0].message).toMatchObject({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{}' } }],
    })
    expect(completion.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 })
    expect(
      JSON.parse(
        toCompletion(
          { text: 'hi', toolCalls: [], finishReason: 'stop', usage: { inputTokens: undefined, outputTokens: 1 } },
          meta,
        ),
      ).usage,
    ).toBeUndefined()
    expect(firstChunkEvent(meta)).toContain('"role":"assistant"')
    const state = { toolIndex: 0 }
    expect(toChunkEvents({ type: 'text', text: 'He' }, { ...meta, includeUsage: true }, state)).toMatch(
      /^data: .*"content":"He"/,
    )
    expect(
      toChunkEvents(
        { type: 'tool-call', call: { id: 'c', name: 'n', arguments: '{}' } },
        { ...meta, includeUsage: true },
        state,
      ),
    ).toContain('"index":0')
    const finish = toChunkEvents(
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 2 } },
      { ...meta, includeUsage: true },
      state,
    )
    expect(finish.split('\n\n').filter(Boolean)).toHaveLength(2)
    expect(finish).toContain('"total_tokens":3')
  })

  it('turns errors into OpenAI error bodies', () => {
    expect(openAiError(new UnknownModelError('nope'))).toMatchObject({
      status: 404,
      body: { error: { type: 'invalid_request_error', param: 'model', code: 'model_not_found' } },
    })
    expect(
      openAiError(new OptimaliqError('rate_limited', 'slow down', { status: 429, headers: { 'retry-after': '3' } })),
    ).toMatchObject({ status: 429, body: { error: { type: 'rate_limit_error' } }, headers: { 'retry-after': '3' } })
    expect(openAiError(new OptimaliqError('budget_exceeded', 'no money', { status: 402 })).body.error.type).toBe(
      'insufficient_quota',
    )
    expect(openAiError(new Error('secret detail'))).toEqual({
      status: 500,
      body: { error: { message: 'Internal server error', type: 'api_error', param: null, code: 'internal_error' } },
    })
  })
})
