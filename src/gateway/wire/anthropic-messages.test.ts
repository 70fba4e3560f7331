import { describe, expect, it } from 'vitest'
import { OptimaliqError } from '../../errors.ts'
import { createEventWriter } from '../pipeline/call-anthropic.ts'
import {
  anthropicError,
  anthropicErrorType,
  anthropicStreamErrorEvent,
  messagesBody,
  stopOf,
  stopReasonOf,
  toAnthropicMessage,
  toChatFromMessages,
  unsupportedMessageParams,
  type MessagesBody,
} from './anthropic-messages.ts'
import { createAnthropicSseRelay } from './anthropic-sse.ts'
import { UnsupportedParameterError } from './translate.ts'

const body = (extra: Record<string, unknown> = {}): MessagesBody =>
  messagesBody.parse({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }], ...extra })
const openai = { provider: 'openai', model: 'gpt-4.1-mini' }
const params = (b: MessagesBody, target: { provider: string; model: string; capabilities?: string[] } = openai) =>
  unsupportedMessageParams(b, target).map((u) => u.param)

describe('unsupportedMessageParams', () => {
  it('lets the common options through and names what a translated provider cannot carry', () => {
    expect(params(body({ temperature: 0.5, top_p: 0.9, stop_sequences: ['X'], system: 'S' }))).toEqual([])
    expect(params(body({ top_k: 3 }))).toEqual(['top_k'])
    expect(params(body({ top_k: 3 }), { provider: 'google', model: 'g' })).toEqual([])
    expect(params(body({ metadata: { user_id: 'u' } }))).toEqual([])
    expect(params(body({ metadata: { user_id: 'u' } }), { provider: 'mistral', model: 'x' })).toEqual([
      'metadata.user_id',
    ])
    expect(params(body({ metadata: { other: 1 } }))).toEqual(['metadata.other'])
    expect(params(body({ thinking: { type: 'enabled', budget_tokens: 1024 } }))).toEqual(['thinking'])
    expect(params(body({ system: [{ type: 'text', text: 'S', cache_control: { type: 'ephemeral' } }] }))).toEqual([
      'system.0.cache_control',
    ])
    expect(
      params(
        body({
          tools: [
            { name: 'a', input_schema: {} },
            { name: 'web_search', type: 'web_search_20250305' },
            { name: 'c', cache_control: { type: 'ephemeral' } },
          ],
          tool_choice: { type: 'auto', disable_parallel_tool_use: true },
        }),
      ),
    ).toEqual(['tools.1.type', 'tools.2.cache_control', 'tool_choice.disable_parallel_tool_use'])
  })

  it('checks content blocks: kinds per role, images (vision, source), tool results, extra keys', () => {
    const png = { type: 'base64', media_type: 'image/png', data: 'AAAA' }
    const b = body({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: png },
            { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
            { type: 'image', source: { type: 'file', file_id: 'f' } },
            { type: 'tool_result', tool_use_id: 't', content: [{ type: 'image', source: png }] },
            { type: 'text', text: 'x', cache_control: { type: 'ephemeral' } },
            { type: 'document', source: {} },
          ],
        },
        { role: 'assistant', content: [{ type: 'thinking', thinking: '…' }] },
      ],
    })
    expect(params(b)).toEqual([
      'messages.0.content.2.source',
      'messages.0.content.3.content',
      'messages.0.content.4.cache_control',
      'messages.0.content.5',
      'messages.1.content.0.thinking',
      'messages.1.content.0',
    ])
    // Google takes images inline only; a model without vision takes none.
    expect(params(b, { provider: 'google', model: 'g' })).toContain('messages.0.content.1.source')
    expect(params(b, { provider: 'openai', model: 'x', capabilities: ['tools'] })).toContain('messages.0.content.0')
  })

  it('is named in a 400 unsupported_parameter that Anthropic clients read', () => {
    const [first] = unsupportedMessageParams(body({ top_k: 2 }), openai)
    const error = anthropicError(new UnsupportedParameterError(first as never, 'openai/gpt-4.1-mini'))
    expect(error.status).toBe(400)
    expect(error.body.error.type).toBe('invalid_request_error')
    expect(error.body.error.message).toMatch(/^top_k: top_k is not supported \(openai\/gpt-4\.1-mini\)/)
  })
})

