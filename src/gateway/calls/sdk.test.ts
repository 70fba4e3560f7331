import { MockLanguageModelV3, convertArrayToReadableStream } from 'ai/test'
import { describe, expect, it } from 'vitest'
import { addUsage, contentText } from './chat.ts'
import { sdkGenerate, sdkStream, toCallOptions, toFinishReason } from './sdk.ts'

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 2, text: 2, reasoning: undefined },
}

describe('AI SDK calls', () => {
  it('maps OpenAI-shaped messages, tools and formats to the AI SDK prompt', () => {
    const options = toCallOptions(
      {
        system: 'be brief',
        messages: [
          { role: 'developer', content: 'dev note' },
          { role: 'user', content: [{ type: 'text', text: 'weather?' }, { type: 'image_url' }] },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
              { id: 'c2', type: 'function', function: { name: 'raw', arguments: 'not json' } },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
        ],
        temperature: 0,
        maxTokens: 10,
        topP: 0.9,
        stop: ['\n'],
        responseFormat: { type: 'json', schema: { type: 'object' }, name: 'answer' },
        tools: [
          { type: 'function', function: { name: 'weather', description: 'Weather', parameters: { type: 'object' } } },
          { type: 'function', function: { name: 'raw' } },
        ],
        toolChoice: { type: 'function', function: { name: 'weather' } },
      },
      new AbortController().signal,
    )
    expect(options.prompt.map((m) => m.role)).toEqual(['system', 'system', 'user', 'assistant', 'tool'])
    expect(options.prompt[3]).toMatchObject({
      content: [
        { type: 'tool-call', toolName: 'weather', input: { city: 'Oslo' } },
        { type: 'tool-call', input: 'not json' },
      ],
    })
    expect(options.prompt[4]).toMatchObject({
      content: [
        { type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: { type: 'text', value: 'sunny' } },
      ],
    })
    expect(options).toMatchObject({
      temperature: 0,
      maxOutputTokens: 10,
      topP: 0.9,
      stopSequences: ['\n'],
      responseFormat: { type: 'json', name: 'answer' },
      toolChoice: { type: 'tool', toolName: 'weather' },
    })
    expect(options.tools).toHaveLength(2)
    expect(
      toCallOptions(
        { messages: [], tools: [{ type: 'function', function: { name: 'x' } }], toolChoice: 'required' },
        new AbortController().signal,
      ).toolChoice,
    ).toEqual({ type: 'required' })
  })

  it('reads text, tool calls, finish reasons and usage', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: {
        content: [
          { type: 'text', text: 'a' },
          { type: 'tool-call', toolCallId: 't', toolName: 'n', input: '{}' },
        ],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage,
        warnings: [],
      },
    })
    expect(await sdkGenerate(model, { messages: [] }, new AbortController().signal)).toEqual({
      text: 'a',
      toolCalls: [{ id: 't', name: 'n', arguments: '{}' }],
      finishReason: 'tool_calls',
      usage: { inputTokens: 1, outputTokens: 2 },
    })
    expect(
      ['length', 'content-filter', 'other', 'stop'].map((unified) =>
        toFinishReason({ unified: unified as 'stop', raw: undefined }),
      ),
    ).toEqual(['length', 'content_filter', 'stop', 'stop'])
  })

  it('streams chunks and surfaces an early error before committing', async () => {
    const model = new MockLanguageModelV3({
      doStream: {
        stream: convertArrayToReadableStream([
          { type: 'stream-start', warnings: [] },
          { type: 'text-delta', id: '1', delta: '' },
          { type: 'text-delta', id: '1', delta: 'Hi' },
          { type: 'tool-call', toolCallId: 't', toolName: 'n', input: '{}' },
          { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
        ]),
      },
    })
    const chunks = []
    for await (const chunk of await sdkStream(model, { messages: [] }, new AbortController().signal)) chunks.push(chunk)
    expect(chunks.map((c) => c.type)).toEqual(['text', 'tool-call', 'finish'])
    const failing = new MockLanguageModelV3({
      doStream: { stream: convertArrayToReadableStream([{ type: 'error', error: 'overloaded' }]) },
    })
    await expect(sdkStream(failing, { messages: [] }, new AbortController().signal)).rejects.toThrow('overloaded')
    const empty = new MockLanguageModelV3({ doStream: { stream: convertArrayToReadableStream([]) } })
    const none = []
    for await (const chunk of await sdkStream(empty, { messages: [] }, new AbortController().signal)) none.push(chunk)
    expect(none).toEqual([])
  })

  it('adds usage keeping unknown as unknown', () => {
    expect(addUsage({ inputTokens: undefined, outputTokens: 1 }, { inputTokens: undefined, outputTokens: 2 })).toEqual({
      inputTokens: undefined,
      outputTokens: 3,
    })
    expect(contentText(null)).toBe('')
  })
})
