import { z } from 'zod'
import { OptimaliqError } from '../../errors.ts'
import type { ChatChunk, ChatResult } from '../calls/chat.ts'
import { UpstreamClientError } from '../router/errors.ts'

/** The largest output a request may ask for (no model writes more; larger numbers are a client's mistake). */
export const MAX_OUTPUT_TOKENS = 1_000_000

// eslint-disable-next-line no-control-regex
const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/

/** The `/v1/chat/completions` body: what we read; everything else passes through to OpenAI-format upstreams. */
export const chatCompletionBody = z.looseObject({
  // A model name is printable text: control characters (NUL, CR/LF) are refused before any upstream call.
  model: z.string().min(1).max(200).regex(PRINTABLE, 'must not contain control characters'),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
        content: z
          .union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() })), z.null()])
          .optional(),
        name: z.string().optional(),
        tool_calls: z
          .array(
            z.looseObject({
              id: z.string(),
              type: z.literal('function'),
              function: z.object({ name: z.string(), arguments: z.string() }),
            }),
          )
          .optional(),
        tool_call_id: z.string().optional(),
      }),
    )
    .min(1),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  max_tokens: z.number().int().positive().max(MAX_OUTPUT_TOKENS).nullable().optional(),
  max_completion_tokens: z.number().int().positive().max(MAX_OUTPUT_TOKENS).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  n: z.number().int().min(1).max(128).nullable().optional(),
  seed: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  logprobs: z.boolean().nullable().optional(),
  top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
  user: z.string().max(256).optional(),
  stop: z
    .union([z.string(), z.array(z.string()).max(4)])
    .nullable()
    .optional(),
  response_format: z
    .union([
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_object') }),
      z.object({
        type: z.literal('json_schema'),
        json_schema: z.looseObject({
          name: z.string(),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullable().optional(),
        }),
      }),
    ])
    .optional(),
  tools: z
    .array(
      z.looseObject({
        type: z.literal('function'),
        function: z.looseObject({
          name: z.string(),
          description: z.string().optional(),
          parameters: z.record(z.string(), z.unknown()).optional(),
        }),
      }),
    )
    .optional(),
  tool_choice: z
    .union([
      z.enum(['auto', 'none', 'required']),
      z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
    ])
    .optional(),
})
export type ChatCompletionBody = z.infer<typeof chatCompletionBody>

const usageJson = (usage: ChatResult['usage']) =>
  usage.inputTokens === undefined || usage.outputTokens === undefined
    ? undefined
    : {
        prompt_tokens: usage.inputTokens,
        completion_tokens: usage.outputTokens,
        total_tokens: usage.inputTokens + usage.outputTokens,
      }

/** A `chat.completion` object from an AI SDK result. */
export function toCompletion(result: ChatResult, meta: { id: string; model: string; created: number }): string {
  const toolCalls = result.toolCalls.map((c) => ({
    id: c.id,
    type: 'function',
    function: { name: c.name, arguments: c.arguments },
  }))
  return JSON.stringify({
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: toolCalls.length > 0 && !result.text ? null : result.text,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: result.finishReason,
      },
    ],
    usage: usageJson(result.usage),
  })
}

/** SSE lines (`data: …\n\n`) of one streamed piece in OpenAI's `chat.completion.chunk` format. */
export function toChunkEvents(
  chunk: ChatChunk,
  meta: { id: string; model: string; created: number; includeUsage: boolean },
  state: { toolIndex: number },
): string {
  const frame = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices, ...extra })}\n\n`
  switch (chunk.type) {
    case 'text':
      return frame([{ index: 0, delta: { content: chunk.text }, logprobs: null, finish_reason: null }])
    case 'tool-call': {
      const index = state.toolIndex++
      return frame([
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index,
                id: chunk.call.id,
                type: 'function',
                function: { name: chunk.call.name, arguments: chunk.call.arguments },
              },
            ],
          },
          logprobs: null,
          finish_reason: null,
        },
      ])
    }
    case 'finish': {
      let out = frame([{ index: 0, delta: {}, logprobs: null, finish_reason: chunk.finishReason }])
      const usage = usageJson(chunk.usage)
      if (meta.includeUsage && usage) out += frame([], { usage })
      return out
    }
  }
}

export function firstChunkEvent(meta: { id: string; model: string; created: number }): string {
  return `data: ${JSON.stringify({ id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] })}\n\n`
}

/** OpenAI's error body: `{error: {message, type, param, code}}`. */
export function openAiError(error: unknown): {
  status: number
  body: { error: { message: string; type: string; param: string | null; code: string | null } }
  headers?: Record<string, string> | undefined
} {
  if (error instanceof OptimaliqError) {
    const status = error.status
    const type =
      status === 401
        ? 'invalid_request_error'
        : status === 429
          ? 'rate_limit_error'
          : status === 402
            ? 'insufficient_quota'
            : status >= 500
              ? 'api_error'
              : 'invalid_request_error'
    const param =
      error instanceof UpstreamClientError
        ? error.param
        : status === 404 && error.code === 'model_not_found'
          ? 'model'
          : Array.isArray(error.details)
            ? // The field as the client named it: `model`, not `body.model`.
              String((error.details[0] as { field?: string } | undefined)?.field ?? '').replace(/^body\./, '') || null
            : null
    return {
      status,
      body: { error: { message: error.message, type, param, code: error.code } },
      headers: error.headers,
    }
  }
  return {
    status: 500,
    body: { error: { message: 'Internal server error', type: 'api_error', param: null, code: 'internal_error' } },
  }
}
