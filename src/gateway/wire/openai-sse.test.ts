import { describe, expect, it } from 'vitest'
import { createSseRelay, MalformedStreamError } from './openai-sse.ts'

const event = (data: unknown) => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`
const chunk = (content: string, extra: Record<string, unknown> = {}) => ({
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: { content } }],
  ...extra,
})
const usageChunk = { object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 7, completion_tokens: 3 } }

describe('SSE relay', () => {
  it('checks the first choice against the response_format at [DONE], skipping answers that called tools', () => {
    const check = (text: string) =>
      text.startsWith('{') ? { ok: true as const } : { ok: false as const, error: 'not JSON' }
    const good = createSseRelay({ includeUsage: false, check })
    expect(good.push(Buffer.from(event(chunk('{"a"')) + event(chunk(':1}')) + event('[DONE]')))).toContain('[DONE]')
    expect(good.invalidOutput).toBe(false)

    const bad = createSseRelay({ includeUsage: false, check })
    const out = bad.push(
      Buffer.from(
        event(chunk('plain')) + event({ choices: [{ index: 1, delta: { content: '{' } }] }) + event('[DONE]'),
      ),
    )
    expect(out).not.toContain('[DONE]')
    expect(JSON.parse(out.trim().split('\n').at(-1)?.slice(6) ?? '')).toMatchObject({
      error: { code: 'invalid_output', param: 'response_format' },
    })
    expect(bad).toMatchObject({ done: true, errored: true, invalidOutput: true, errorMessage: 'not JSON' })

    const tools = createSseRelay({ includeUsage: false, check })
    const called = { choices: [{ index: 0, delta: { tool_calls: [{ index: 0 }] }, finish_reason: 'tool_calls' }] }
    expect(tools.push(Buffer.from(event(called) + event('[DONE]')))).toContain('[DONE]')
  })

  it('passes whole events on, across chunk boundaries, and reads the usage', () => {
    const relay = createSseRelay({ includeUsage: true })
    const text = event(chunk('Hel')) + event(usageChunk) + event('[DONE]')
    const out = relay.push(Buffer.from(text.slice(0, 20))) + relay.push(Buffer.from(text.slice(20)))
    relay.end()
    expect(out).toBe(text)
    expect(relay.usage).toEqual({ inputTokens: 7, outputTokens: 3 })
    expect(relay.done).toBe(true)
  })

  it('strips the usage chunk and the usage:null fields when the client did not ask for usage', () => {
    const relay = createSseRelay({ includeUsage: false })
    const out = relay.push(Buffer.from(event(chunk('a', { usage: null })) + event(usageChunk) + event('[DONE]')))
    expect(out).toBe(event(chunk('a')) + event('[DONE]'))
    expect(relay.usage.inputTokens).toBe(7)
  })

  it('keeps comments, event names and CR/LF separators; notes error events', () => {
    const relay = createSseRelay({ includeUsage: false })
    const out = relay.push(Buffer.from(': ping\r\n\r\nevent: x\r\ndata: {"error":{"message":"Overloaded"}}\r\n\r\n'))
    expect(out).toBe(': ping\n\nevent: x\ndata: {"error":{"message":"Overloaded"}}\n\n')
    expect(relay.errored).toBe(true)
    expect(relay.errorMessage).toBe('Overloaded')
    relay.push(Buffer.from('data: {"error":"plain"}\n\n'))
    expect(relay.errorMessage).toBe('plain')
  })

  it('refuses broken JSON, non-objects, non-SSE lines and a cut-off last event', () => {
    expect(() => createSseRelay({ includeUsage: true }).push(Buffer.from('data: {"choices":[\n\n'))).toThrow(
      MalformedStreamError,
    )
    expect(() => createSseRelay({ includeUsage: true }).push(Buffer.from('data: 42\n\n'))).toThrow(/not a JSON object/)
    expect(() => createSseRelay({ includeUsage: true }).push(Buffer.from('<html>\n\n'))).toThrow(/not SSE/)
    const cut = createSseRelay({ includeUsage: true })
    expect(cut.push(Buffer.from('data: {"choices":[{"delta":{"content":"bro'))).toBe('')
    expect(() => cut.end()).toThrow(MalformedStreamError)
    const whole = createSseRelay({ includeUsage: true })
    whole.push(Buffer.from('data: [DONE]'))
    expect(whole.end()).toBe('data: [DONE]\n\n')
    expect(whole.done).toBe(true)
  })
})
