import { addUsage } from '../calls/chat.ts'
import { sdkGenerate, sdkStream } from '../calls/sdk.ts'
import { ErrorClass, InvalidOutputError } from '../router/errors.ts'
import type { CallContext } from '../router/router.ts'
import type { AiCandidate, AiUsage } from '../types.ts'
import { firstChunkEvent, toChunkEvents, toCompletion, type ChatCompletionBody } from '../wire/openai-chat.ts'
import { invalidStreamEvent, outputCheck, repairMessage } from '../wire/structured.ts'
import { toChatRequest, unsupportedParams } from '../wire/translate.ts'
import { createSseRelay } from '../wire/openai-sse.ts'
import { attemptController, relayUpstream, settling } from './settle.ts'
import { settledAt, type Call, type PipelineDeps } from './types.ts'

/**
 * The innermost call for a client speaking OpenAI chat completions (`/v1`): to an OpenAI-format
 * upstream, the passthrough (the body forwarded with the model id swapped, over undici); to any
 * other provider, its AI SDK model with the request and answer translated.
 */

type Deps = Pick<PipelineDeps, 'providers' | 'passthrough' | 'upstreams' | 'fetchMedia'>

const created = () => Math.floor(Date.now() / 1000)

/**
 * The body sent to an OpenAI-format upstream for a stream: the model id swapped, and usage asked
 * for (`stream_options.include_usage`) so every stream can be paid for; the relay strips the extra
 * usage chunk again when the client did not ask for it.
 */
export const upstreamStreamBody = (body: ChatCompletionBody, model: string) =>
  JSON.stringify({ ...body, model, stream_options: { ...body.stream_options, include_usage: true } })

/** How `/v1` translates for a candidate: whether the client lets us drop what a model cannot take, and the catalog's capabilities. */
export type Translation = {
  dropParams: boolean
  /** Image URLs are fetched for providers that take only bytes. */
  fetchesUrls: boolean
  capabilities(provider: string, model: string): readonly string[] | undefined
}

/** The translated request for a candidate, and what was dropped at the client's request. */
function translated(body: ChatCompletionBody, candidate: AiCandidate, translation: Translation) {
  const target = {
    provider: candidate.provider,
    model: candidate.model,
    capabilities: translation.capabilities(candidate.provider, candidate.model),
    fetchesUrls: translation.fetchesUrls,
  }
  const dropped = translation.dropParams ? unsupportedParams(body, target).map((u) => u.param) : []
  return { chat: toChatRequest(body, target, new Set(dropped)), dropped }
}

/** The text of a chat.completion body's first choice (passthrough answers). */
function firstContent(text: string): string {
  const parsed = JSON.parse(text) as { choices?: Array<{ message?: { content?: unknown } }> }
  const content = parsed.choices?.[0]?.message?.content
  return typeof content === 'string' ? content : ''
}

/**
 * A JSON chat completion: the body as the upstream (or our translation) wrote it. With
 * `json_object` or a strict `json_schema`, the answer is checked; one repair, then the router moves on.
 */
