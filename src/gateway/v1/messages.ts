import { cacheKey } from '../cache/cache.ts'
import { capabilitiesOf } from '../catalog/capabilities.ts'
import type { Translation } from '../pipeline/call-openai.ts'
import {
  messagesCall,
  messagesStreamCall,
  type ClientHeaders,
  type MessagesCallDeps,
} from '../pipeline/call-anthropic.ts'
import type { PipelineDeps, PipelineRequest } from '../pipeline/types.ts'
import { VERSIONLESS } from '../pipeline/with-versions.ts'
import { AiUnavailableError } from '../router/errors.ts'
import { cacheTenant, type AiCaller, type AiCandidate, type AiUsage } from '../types.ts'
import { systemText, unsupportedMessageParams, type MessagesBody } from '../wire/anthropic-messages.ts'
import { UnsupportedParameterError } from '../wire/translate.ts'
import {
  messagesAnswerText,
  messagesAnswerToolText,
  messagesStreamText,
  messagesStreamToolText,
  messagesTexts,
  rewriteMessages,
} from '../guardrails/prompts.ts'

/**
 * `/v1/messages` (the Anthropic Messages API) as pipeline requests: the same pipeline as chat
 * completions and in-code calls, with the Anthropic-speaking innermost call (passthrough to an
 * Anthropic upstream, the AI SDK otherwise). The HTTP writing lives in `http/routes/v1-messages.ts`.
 */

/** The ledger's feature of `/v1/messages` requests (chat completions are `v1`). */
export const MESSAGES_FEATURE = 'v1.messages'

export type MessagesInput = {
  body: MessagesBody
  caller: AiCaller
  cacheTtlSeconds: number
  signal?: AbortSignal | undefined
  /** `anthropic-version` and `anthropic-beta` as the client sent them, for an Anthropic upstream. */
  headers: ClientHeaders
  /** `x-optimaliq-drop-params: true`: drop what a model cannot take (listed on the answer) instead of a 400. */
  dropParams?: boolean | undefined
}

export type MessagesDeps = Pick<
  PipelineDeps,
  'config' | 'providers' | 'sharedCacheRoutes' | 'catalog' | 'resolveVersions' | 'fetchMedia'
> &
  MessagesCallDeps

function refusalOf(deps: MessagesDeps, body: MessagesBody, translation: Translation) {
  return (candidate: AiCandidate): Error | undefined => {
    if (deps.anthropicUpstreams.has(candidate.provider)) return undefined
    const capabilities = translation.capabilities(candidate.provider, candidate.model)
    const [first] = unsupportedMessageParams(body, {
      provider: candidate.provider,
      model: candidate.model,
      capabilities,
    })
    return first ? new UnsupportedParameterError(first, `${candidate.provider}/${candidate.model}`) : undefined
  }
}

/** Characters of text in a content (string or blocks: text, tool input, tool results). */
function textChars(content: MessagesBody['messages'][number]['content']): number {
  if (typeof content === 'string') return content.length
  let n = 0
  for (const block of content) {
    if (typeof block.text === 'string') n += block.text.length
    else if (block.type === 'tool_use') n += JSON.stringify(block.input ?? {}).length
    else if (block.type === 'tool_result')
      n += typeof block.content === 'string' ? block.content.length : JSON.stringify(block.content ?? '').length
  }
  return n
}

/** Tokens reserved before the call: the prompt (4 characters a token) and the output it allows (`max_tokens`). */
function estimates(body: MessagesBody): { tokens: number; usage: AiUsage } {
  let chars = systemText(body.system)?.length ?? 0
  for (const m of body.messages) chars += textChars(m.content)
  if (body.tools) chars += JSON.stringify(body.tools).length
  const input = Math.ceil(chars / 4)
  return { tokens: input + body.max_tokens, usage: { inputTokens: input, outputTokens: body.max_tokens } }
}

/** Whether Anthropic SSE text is a whole answer: it ends with `message_stop` and holds no error event. */
const ranToItsEnd = (sse: string) => /"type":"message_stop"\}\s*$/.test(sse) && !/^event: error$/m.test(sse)

