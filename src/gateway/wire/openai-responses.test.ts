import { describe, expect, it } from 'vitest'
import type { ChatChunk } from '../calls/chat.ts'
import { fromChatResult, outputText, responsesErrorEvent, translatedEvents } from './openai-responses-out.ts'
import { createResponsesRelay } from './openai-responses-sse.ts'
import {
  checkItems,
  gatewayRefuses,
  inputItems,
  responsesBody,
  responsesParam,
  toChatBody,
  type ResponsesBody,
} from './openai-responses.ts'

const body = (extra: Record<string, unknown> = {}): ResponsesBody =>
  responsesBody.parse({ model: 'm', input: 'hi', ...extra })

describe('Responses input', () => {
  it('reads a string as one user message and role-only items as messages', () => {
    expect(inputItems('hi')).toEqual([{ type: 'message', role: 'user', content: 'hi' }])
    expect(
      inputItems([
        { role: 'user', content: 'a' },
        { type: 'function_call_output', call_id: 'c', output: 'x' },
      ]),
    ).toEqual([
      { type: 'message', role: 'user', content: 'a' },
      { type: 'function_call_output', call_id: 'c', output: 'x' },
    ])
  })

  it.each([
    [[{ type: 'message', content: 'x' }], 'input[0].role'],
    [[{ type: 'message', role: 'user' }], 'input[0].content'],
    [[{ type: 'function_call', call_id: 'c', name: 'f' }], 'input[0].arguments'],
    [[{ type: 'function_call_output', call_id: 'c' }], 'input[0].output'],
    [[{ type: 'function_call_output', output: 'x' }], 'input[0].call_id'],
    [[{ type: 'item_reference' }], 'input[0].id'],
    [[{}], 'input[0]'],
  ])('refuses %j naming %s', (items, param) => {
    expect(() => checkItems(items as never)).toThrow(expect.objectContaining({ details: [{ field: param }] }))
  })

  it('refuses what the gateway cannot do for any provider', () => {
    expect(gatewayRefuses(body({ background: true }))?.param).toBe('background')
    expect(gatewayRefuses(body({ conversation: 'conv_1' }))?.param).toBe('conversation')
    expect(gatewayRefuses(body({ background: false }))).toBeUndefined()
  })
})

describe('Responses → chat', () => {
  it('maps instructions, messages, parts, calls and outputs, with where each came from', () => {
    const b = body({
      instructions: 'Be brief.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Look:' },
            { type: 'input_image', image_url: 'data:image/png;base64,AA', detail: 'low' },
            { type: 'input_image', file_id: 'file_1' },
            { type: 'input_file', file_id: 'file_2' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'output_text', text: 'Thinking' },
            { type: 'refusal', refusal: 'no' },
          ],
        },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_text', text: 'one' }] },
        { type: 'function_call_output', call_id: 'c2', output: 'two' },
        { type: 'reasoning', id: 'rs_1', summary: [] },
      ],
    })
    const history = inputItems('earlier')
    const { chat, origins, unsupported } = toChatBody(b, history, inputItems(b.input))
    expect(origins).toEqual(['instructions', 'previous_response_id', 'input[0]', 'input[1]', 'input[4]', 'input[5]'])
    expect(chat.messages[0]).toEqual({ role: 'system', content: 'Be brief.' })
    expect(chat.messages[2]?.content).toEqual([
      { type: 'text', text: 'Look:' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AA', detail: 'low' } },
      { type: 'input_image (file_id)' },
      { type: 'input_file' },
    ])
    expect(chat.messages[3]).toMatchObject({
      role: 'assistant',
      tool_calls: [
        { id: 'c1', function: { name: 'f' } },
        { id: 'c2', function: { name: 'g' } },
      ],
    })
    expect(chat.messages[4]).toEqual({ role: 'tool', tool_call_id: 'c1', content: 'one' })
    expect(unsupported).toEqual([{ param: 'input[6]', what: 'reasoning input items' }])
    expect(responsesParam('messages[2].content[3]', origins)).toBe('input[0].content[3]')
  })

  it('maps parameters and keeps unknown ones under their names (neutral values ask for nothing)', () => {
    const b = body({
      temperature: 0,
      top_p: 0.5,
      max_output_tokens: 50,
      parallel_tool_calls: false,
      user: 'u',
      reasoning: { effort: 'low', summary: 'auto' },
      text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
      tools: [
        { type: 'function', name: 'f', description: 'd', parameters: { type: 'object' } },
        { type: 'web_search' },
      ],
      tool_choice: { type: 'function', name: 'f' },
      truncation: 'disabled',
      include: [],
      service_tier: 'auto',
      top_logprobs: 2,
      stream: true,
    })
    const { chat, unsupported } = toChatBody(b, [], inputItems(b.input))
    expect(chat).toMatchObject({
      stream: true,
      temperature: 0,
      top_p: 0.5,
      max_tokens: 50,
      parallel_tool_calls: false,
      user: 'u',
      reasoning_effort: 'low',
      reasoning_summary: 'auto',
      verbosity: 'low',
      top_logprobs: 2,
      tool_choice: { type: 'function', function: { name: 'f' } },
      tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' } } }],
      response_format: { type: 'json_schema', json_schema: { name: 'x', strict: true } },
    })
    expect(chat).not.toHaveProperty('truncation')
    expect(chat).not.toHaveProperty('include')
    expect(unsupported).toEqual([{ param: 'tools[1]', what: 'web_search tools' }])
    const json = toChatBody(
      body({ text: { format: { type: 'json_object' } }, tool_choice: { type: 'file_search' } }),
      [],
      [],
    )
    expect(json.chat.response_format).toEqual({ type: 'json_object' })
    expect(json.unsupported).toEqual([{ param: 'tool_choice', what: 'tool_choice file_search' }])
    expect(toChatBody(body({ tool_choice: 'required' }), [], []).chat.tool_choice).toBe('required')
    for (const [chatName, name] of [
      ['max_tokens', 'max_output_tokens'],
      ['response_format', 'text.format'],
      ['reasoning_effort', 'reasoning.effort'],
      ['verbosity', 'text.verbosity'],
      ['top_logprobs', 'top_logprobs'],
    ])
      expect(responsesParam(chatName as string, [])).toBe(name)
  })
})