export function chatCompletionCall(
  deps: Deps,
  body: ChatCompletionBody,
  requestId: string,
  translation: Translation,
): Call<string> {
  const check = outputCheck(body)
  return async (context) => {
    const { candidate, signal } = context
    const started = performance.now()
    const upstream = deps.upstreams.get(candidate.provider)
    const once = async (messages: ChatCompletionBody['messages']) => {
      if (upstream) {
        const answer = await deps.passthrough.complete(
          upstream,
          JSON.stringify({ ...body, messages, model: candidate.model }),
          signal,
        )
        return { body: answer.body, text: check ? firstContent(answer.body) : '', usage: answer.usage, dropped: [] }
      }
      const { chat, dropped } = translated({ ...body, messages }, candidate, translation)
      const result = await sdkGenerate(
        deps.providers.languageModel(candidate.provider, candidate.model),
        chat,
        signal,
        deps.fetchMedia,
      )
      const id = `chatcmpl-${requestId}`
      return {
        body: toCompletion(result, { id, model: candidate.model, created: created() }),
        text: result.text,
        usage: result.usage,
        dropped,
      }
    }
    const first = await once(body.messages)
    const done = (answer: typeof first, usage: AiUsage) => ({
      value: answer.body,
      usage,
      settled: settledAt(usage),
      ...(answer.dropped.length > 0 ? { dropped: answer.dropped } : {}),
    })
    const checked = check?.(first.text) ?? { ok: true as const }
    if (checked.ok) return done(first, first.usage)
    context.record({
      provider: candidate.provider,
      model: candidate.model,
      latencyMs: Math.round(performance.now() - started),
      ok: false,
      errorClass: ErrorClass.InvalidOutput,
      error: `repairing: ${checked.error}`.slice(0, 500),
    })
    const repair = await once([
      ...body.messages,
      { role: 'assistant', content: first.text },
      { role: 'user', content: repairMessage(checked.error) },
    ])
    const again = check?.(repair.text) ?? { ok: true as const }
    if (!again.ok)
      throw new InvalidOutputError(
        `The answer failed its response_format after one repair: ${again.error}`.slice(0, 500),
      )
    return done(repair, addUsage(first.usage, repair.usage))
  }
}

/**
 * A streamed chat completion as OpenAI SSE text. The stream outlives the router: its upstream is
 * cancelled by the attempt (while routing) or by the client going away (`clientSignal`, after).
 */
export function chatStreamCall(
  deps: Deps,
  body: ChatCompletionBody,
  requestId: string,
  clientSignal: AbortSignal | undefined,
  translation: Translation,
): Call<AsyncIterable<string>> {
  const includeUsage = body.stream_options?.include_usage === true
  const check = outputCheck(body)
  const gone = () => clientSignal?.aborted === true
  return async (context: CallContext) => {
    const { candidate } = context
    const controller = attemptController(context.signal, clientSignal)
    const signal = controller.signal
    const upstream = deps.upstreams.get(candidate.provider)
    if (upstream) {
      const stream = await deps.passthrough.stream(upstream, upstreamStreamBody(body, candidate.model), signal)
      const relay = createSseRelay({ includeUsage, check })
      return relayUpstream(candidate, controller, stream, relay, {
        end: '[DONE]',
        errorClass: () => (relay.invalidOutput ? ErrorClass.InvalidOutput : 'stream_failed'),
        cancelled: gone,
      })
    }
    const { chat, dropped } = translated(body, candidate, translation)
    const chunks = await sdkStream(
      deps.providers.languageModel(candidate.provider, candidate.model),
      chat,
      signal,
      deps.fetchMedia,
    )
    let usage: AiUsage = { inputTokens: undefined, outputTokens: undefined }
    let invalid: string | undefined
    const meta = { id: `chatcmpl-${requestId}`, model: candidate.model, created: created(), includeUsage }
    const pieces = (async function* () {
      const state = { toolIndex: 0 }
      let text = ''
      let toolCalls = false
      yield firstChunkEvent(meta)
      for await (const chunk of chunks) {
        if (chunk.type === 'finish') usage = chunk.usage
        if (chunk.type === 'text') text += chunk.text
        if (chunk.type === 'tool-call') toolCalls = true
        yield toChunkEvents(chunk, meta, state)
      }
      const checked = check && !toolCalls ? check(text) : { ok: true as const }
      if (checked.ok) yield 'data: [DONE]\n\n'
      else {
        invalid = checked.error
        yield invalidStreamEvent(checked.error)
      }
    })()
    const { value, settled } = settling(
      pieces,
      () => ({
        usage,
        error: invalid ? { errorClass: ErrorClass.InvalidOutput, message: invalid } : undefined,
      }),
      gone,
    )
    return { value, usage, settled, ...(dropped.length > 0 ? { dropped } : {}) }
  }
}