function request<T>(
  deps: MessagesDeps,
  input: MessagesInput,
  stream: boolean,
  translation: Translation,
): Omit<PipelineRequest<T>, 'call'> {
  const { body, caller } = input
  const estimate = estimates(body)
  const { model, stream: _stream, messages, ...params } = body
  return {
    feature: MESSAGES_FEATURE,
    route: model,
    versionKey: deps.resolveVersions && !model.includes('/') ? model : VERSIONLESS,
    refuses: translation.dropParams ? undefined : refusalOf(deps, body, translation),
    caller,
    requestId: caller.requestId ?? '',
    started: performance.now(),
    signal: input.signal,
    stream,
    estimatedTokens: estimate.tokens,
    estimatedUsage: estimate.usage,
    // What the `cost` strategy checks against the catalog (tools, images).
    needs: {
      tools: (body.tools?.length ?? 0) > 0,
      vision: body.messages.some((m) => Array.isArray(m.content) && m.content.some((b) => b.type === 'image')),
    },
    cache:
      input.cacheTtlSeconds > 0
        ? {
            key: cacheKey({
              route: model,
              feature: MESSAGES_FEATURE,
              messages,
              params: { ...params, stream },
              tenant: deps.sharedCacheRoutes.has(model) ? undefined : cacheTenant(caller),
            }),
            ttlSeconds: input.cacheTtlSeconds,
            ...(stream ? { accept: ranToItsEnd } : {}),
          }
        : undefined,
    telemetry: { operation: 'chat', maxTokens: body.max_tokens, temperature: body.temperature, topP: body.top_p },
    unavailable: () =>
      new AiUnavailableError(
        deps.config.ai.enabled
          ? 'No AI provider is configured: set a provider key (e.g. ANTHROPIC_API_KEY) to use /v1/messages'
          : 'AI is disabled on this server (AI_ENABLED=false)',
      ),
    ledger: {
      request: deps.config.ai.gateway.logPrompts ? body : { messages: messages.length, stream },
      ...(stream ? {} : { response: (value: T) => value }),
      ...(deps.config.ai.gateway.logPrompts
        ? { rewrite: (map: (text: string) => string) => rewriteMessages(body, map) }
        : {}),
    },
  }
}

const translationOf = (deps: MessagesDeps, input: MessagesInput): Translation => ({
  dropParams: input.dropParams === true,
  fetchesUrls: deps.fetchMedia !== undefined,
  capabilities: capabilitiesOf(deps.catalog),
})

/** A JSON `/v1/messages` request: its value is the `message` body. */
export function messagesRequest(deps: MessagesDeps, input: MessagesInput): PipelineRequest<string> {
  const translation = translationOf(deps, input)
  const base = request<string>(deps, input, false, translation)
  const call = (body: MessagesBody) => messagesCall(deps, body, base.requestId, input.headers, translation)
  return {
    ...base,
    call: call(input.body),
    prompt: {
      texts: () => messagesTexts(input.body),
      rewrite: (map) => call(rewriteMessages(input.body, map)),
      field: 'messages',
    },
    outputText: messagesAnswerText,
    outputToolText: messagesAnswerToolText,
  }
}

/** A streamed `/v1/messages` request: its value is Anthropic SSE text, settled at its end however it ends. */
export function messagesStreamRequest(
  deps: MessagesDeps,
  input: MessagesInput,
): PipelineRequest<AsyncIterable<string>> {
  const translation = translationOf(deps, input)
  const base = request<AsyncIterable<string>>(deps, input, true, translation)
  const call = (body: MessagesBody) =>
    messagesStreamCall(deps, body, base.requestId, input.headers, input.signal, translation)
  return {
    ...base,
    call: call(input.body),
    prompt: {
      texts: () => messagesTexts(input.body),
      rewrite: (map) => call(rewriteMessages(input.body, map)),
      field: 'messages',
    },
    streamText: messagesStreamText,
    streamToolText: messagesStreamToolText,
  }
}
