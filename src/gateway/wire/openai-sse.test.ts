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
