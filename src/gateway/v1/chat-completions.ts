import { cacheKey } from '../cache/cache.ts'
import { contentText, type ChatMessage } from '../calls/chat.ts'
import { chatCompletionCall, chatStreamCall, type Translation } from '../pipeline/call-openai.ts'
import { VERSIONLESS } from '../pipeline/with-versions.ts'
import type { Answer, PipelineDeps, PipelineRequest } from '../pipeline/types.ts'
import { AiUnavailableError } from '../router/errors.ts'
import { cacheTenant, type AiCaller, type AiCandidate, type AiUsage } from '../types.ts'
import { UnsupportedParameterError, unsupportedParams } from '../wire/translate.ts'
import type { ChatCompletionBody } from '../wire/openai-chat.ts'
import type { AiGateway } from '../client.ts'
import { capabilitiesOf } from '../catalog/capabilities.ts'
import {
  chatAnswerText,
  chatAnswerToolText,
  chatStreamText,
  chatStreamToolText,
  chatTexts,
  rewriteChat,
} from '../guardrails/prompts.ts'

/**
 * `/v1/chat/completions` as pipeline requests: the same pipeline as in-code calls, with the
 * OpenAI-speaking innermost call (passthrough to OpenAI-format upstreams, the AI SDK otherwise).
 * The HTTP writing lives in `http/routes/v1.ts`.
 */

const FEATURE = 'v1'

export type ChatInput = {
  body: ChatCompletionBody
  caller: AiCaller
  cacheTtlSeconds: number
  signal?: AbortSignal | undefined
  /** `x-optimaliq-drop-params: true`: drop what a model cannot take (listed on the answer) instead of a 400. */
  dropParams?: boolean | undefined
}

type Deps = Pick<
  PipelineDeps,
  | 'config'
  | 'providers'
  | 'passthrough'
  | 'upstreams'
  | 'sharedCacheRoutes'
  | 'catalog'
  | 'resolveVersions'
  | 'fetchMedia'
  | 'semanticCache'
>

/** How `/v1` translates for non-OpenAI providers, with the catalog's capabilities per `provider/model`. */
function translationOf(deps: Deps, dropParams: boolean): Translation {
  return { dropParams, fetchesUrls: deps.fetchMedia !== undefined, capabilities: capabilitiesOf(deps.catalog) }
}

/** Why a candidate cannot carry this body (translated providers only; OpenAI-format upstreams take it as sent). */
function refusalOf(deps: Deps, body: ChatCompletionBody, translation: Translation) {
  return (candidate: AiCandidate): Error | undefined => {
    if (deps.upstreams.has(candidate.provider)) return undefined
    const capabilities = translation.capabilities(candidate.provider, candidate.model)
    const [first] = unsupportedParams(body, {
      provider: candidate.provider,
      model: candidate.model,
      capabilities,
      fetchesUrls: translation.fetchesUrls,
    })
    return first ? new UnsupportedParameterError(first, `${candidate.provider}/${candidate.model}`) : undefined
  }
}

/** Tokens reserved before the call: the prompt (4 characters a token) and the output it allows. */
function estimates(deps: Deps, body: ChatCompletionBody): { tokens: number; usage: AiUsage } {
  let chars = 0
  for (const m of body.messages) chars += contentText(m.content as ChatMessage['content']).length
  const input = Math.ceil(chars / 4)
  const requested = body.max_completion_tokens ?? body.max_tokens
  return {
    tokens: input + (requested ?? 0),
    usage: { inputTokens: input, outputTokens: requested ?? deps.config.ai.maxTokens },
  }
}

/**
 * The cache key of a request: route, messages and parameters. A stream's key also holds `stream`
 * and its options, so a streamed answer (SSE text) and a JSON one never stand in for each other.
 */
function v1CacheKey(deps: Deps, body: ChatCompletionBody, caller: AiCaller): string {
  const { messages, model, stream, stream_options: streamOptions, ...params } = body
  return cacheKey({
    route: model,
    feature: FEATURE,
    messages,
    params: stream ? { ...params, stream: true, stream_options: streamOptions } : params,
    tenant: deps.sharedCacheRoutes.has(model) ? undefined : cacheTenant(caller),
  })
}

/**
 * The semantic cache's view of a JSON request on a route that has it: the conversation as text
 * (`role: content` lines, what is embedded) and the scope, a hash of everything else — model,
 * parameters, tools, response format — which must match exactly. `user` is in neither.
 */
function semanticOf(deps: Deps, body: ChatCompletionBody, caller: AiCaller) {
  if (body.stream || !deps.semanticCache?.settingsFor(body.model)) return undefined
  const { messages, model, user: _user, ...params } = body
  const text = messages.map((m) => `${m.role}: ${contentText(m.content as ChatMessage['content'])}`).join('\n')
  const shared = deps.sharedCacheRoutes.has(model)
  return {
    text,
    tenant: shared ? '' : (cacheTenant(caller) ?? ''),
    scope: cacheKey({ route: model, feature: FEATURE, messages: null, params }),
  }
}