describe('toChatFromMessages', () => {
  it('maps system blocks, tool_use/tool_result, images, tool_choice, top_k and metadata.user_id', () => {
    const chat = toChatFromMessages(
      body({
        system: [
          { type: 'text', text: 'One.' },
          { type: 'text', text: 'Two.' },
        ],
        top_k: 4,
        metadata: { user_id: 'u-1' },
        tools: [{ name: 'f', description: 'F', input_schema: { type: 'object' } }, { name: 'g' }],
        tool_choice: { type: 'any' },
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AA' } }],
          },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Calling.' },
              { type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'ok' }], is_error: true },
              { type: 'text', text: 'Next?' },
            ],
          },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't2', name: 'g', input: {} }] },
        ],
      }),
      openai,
    )
    expect(chat.system).toBe('One.\nTwo.')
    expect(chat.topK).toBe(4)
    expect(chat.providerOptions).toEqual({ openai: { user: 'u-1' } })
    expect(chat.toolChoice).toBe('required')
    expect(chat.tools).toEqual([
      { type: 'function', function: { name: 'f', description: 'F', parameters: { type: 'object' } } },
      { type: 'function', function: { name: 'g', parameters: { type: 'object', properties: {} } } },
    ])
    expect(chat.messages).toEqual([
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }] },
      {
        role: 'assistant',
        content: 'Calling.',
        tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
      },
      { role: 'tool', tool_call_id: 't1', content: 'ok', is_error: true },
      { role: 'user', content: [{ type: 'text', text: 'Next?' }] },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't2', type: 'function', function: { name: 'g', arguments: '{}' } }],
      },
    ])
    expect(toChatFromMessages(body({ tool_choice: { type: 'tool', name: 'f' } }), openai).toolChoice).toEqual({
      type: 'function',
      function: { name: 'f' },
    })
    expect(toChatFromMessages(body({ tool_choice: { type: 'none' } }), openai).toolChoice).toBe('none')
  })

  it('leaves out what was dropped at the client’s request', () => {
    const chat = toChatFromMessages(
      body({ top_k: 4, messages: [{ role: 'user', content: [{ type: 'document' }, { type: 'text', text: 'x' }] }] }),
      openai,
      new Set(['top_k', 'messages.0.content.0']),
    )
    expect(chat.topK).toBeUndefined()
    expect(chat.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'x' }] }])
  })
})

