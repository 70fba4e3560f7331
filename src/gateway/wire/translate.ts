import { OptimaliqError } from '../../errors.ts'
import type { ChatRequest } from '../calls/chat.ts'
import type { ChatCompletionBody } from './openai-chat.ts'

/**
 * Faithful translation of an OpenAI chat request to a provider that speaks another format
 * (Anthropic, Gemini/Vertex, Mistral, through the AI SDK): every parameter the client sent is
 * carried — under the AI SDK's common options or the provider's own `providerOptions` — or named
 * as unsupported (400 `unsupported_parameter`), or, when the client opted in
 * (`x-optimaliq-drop-params: true`), dropped and listed. Never silently dropped.
 */

/** Where a request goes: the provider, the model, and the model's catalog capabilities (unknown: not checked). */
export type TranslationTarget = {
  provider: string
  model: string
  capabilities?: readonly string[] | undefined
  /** The gateway fetches image URLs for providers that take only bytes (`AI_MEDIA_FETCH` not `off`). */
  fetchesUrls?: boolean | undefined
}

/** One parameter a target cannot take, as the client named it. */
export type Unsupported = { param: string; message: string }

type Feature =
  'seed' | 'penalties' | 'user' | 'reasoning' | 'parallelTools' | 'urlImages' | 'thinking' | 'cacheControl' | 'audio'

/** What each translated provider carries beyond the common options (AI SDK provider options, checked in their schemas). */
const CARRIES: Record<string, ReadonlySet<Feature>> = {
  anthropic: new Set<Feature>(['user', 'reasoning', 'parallelTools', 'urlImages', 'thinking', 'cacheControl']),
  google: new Set<Feature>(['seed', 'penalties', 'reasoning', 'audio']),
  vertex: new Set<Feature>(['seed', 'penalties', 'reasoning', 'audio']),
  mistral: new Set<Feature>(['seed', 'penalties', 'reasoning', 'parallelTools', 'urlImages']),
}

/** Keys every translated path carries (the AI SDK's common call options, tools, output format). */
const COMMON = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'temperature',
  'max_tokens',
  'max_completion_tokens',
  'top_p',
  'stop',
  'response_format',
  'tools',
  'tool_choice',
])

/** Parameters whose value asks for nothing (so any provider takes them). */
const isNeutral = (key: string, value: unknown) =>
  value === null ||
  value === undefined ||
  (key === 'n' && value === 1) ||
  (key === 'logprobs' && value === false) ||
  (key === 'top_logprobs' && value === 0) ||
  ((key === 'presence_penalty' || key === 'frequency_penalty') && value === 0)

const FEATURE_OF: Record<string, Feature> = {
  seed: 'seed',
  presence_penalty: 'penalties',
  frequency_penalty: 'penalties',
  user: 'user',
  reasoning_effort: 'reasoning',
  parallel_tool_calls: 'parallelTools',
  thinking: 'thinking',
}

/** The AI SDK's Google provider leaves penalties out for Gemini 2.5 on the Developer API (its own rule). */
const dropsInSdk = (target: TranslationTarget, feature: Feature) =>
  feature === 'penalties' && target.provider === 'google' && /(^|\/)gemini-2\.5(?:[.-]|$)/i.test(target.model)

/** The parameters (and content parts) of `body` that `target` cannot take. */
export function unsupportedParams(body: ChatCompletionBody, target: TranslationTarget): Unsupported[] {
  const carries = CARRIES[target.provider] ?? new Set<Feature>()
  const out: Unsupported[] = []
  const name = `${target.provider}/${target.model}`
  for (const [key, value] of Object.entries(body)) {
    if (COMMON.has(key) || isNeutral(key, value)) continue
    const feature = FEATURE_OF[key]
    if (feature && carries.has(feature) && !dropsInSdk(target, feature)) continue
    out.push({ param: key, message: `${key} is not supported by ${name}` })
  }
  const vision = !target.capabilities || target.capabilities.includes('vision')
  body.messages.forEach((message, i) => {
    if (!Array.isArray(message.content)) return
    message.content.forEach((part, j) => {
      const param = `messages[${i}].content[${j}]`
      if ('cache_control' in part && !(carries.has('cacheControl') && message.role === 'user'))
        out.push({ param: `${param}.cache_control`, message: `cache_control is not supported by ${name} here` })
      if (part.type === 'text') return
      if (part.type === 'input_audio' && message.role === 'user') {
        const audio = (part as { input_audio?: { data?: unknown; format?: unknown } }).input_audio
        if (!carries.has('audio') || !(target.capabilities ?? []).includes('audio'))
          out.push({ param, message: `${name} does not take audio` })
        else if (typeof audio?.data !== 'string' || (audio.format !== 'wav' && audio.format !== 'mp3'))
          out.push({ param, message: 'an input_audio part needs base64 data and a format of wav or mp3' })
        return
      }
      if (part.type !== 'image_url' || message.role !== 'user')
        out.push({ param, message: `${part.type} content parts are not supported by ${name}` })
      else if (!vision) out.push({ param, message: `${name} does not take images` })
      else {
        const url = (part as { image_url?: { url?: unknown } }).image_url?.url
        if (typeof url !== 'string' || !/^(data:|https?:\/\/)/.test(url))
          out.push({ param, message: 'an image_url needs a data: or http(s) URL' })
        else if (!url.startsWith('data:') && !carries.has('urlImages') && !target.fetchesUrls)
          out.push({
            param,
            message: `${name} takes images as data: URLs only (this server does not fetch image URLs: AI_MEDIA_FETCH=off)`,
          })
      }
    })
  })
  return out
}