/** Whether SSE text is a whole answer: it ends with `[DONE]` and carries no in-stream error event. */
const ranToItsEnd = (sse: string) =>
  /data: \[DONE\]\s*$/.test(sse) && !/^data: *\{("error"|"object": *"error")/m.test(sse)

function request<T>(
  deps: Deps,
  input: ChatInput,
  stream: boolean,
  translation: Translation,
): Omit<PipelineRequest<T>, 'call'> {
  const { body, caller } = input
  const logPrompts = deps.config.ai.gateway.logPrompts
  const estimate = estimates(deps, body)
  return {
    feature: FEATURE,
    route: body.model,
    // A model that names a feature or a versioned route gets its active version or experiment;
    // `provider/model` names one model and skips the look-up.
    versionKey: deps.resolveVersions && !body.model.includes('/') ? body.model : VERSIONLESS,
    refuses: translation.dropParams ? undefined : refusalOf(deps, body, translation),
    caller,
    requestId: caller.requestId ?? '',
    started: performance.now(),
    signal: input.signal,
    stream,
    estimatedTokens: estimate.tokens,
    estimatedUsage: estimate.usage,
    telemetry: {
      operation: 'chat',
      maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
      temperature: body.temperature ?? undefined,
      topP: body.top_p ?? undefined,
    },
    needs: {
      tools: (body.tools?.length ?? 0) > 0,
      vision: body.messages.some((m) => Array.isArray(m.content) && m.content.some((p) => p.type === 'image_url')),
      jsonSchema: body.response_format?.type === 'json_schema',
    },
    semantic: semanticOf(deps, body, caller),
    cache:
      input.cacheTtlSeconds > 0
        ? {
            key: v1CacheKey(deps, body, caller),
            ttlSeconds: input.cacheTtlSeconds,
            ...(stream ? { accept: ranToItsEnd } : {}),
          }
        : undefined,
    unavailable: () =>
      new AiUnavailableError(
        deps.config.ai.enabled
          ? 'No AI provider is configured: set a provider key (e.g. OPENAI_API_KEY) to use /v1'
          : 'AI is disabled on this server (AI_ENABLED=false)',
      ),
    ledger: {
      request: logPrompts ? body : { messages: body.messages.length, stream: body.stream === true },
      ...(stream ? {} : { response: (value: T) => value }),
      ...(logPrompts ? { rewrite: (map: (text: string) => string) => rewriteChat(body, map) } : {}),
    },
  }
}

/** A JSON chat completion request: its value is the response body as the upstream (or our translation) wrote it. */
export function chatCompletionRequest(deps: Deps, input: ChatInput): PipelineRequest<string> {
  const translation = translationOf(deps, input.dropParams === true)
  const base = request<string>(deps, input, false, translation)
  const call = (body: ChatCompletionBody) => chatCompletionCall(deps, body, base.requestId, translation)
  return {
    ...base,
    call: call(input.body),
    prompt: {
      texts: () => chatTexts(input.body),
      rewrite: (map) => call(rewriteChat(input.body, map)),
      field: 'messages',
    },
    outputText: chatAnswerText,
    outputToolText: chatAnswerToolText,
  }
}

/** A streamed chat completion request: its value is OpenAI SSE text, settled at its end however it ends. */
export function chatStreamRequest(deps: Deps, input: ChatInput): PipelineRequest<AsyncIterable<string>> {
  const translation = translationOf(deps, input.dropParams === true)
  const base = request<AsyncIterable<string>>(deps, input, true, translation)
  const call = (body: ChatCompletionBody) => chatStreamCall(deps, body, base.requestId, input.signal, translation)
  return {
    ...base,
    call: call(input.body),
    prompt: {
      texts: () => chatTexts(input.body),
      rewrite: (map) => call(rewriteChat(input.body, map)),
      field: 'messages',
    },
    streamText: chatStreamText,
    streamToolText: chatStreamToolText,
  }
}

export type ChatAnswer<T> = Answer<T>

/**
 * Route names, the catalog's models of configured providers, and every other model a route or a
 * provider's default names (e.g. the custom provider's `OPENAI_COMPATIBLE_MODEL`), as OpenAI's model list.
 */
export function listModels(ai: AiGateway) {
  const data: Array<{ id: string; object: 'model'; created: number; owned_by: string }> = []
  if (ai.enabled) {
    const seen = new Set<string>()
    const add = (id: string, ownedBy: string) => {
      if (seen.has(id)) return
      seen.add(id)
      data.push({ id, object: 'model', created: 0, owned_by: ownedBy })
    }
    for (const name of ai.routes.names()) add(name, 'optimaliq')
    for (const model of ai.models())
      if (ai.providers.names.includes(model.provider)) add(`${model.provider}/${model.id}`, model.provider)
    for (const provider of ai.providers.names) {
      const model = ai.providers.defaultModel(provider)
      if (model) add(`${provider}/${model}`, provider)
    }
    for (const name of ai.routes.names())
      for (const candidate of ai.routes.resolve(name))
        add(`${candidate.provider}/${candidate.model}`, candidate.provider)
  }
  return { object: 'list' as const, data }
}
