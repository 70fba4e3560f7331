import {
  chunksOf,
  stopReasonOf,
  stopSequences,
  textLength,
  type OutputMode,
  type SimOutput,
  type SimRequest,
} from '../content.ts'
import type { JsonSchema } from '../json-schema-sample.ts'
import { BadRequest, isRecord, type StreamEvent, type WireFormat } from './wire.ts'

/**
 * Anthropic Messages API. Structured output arrives either as `output_config.format` (native
 * JSON schema, newer models) or as a forced tool (`tool_choice: {type: 'tool', name: 'json'}`),
 * which is what `@ai-sdk/anthropic` sends for older models.
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function createAnthropicFormat(): WireFormat {
  function parse(body: Record<string, unknown>): SimRequest {
    if (typeof body.model !== 'string' || body.model === '') throw new BadRequest('model: Field required')
    if (typeof body.max_tokens !== 'number') throw new BadRequest('max_tokens: Field required')
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      throw new BadRequest('messages: at least one message is required')
    const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : []
    return {
      model: body.model,
      stream: body.stream === true,
      promptChars: textLength(body.system) + textLength(body.messages) + textLength(tools),
      maxTokens: body.max_tokens,
      output: outputMode(body, tools),
      stop: stopSequences(body.stop_sequences),
    }
  }

  function outputMode(body: Record<string, unknown>, tools: Record<string, unknown>[]): OutputMode {
    const choice = isRecord(body.tool_choice) ? body.tool_choice : undefined
    let forced: Record<string, unknown> | undefined
    if (choice?.type === 'tool') {
      forced = tools.find((t) => t.name === choice.name)
      if (!forced) throw new BadRequest(`tool_choice: tool "${String(choice.name)}" not found in tools`)
    } else if (choice?.type === 'any') {
      forced = tools[0]
    }
    if (forced)
      return {
        kind: 'tool',
        name: String(forced.name),
        schema: isRecord(forced.input_schema) ? (forced.input_schema as JsonSchema) : undefined,
      }
    const config = isRecord(body.output_config) ? body.output_config : {}
    const format = isRecord(config.format)
      ? config.format
      : isRecord(body.output_format)
        ? body.output_format
        : undefined
    if (format?.type === 'json_schema') {
      if (!isRecord(format.schema)) throw new BadRequest('output_config.format.schema: Field required')
      return { kind: 'json', schema: format.schema as JsonSchema }
    }
    return { kind: 'text' }
  }

  const usage = (out: SimOutput) => ({
    input_tokens: out.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: out.outputTokens,
    service_tier: 'standard',
  })

  function renderJson(out: SimOutput, request: SimRequest) {
    const content = out.toolCall
      ? [
          {
            type: 'tool_use',
            id: `toolu_${out.id}`,
            name: out.toolCall.name,
            input: JSON.parse(out.toolCall.arguments) as unknown,
          },
        ]
      : [{ type: 'text', text: out.text }]
    return {
      id: `msg_${out.id}`,
      type: 'message',
      role: 'assistant',
      model: request.model,
      content,
      stop_reason: stopReasonOf(out),
      stop_sequence: out.stopSequence ?? null,
      usage: usage(out),
    }
  }

  function renderStream(out: SimOutput, request: SimRequest): StreamEvent[] {
    const ev = (event: string, data: Record<string, unknown>): StreamEvent => ({
      event,
      data: JSON.stringify({ type: event, ...data }),
    })
    const events: StreamEvent[] = [
      ev('message_start', {
        message: {
          id: `msg_${out.id}`,
          type: 'message',
          role: 'assistant',
          model: request.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage(out), output_tokens: 1 },
        },
      }),
    ]
    if (out.toolCall) {
      events.push(
        ev('content_block_start', {
          index: 0,
          content_block: { type: 'tool_use', id: `toolu_${out.id}`, name: out.toolCall.name, input: {} },
        }),
      )
      events.push(ev('ping', {}))
      for (const piece of chunksOf(out.toolCall.arguments, true))
        events.push(ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: piece } }))
    } else {
      events.push(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }))
      events.push(ev('ping', {}))
      for (const piece of chunksOf(out.text, request.output.kind === 'json'))
        events.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } }))
    }
    events.push(ev('content_block_stop', { index: 0 }))
    events.push(
      ev('message_delta', {
        delta: { stop_reason: stopReasonOf(out), stop_sequence: out.stopSequence ?? null },
        usage: { output_tokens: out.outputTokens },
      }),
    )
    events.push(ev('message_stop', {}))
    return events
  }

  function errorBody(status: number, message: string) {
    const type =
      status === 400
        ? 'invalid_request_error'
        : status === 401
          ? 'authentication_error'
          : status === 403
            ? 'permission_error'
            : status === 404
              ? 'not_found_error'
              : status === 413
                ? 'request_too_large'
                : status === 429
                  ? 'rate_limit_error'
                  : status === 503 || status === 529
                    ? 'overloaded_error'
                    : 'api_error'
    return { type: 'error', error: { type, message } }
  }

  function modelList(ids: string[]) {
    return {
      data: ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })),
      has_more: false,
      first_id: ids[0] ?? null,
      last_id: ids.at(-1) ?? null,
    }
  }

  const streamErrorEvent = (message: string): StreamEvent => ({
    event: 'error',
    data: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message } }),
  })

  return {
    name: 'anthropic',
    parse,
    renderJson,
    renderStream,
    errorBody,
    streamErrorEvent,
    modelList,
    sseSeparator: '\n\n',
  }
}