/** 400 `unsupported_parameter`: names the parameter and the model. */
export class UnsupportedParameterError extends OptimaliqError {
  constructor(unsupported: Unsupported, model: string) {
    super(
      'unsupported_parameter',
      `${unsupported.message}; send x-optimaliq-drop-params: true to drop what a model cannot take`,
      {
        status: 400,
        details: [{ field: unsupported.param, model }],
      },
    )
  }
}

const EFFORT: Record<string, 'low' | 'medium' | 'high'> = { minimal: 'low', low: 'low', medium: 'medium', high: 'high' }

/**
 * The provider-neutral request for `target`, with what it carries under its own names. `drop`
 * lists parameters dropped at the client's request: they are left out (and content parts that the
 * model cannot take are removed).
 */
export function toChatRequest(
  body: ChatCompletionBody,
  target?: TranslationTarget,
  drop: ReadonlySet<string> = new Set(),
): ChatRequest {
  const format = body.response_format
  const keep = (param: string) => !drop.has(param)
  const extra = body as Record<string, unknown>
  const request: ChatRequest = {
    messages: (drop.size > 0 ? withoutDroppedParts(body, drop) : body.messages) as ChatRequest['messages'],
    temperature: body.temperature ?? undefined,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    topP: body.top_p ?? undefined,
    stop: body.stop == null ? undefined : Array.isArray(body.stop) ? body.stop : [body.stop],
    responseFormat:
      !format || format.type === 'text'
        ? undefined
        : format.type === 'json_object'
          ? { type: 'json' }
          : { type: 'json', schema: format.json_schema.schema, name: format.json_schema.name },
    tools: body.tools as ChatRequest['tools'],
    toolChoice: body.tool_choice,
  }
  // Anthropic has no JSON mode without a schema (the AI SDK ignores one without): any object, asked
  // in words too; the answer is checked either way.
  if (format?.type === 'json_object' && target?.provider === 'anthropic') {
    request.system = 'Answer with one JSON object and nothing else.'
    request.responseFormat = { type: 'json', schema: { type: 'object' } }
  }
  if (body.seed != null && keep('seed')) request.seed = body.seed
  if (body.presence_penalty != null && keep('presence_penalty')) request.presencePenalty = body.presence_penalty
  if (body.frequency_penalty != null && keep('frequency_penalty')) request.frequencyPenalty = body.frequency_penalty
  const options: Record<string, unknown> = {}
  const effort = typeof extra.reasoning_effort === 'string' && keep('reasoning_effort') ? extra.reasoning_effort : ''
  const parallel = typeof extra.parallel_tool_calls === 'boolean' && keep('parallel_tool_calls')
  switch (target?.provider) {
    case 'anthropic': {
      if (body.user && keep('user')) options.metadata = { userId: body.user }
      if (effort === 'none') options.thinking = { type: 'disabled' }
      else if (EFFORT[effort]) options.effort = EFFORT[effort]
      if (parallel) options.disableParallelToolUse = extra.parallel_tool_calls === false
      const thinking = extra.thinking as { type?: unknown; budget_tokens?: unknown } | undefined
      if (thinking && typeof thinking === 'object' && keep('thinking'))
        options.thinking = {
          type: thinking.type,
          ...(typeof thinking.budget_tokens === 'number' ? { budgetTokens: thinking.budget_tokens } : {}),
        }
      if (Object.keys(options).length > 0) request.providerOptions = { anthropic: options }
      break
    }
    case 'google':
    case 'vertex':
      if (effort === 'none') request.providerOptions = { google: { thinkingConfig: { thinkingBudget: 0 } } }
      else if (effort)
        request.providerOptions = {
          google: { thinkingConfig: { thinkingLevel: effort === 'minimal' ? 'minimal' : (EFFORT[effort] ?? 'high') } },
        }
      break
    case 'mistral':
      if (effort) options.reasoningEffort = effort === 'none' ? 'none' : 'high'
      if (parallel) options.parallelToolCalls = extra.parallel_tool_calls
      if (Object.keys(options).length > 0) request.providerOptions = { mistral: options }
      break
  }
  return request
}

/** The messages without the content parts named in `drop` (`messages[i].content[j]`). */
function withoutDroppedParts(body: ChatCompletionBody, drop: ReadonlySet<string>) {
  return body.messages.map((message, i) =>
    Array.isArray(message.content)
      ? { ...message, content: message.content.filter((_, j) => !drop.has(`messages[${i}].content[${j}]`)) }
      : message,
  )
}