describe('Responses out', () => {
  const head = { id: 'resp_1', createdAt: 1, model: 'm', body: body({ metadata: { a: 'b' }, store: false }) }

  it('writes a translated result as a response object (incomplete when cut by length)', () => {
    const done = fromChatResult(head, {
      text: 'Hi',
      toolCalls: [{ id: 'c', name: 'f', arguments: '{}' }],
      finishReason: 'tool_calls',
      usage: { inputTokens: 3, outputTokens: 4 },
    })
    expect(done).toMatchObject({ id: 'resp_1', status: 'completed', store: false, metadata: { a: 'b' } })
    expect(done.output.map((i) => i.type)).toEqual(['message', 'function_call'])
    expect(done.usage?.total_tokens).toBe(7)
    expect(outputText(done)).toBe('Hi')
    const cut = fromChatResult(head, {
      text: 'H',
      toolCalls: [],
      finishReason: 'length',
      usage: { inputTokens: undefined, outputTokens: undefined },
    })
    expect(cut).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      usage: null,
    })
  })

  it('streams text then a call as numbered events, and the final response before its last event', async () => {
    async function* chunks(): AsyncIterable<ChatChunk> {
      yield { type: 'text', text: 'Hel' }
      yield { type: 'text', text: 'lo' }
      yield { type: 'tool-call', call: { id: 'c', name: 'f', arguments: '{"a":1}' } }
      yield { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 1, outputTokens: 2 } }
    }
    const counter = { next: 0 }
    let final: unknown
    let text = ''
    for await (const piece of translatedEvents(head, chunks(), counter, async (r) => void (final = r))) text += piece
    const events = text
      .trim()
      .split('\n\n')
      .map(
        (e) =>
          JSON.parse(e.split('\n')[1]!.slice(6)) as { type: string; sequence_number: number; output_index?: number },
      )
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ])
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i))
    expect(events[9]?.output_index).toBe(1)
    expect(final).toMatchObject({ status: 'completed', output: [{ type: 'message' }, { type: 'function_call' }] })
    expect(responsesErrorEvent(counter, 'boom')).toContain(`"sequence_number":${events.length}`)
  })

  it('streams an empty answer as one empty message, and a cut one as response.incomplete', async () => {
    async function* chunks(): AsyncIterable<ChatChunk> {
      yield { type: 'finish', finishReason: 'length', usage: { inputTokens: 1, outputTokens: 0 } }
    }
    let text = ''
    for await (const piece of translatedEvents(head, chunks(), { next: 0 }, async () => undefined)) text += piece
    expect(text).toContain('event: response.output_item.added')
    expect(text).toContain('event: response.incomplete')
  })
})

describe('Responses relay (pass-through streams)', () => {
  const reown = (r: Record<string, unknown>) => ({ ...r, id: 'resp_ours' })
  const ev = (type: string, payload: Record<string, unknown>, seq: number) =>
    `event: ${type}\r\ndata: ${JSON.stringify({ type, sequence_number: seq, ...payload })}\r\n\r\n`

  it('re-owns lifecycle events, passes the rest as sent, reads usage and the final response', () => {
    const counter = { next: 0 }
    const relay = createResponsesRelay({ counter, reown })
    const created = relay.push(
      Buffer.from(ev('response.created', { response: { id: 'resp_up' } }, 0) + ': keepalive\n\n'),
    )
    expect(created[0]?.text).toContain('"id":"resp_ours"')
    const delta = ev('response.output_text.delta', { delta: 'x' }, 1)
    const done = ev(
      'response.completed',
      { response: { id: 'resp_up', usage: { input_tokens: 2, output_tokens: 3 } } },
      2,
    )
    const out = relay.push(Buffer.from(delta + done.slice(0, 10)))
    expect(out[0]?.text).toBe(`${delta.replace(/\r\n/g, '\n').trim()}\n\n`)
    const last = [...relay.push(Buffer.from(done.slice(10, -4))), ...relay.end()]
    expect(last[0]?.final).toMatchObject({ id: 'resp_ours' })
    expect(relay.usage).toEqual({ inputTokens: 2, outputTokens: 3 })
    expect(relay.done).toBe(true)
    expect(counter.next).toBe(3)
  })

  it('notes error and failed events, and refuses what is not SSE or JSON', () => {
    const relay = createResponsesRelay({ counter: { next: 0 }, reown })
    relay.push(Buffer.from(ev('error', { message: 'overloaded' }, 0)))
    expect(relay.errorMessage).toBe('overloaded')
    relay.push(Buffer.from(ev('response.failed', { response: { error: { message: 'bad' } } }, 1)))
    expect(relay.errorMessage).toBe('bad')
    expect(relay.done).toBe(true)
    expect(() => createResponsesRelay({ counter: { next: 0 }, reown }).push(Buffer.from('data: {nope\n\n'))).toThrow(
      /not JSON/,
    )
    expect(() => createResponsesRelay({ counter: { next: 0 }, reown }).push(Buffer.from('hello\n\n'))).toThrow(
      /not SSE/,
    )
    expect(() => createResponsesRelay({ counter: { next: 0 }, reown }).push(Buffer.from('data: [1]\n\n'))).toThrow(
      /not a JSON object/,
    )
  })
})
