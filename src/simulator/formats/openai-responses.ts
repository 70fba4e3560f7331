import { chunksOf, textLength, type OutputMode, type SimOutput, type SimRequest } from '../content.ts'
import type { JsonSchema } from '../json-schema-sample.ts'
import { createOpenAiFormat } from './openai.ts'
import { BadRequest, isRecord, type StreamEvent, type WireFormat } from './wire.ts'

/**
 * OpenAI's Responses API (`POST /responses`): `input` as a string or items, `instructions`,
 * function tools (flat: `{type: 'function', name, parameters}`), `text.format` (json_schema,
 * json_object), `max_output_tokens`; JSON answers and the SSE event sequence with `event:` names
 * and `sequence_number`. Nothing is stored: `previous_response_id` is refused as OpenAI refuses an
 * id it does not know (the gateway sends the whole conversation instead).
 * @see https://platform.openai.com/docs/api-reference/responses
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function createOpenAiResponsesFormat(): WireFormat {
  const chat = createOpenAiFormat('openai')
  const created = () => Math.floor(Date.now() / 1000)

  function parse(body: Record<string, unknown>): SimRequest & { echo: Record<string, unknown> } {
    if (typeof body.model !== 'string' || body.model === '') throw new BadRequest('model is required')
    if (typeof body.input !== 'string' && !Array.isArray(body.input))
      throw new BadRequest('input must be a string or an array of items')
    if (body.previous_response_id != null)
      throw new BadRequest(`Previous response with id '${String(body.previous_response_id)}' not found.`)
    const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : []
    const max = body.max_output_tokens
    return {
      model: body.model,
      stream: body.stream === true,
      promptChars: textLength(body.input) + textLength(body.instructions ?? '') + textLength(tools),
      maxTokens: typeof max === 'number' && Number.isFinite(max) ? max : undefined,
      output: outputMode(body, tools),
      echo: body,
    }
  }

  function outputMode(body: Record<string, unknown>, tools: Record<string, unknown>[]): OutputMode {
    const functions = tools.filter((t) => t.type === 'function')
    const choice = body.tool_choice
    let forced: Record<string, unknown> | undefined
    if (isRecord(choice) && choice.type === 'function') {
      forced = functions.find((t) => t.name === choice.name)
      if (!forced) throw new BadRequest(`tool_choice names an unknown function "${String(choice.name)}"`)
    } else if (choice === 'required' && functions.length > 0) forced = functions[0]
    if (forced)
      return {
        kind: 'tool',
        name: String(forced.name),
        schema: isRecord(forced.parameters) ? (forced.parameters as JsonSchema) : undefined,
      }
    const format = isRecord(body.text) && isRecord(body.text.format) ? body.text.format : undefined
    if (format?.type === 'json_schema') {
      if (!isRecord(format.schema)) throw new BadRequest('text.format.schema is required')
      return { kind: 'json', schema: format.schema as JsonSchema }
    }
    if (format?.type === 'json_object') return { kind: 'json', schema: undefined }
    return { kind: 'text' }
  }

  const usage = (out: SimOutput) => ({
    input_tokens: out.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: out.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: out.inputTokens + out.outputTokens,
  })

  const textPart = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] })

  function items(out: SimOutput) {
    if (out.toolCall)
      return [
        {
          id: `fc_${out.id}`,
          type: 'function_call',
          status: 'completed',
          call_id: out.toolCall.id,
          name: out.toolCall.name,
          arguments: out.toolCall.arguments,
        },
      ]
    return [
      { id: `msg_${out.id}`, type: 'message', status: 'completed', role: 'assistant', content: [textPart(out.text)] },
    ]
  }

  function response(out: SimOutput, request: SimRequest, status: 'in_progress' | 'completed' | 'incomplete') {
    const echo = (request as SimRequest & { echo?: Record<string, unknown> }).echo ?? {}
    const done = status !== 'in_progress'
    return {
      id: `resp_${out.id}`,
      object: 'response',
      created_at: created(),
      status,
      background: false,
      error: null,
      incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
      instructions: echo.instructions ?? null,
      max_output_tokens: echo.max_output_tokens ?? null,
      model: request.model,
      output: done ? items(out) : [],
      parallel_tool_calls: echo.parallel_tool_calls ?? true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      service_tier: 'default',
      store: echo.store ?? true,
      temperature: echo.temperature ?? 1,
      text: isRecord(echo.text) ? echo.text : { format: { type: 'text' } },
      tool_choice: echo.tool_choice ?? 'auto',
      tools: echo.tools ?? [],
      top_p: echo.top_p ?? 1,
      truncation: 'disabled',
      usage: done ? usage(out) : null,
      user: null,
      metadata: echo.metadata ?? {},
    }
  }

  const finalStatus = (out: SimOutput) => (out.finish === 'length' ? 'incomplete' : 'completed')

  function renderStream(out: SimOutput, request: SimRequest): StreamEvent[] {
    let sequence = 0
    const events: StreamEvent[] = []
    const emit = (type: string, payload: Record<string, unknown>) =>
      events.push({ event: type, data: JSON.stringify({ type, sequence_number: sequence++, ...payload }) })
    emit('response.created', { response: response(out, request, 'in_progress') })
    emit('response.in_progress', { response: response(out, request, 'in_progress') })
    const [item] = items(out) as Array<Record<string, unknown> & { id: string }>
    if (out.toolCall) {
      emit('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } })
      for (const piece of chunksOf(out.toolCall.arguments, true))
        emit('response.function_call_arguments.delta', { item_id: item?.id, output_index: 0, delta: piece })
      emit('response.function_call_arguments.done', {
        item_id: item?.id,
        output_index: 0,
        arguments: out.toolCall.arguments,
      })
    } else {
      const at = { item_id: item?.id, output_index: 0, content_index: 0 }
      emit('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } })
      emit('response.content_part.added', { ...at, part: textPart('') })
      for (const piece of chunksOf(out.text, request.output.kind === 'json'))
        emit('response.output_text.delta', { ...at, delta: piece, logprobs: [] })
      emit('response.output_text.done', { ...at, text: out.text, logprobs: [] })
      emit('response.content_part.done', { ...at, part: textPart(out.text) })
    }
    emit('response.output_item.done', { output_index: 0, item })
    const status = finalStatus(out)
    emit(`response.${status}`, { response: response(out, request, status) })
    return events
  }

  return {
    name: 'openai-responses',
    parse,
    renderJson: (out, request) => response(out, request, finalStatus(out)),
    renderStream,
    errorBody: chat.errorBody,
    // Mid-stream failures as OpenAI sends them: an `error` event (its number is not continued).
    streamErrorEvent: (message) => ({
      event: 'error',
      data: JSON.stringify({ type: 'error', sequence_number: 0, code: 'server_error', message, param: null }),
    }),
    modelList: chat.modelList,
    sseSeparator: '\n\n',
  }
}
