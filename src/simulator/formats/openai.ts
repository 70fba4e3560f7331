import { chunksOf, stopSequences, textLength, type OutputMode, type SimOutput, type SimRequest } from '../content.ts'
import type { JsonSchema } from '../json-schema-sample.ts'
import { BadRequest, isRecord, type StreamEvent, type WireFormat } from './wire.ts'

/**
 * OpenAI chat completions, also spoken by Azure OpenAI, OpenAI-compatible servers and — with
 * small differences (usage always in the last chunk, `any` tool choice) — Mistral.
 * @see https://platform.openai.com/docs/api-reference/chat
 * @see https://docs.mistral.ai/api/#tag/chat
 */
export function createOpenAiFormat(flavor: 'openai' | 'mistral'): WireFormat {
  const mistral = flavor === 'mistral'
  const created = () => Math.floor(Date.now() / 1000)

  function parse(body: Record<string, unknown>): SimRequest & { includeUsage: boolean } {
    if (typeof body.model !== 'string' || body.model === '') throw new BadRequest('model is required')
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      throw new BadRequest('messages must be a non-empty array')
    const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : []
    const maxTokens = num(body.max_completion_tokens) ?? num(body.max_tokens)
    const streamOptions = isRecord(body.stream_options) ? body.stream_options : {}
    return {
      model: body.model,
      stream: body.stream === true,
      promptChars: textLength(body.messages) + textLength(tools),
      maxTokens,
      output: outputMode(body, tools),
      stop: stopSequences(body.stop),
      includeUsage: mistral || streamOptions.include_usage === true,
    }
  }

  function outputMode(body: Record<string, unknown>, tools: Record<string, unknown>[]): OutputMode {
    const choice = body.tool_choice
    const fn = (t: Record<string, unknown> | undefined) => (t && isRecord(t.function) ? t.function : undefined)
    let forced: Record<string, unknown> | undefined
    if (isRecord(choice) && isRecord(choice.function)) {
      const name = choice.function.name
      forced = tools.map(fn).find((f) => f?.name === name)
      if (!forced) throw new BadRequest(`tool_choice names an unknown function "${String(name)}"`)
    } else if ((choice === 'required' || choice === 'any') && tools.length > 0) {
      forced = fn(tools[0])
    }
    if (forced)
      return {
        kind: 'tool',
        name: String(forced.name),
        schema: isRecord(forced.parameters) ? (forced.parameters as JsonSchema) : undefined,
      }
    const format = body.response_format
    if (isRecord(format)) {
      if (format.type === 'json_schema') {
        const spec = isRecord(format.json_schema) ? format.json_schema : {}
        if (!isRecord(spec.schema)) throw new BadRequest('response_format.json_schema.schema is required')
        return { kind: 'json', schema: spec.schema as JsonSchema }
      }
      if (format.type === 'json_object') return { kind: 'json', schema: undefined }
    }
    return { kind: 'text' }
  }

  function usage(out: SimOutput) {
    const base = {
      prompt_tokens: out.inputTokens,
      completion_tokens: out.outputTokens,
      total_tokens: out.inputTokens + out.outputTokens,
    }
    if (mistral) return base
    return {
      ...base,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    }
  }

  const finishReason = (out: SimOutput) => (out.finish === 'tool' ? 'tool_calls' : out.finish)

  function renderJson(out: SimOutput, request: SimRequest) {
    const toolCalls = out.toolCall
      ? [
          {
            id: out.toolCall.id,
            type: 'function',
            function: { name: out.toolCall.name, arguments: out.toolCall.arguments },
          },
        ]
      : undefined
    const message = mistral
      ? { role: 'assistant', content: out.toolCall ? '' : out.text, tool_calls: toolCalls ?? null, prefix: false }
      : {
          role: 'assistant',
          content: out.toolCall ? null : out.text,
          refusal: null,
          annotations: [],
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        }
    return {
      id: `${mistral ? 'cmpl' : 'chatcmpl'}-${out.id}`,
      object: 'chat.completion',
      created: created(),
      model: request.model,
      choices: [{ index: 0, message, ...(mistral ? {} : { logprobs: null }), finish_reason: finishReason(out) }],
      usage: usage(out),
      ...(mistral ? {} : { service_tier: 'default', system_fingerprint: 'fp_simulator' }),
    }
  }

  function renderStream(out: SimOutput, request: SimRequest): StreamEvent[] {
    const includeUsage = (request as SimRequest & { includeUsage?: boolean }).includeUsage === true
    const head = {
      id: `${mistral ? 'cmpl' : 'chatcmpl'}-${out.id}`,
      object: 'chat.completion.chunk',
      created: created(),
      model: request.model,
      ...(mistral ? {} : { system_fingerprint: 'fp_simulator' }),
    }
    const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) => ({
      data: JSON.stringify({
        ...head,
        choices: [{ index: 0, delta, ...(mistral ? {} : { logprobs: null }), finish_reason: finish }],
        ...(includeUsage && !mistral ? { usage: null } : {}),
        ...extra,
      }),
    })
    const events: StreamEvent[] = [
      chunk({ role: 'assistant', content: '', ...(mistral ? {} : { refusal: null }) }, null),
    ]
    if (out.toolCall) {
      events.push(
        chunk(
          {
            tool_calls: [
              { index: 0, id: out.toolCall.id, type: 'function', function: { name: out.toolCall.name, arguments: '' } },
            ],
          },
          null,
        ),
      )
      for (const piece of chunksOf(out.toolCall.arguments, true))
        events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null))
    } else {
      for (const piece of chunksOf(out.text, request.output.kind === 'json'))
        events.push(chunk({ content: piece }, null))
    }
    if (mistral) {
      events.push(chunk({ content: '' }, finishReason(out), { usage: usage(out) }))
    } else {
      events.push(chunk({}, finishReason(out)))
      if (includeUsage) events.push({ data: JSON.stringify({ ...head, choices: [], usage: usage(out) }) })
    }
    events.push({ data: '[DONE]' })
    return events
  }

  function errorBody(status: number, message: string) {
    const type =
      status === 429
        ? 'rate_limit_exceeded'
        : status === 401
          ? 'invalid_request_error'
          : status >= 500
            ? 'server_error'
            : 'invalid_request_error'
    if (mistral) return { object: 'error', message, type, param: null, code: String(status) }
    return { error: { message, type, param: null, code: status === 429 ? 'rate_limit_exceeded' : null } }
  }

  function modelList(ids: string[]) {
    return {
      object: 'list',
      data: ids.map((id) =>
        mistral
          ? {
              id,
              object: 'model',
              created: 1_700_000_000,
              owned_by: 'mistralai',
              type: 'base',
              aliases: [],
              max_context_length: 131_072,
              capabilities: {
                completion_chat: true,
                completion_fim: false,
                function_calling: true,
                fine_tuning: false,
                vision: false,
                classification: false,
              },
            }
          : { id, object: 'model', created: 1_700_000_000, owned_by: 'system' },
      ),
    }
  }

  const streamErrorEvent = (message: string): StreamEvent => ({
    data: JSON.stringify(
      mistral ? errorBody(500, message) : { error: { message, type: 'server_error', param: null, code: null } },
    ),
  })

  return { name: flavor, parse, renderJson, renderStream, errorBody, streamErrorEvent, modelList, sseSeparator: '\n\n' }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}