describe('answers and errors in Anthropic shape', () => {
  it('writes a message from a translated result; unknown usage stays null', () => {
    const json = JSON.parse(
      toAnthropicMessage(
        {
          text: 'Hi',
          toolCalls: [{ id: 'c1', name: 'f', arguments: 'not json' }],
          finishReason: 'tool_calls',
          usage: { inputTokens: 3, outputTokens: undefined },
        },
        { id: 'msg_1', model: 'gpt' },
      ),
    ) as Record<string, unknown>
    expect(json).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'gpt',
      content: [
        { type: 'text', text: 'Hi' },
        { type: 'tool_use', id: 'c1', name: 'f', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: null },
    })
    expect(['stop', 'length', 'tool_calls', 'content_filter'].map((r) => stopReasonOf(r as never))).toEqual([
      'end_turn',
      'max_tokens',
      'tool_use',
      'refusal',
    ])
  })

  it('says stop_sequence only on the provider’s word, naming the sequence when it is known', () => {
    const stop = (finishReason: 'stop' | 'length', sequence?: string, said = true) => ({
      finishReason,
      ...(said ? { stop: { sequence } } : {}),
    })
    expect(stopOf(stop('stop', 'END'), ['END', '###'])).toEqual({ stop_reason: 'stop_sequence', stop_sequence: 'END' })
    expect(stopOf(stop('stop'), ['###'])).toEqual({ stop_reason: 'stop_sequence', stop_sequence: '###' })
    expect(stopOf(stop('stop'), ['END', '###'])).toEqual({ stop_reason: 'stop_sequence', stop_sequence: null })
    // OpenAI's `stop`: a natural end or a stripped sequence, it does not say which.
    expect(stopOf(stop('stop', undefined, false), ['END'])).toEqual({ stop_reason: 'end_turn', stop_sequence: null })
    expect(stopOf(stop('length', 'END'), ['END'])).toEqual({ stop_reason: 'max_tokens', stop_sequence: null })
  })

  it('maps statuses to Anthropic error types', () => {
    expect([400, 401, 402, 403, 404, 413, 418, 429, 500, 503, 529].map(anthropicErrorType)).toEqual([
      'invalid_request_error',
      'authentication_error',
      'billing_error',
      'permission_error',
      'not_found_error',
      'request_too_large',
      'invalid_request_error',
      'rate_limit_error',
      'api_error',
      'overloaded_error',
      'overloaded_error',
    ])
    const limited = anthropicError(
      new OptimaliqError('rate_limited', 'Too many', { status: 429, headers: { 'retry-after': '3' } }),
    )
    expect(limited).toEqual({
      status: 429,
      body: { type: 'error', error: { type: 'rate_limit_error', message: 'Too many' } },
      headers: { 'retry-after': '3' },
    })
    expect(anthropicError(new Error('boom'))).toEqual({
      status: 500,
      body: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } },
    })
    expect(anthropicStreamErrorEvent('cut')).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"cut"}}\n\n',
    )
  })

  it('frames a translated stream as blocks opened and closed in order', () => {
    const writer = createEventWriter({ id: 'msg_1', model: 'gpt' })
    const text =
      writer.start() +
      writer.chunk({ type: 'text', text: 'A' }) +
      writer.chunk({ type: 'text', text: 'B' }) +
      writer.chunk({ type: 'tool-call', call: { id: 'c', name: 'f', arguments: '{"x":1}' } }) +
      writer.chunk({ type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 5, outputTokens: 7 } })
    const events = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1] as string) as { type: string })
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ])
    expect(events[6]).toMatchObject({ index: 1, content_block: { type: 'tool_use', id: 'c', name: 'f', input: {} } })
    expect(events[7]).toMatchObject({ index: 1, delta: { type: 'input_json_delta', partial_json: '{"x":1}' } })
    expect(events[9]).toMatchObject({
      delta: { stop_reason: 'tool_use' },
      usage: { input_tokens: 5, output_tokens: 7 },
    })
  })
})

describe('the Anthropic SSE relay', () => {
  const start =
    'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":4,"cache_read_input_tokens":6,"output_tokens":1}}}\n\n'
  it('passes whole events on, reads usage and the end, across chunk boundaries and CRLF', () => {
    const relay = createAnthropicSseRelay()
    const out =
      relay.push(Buffer.from(start.slice(0, 30))) +
      relay.push(Buffer.from(start.slice(30))) +
      relay.push(
        Buffer.from('event: message_delta\r\ndata: {"type":"message_delta","usage":{"output_tokens":9}}\r\n\r\n'),
      ) +
      relay.push(Buffer.from(': comment\n\nevent: message_stop\ndata: {"type":"message_stop"}')) +
      relay.end()
    expect(out).toContain('"input_tokens":4')
    expect(out.endsWith('data: {"type":"message_stop"}\n\n')).toBe(true)
    expect(relay.usage).toEqual({ inputTokens: 10, outputTokens: 9 })
    expect(relay.done).toBe(true)
    expect(relay.errored).toBe(false)
  })

  it('notes an error event and refuses lines that are not SSE or JSON', () => {
    const relay = createAnthropicSseRelay()
    relay.push(
      Buffer.from(
        'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
      ),
    )
    expect(relay.errored).toBe(true)
    expect(relay.errorMessage).toBe('Overloaded')
    expect(relay.end()).toBe('')
    expect(() => createAnthropicSseRelay().push(Buffer.from('hello\n\n'))).toThrow(/not SSE/)
    expect(() => createAnthropicSseRelay().push(Buffer.from('data: {oops\n\n'))).toThrow(/not JSON/)
  })
})
