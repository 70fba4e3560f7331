import { addUsage } from '../calls/chat.ts'
import { GuardrailBlockedError } from '../guardrails/config.ts'
import type { OpenAiUpstream } from '../calls/passthrough.ts'
import { sdkGenerate, sdkStream } from '../calls/sdk.ts'
import { ErrorClass, InvalidOutputError, ProviderCallError, errorMessage } from '../router/errors.ts'
import type { CallContext } from '../router/router.ts'
import type { AiCandidate, AiUsage } from '../types.ts'
import type { ChatCompletionBody } from '../wire/openai-chat.ts'
import {
  fromChatResult,
  guardrailEvent,
  invalidOutputEvent,
  outputText,
  responsesErrorEvent,
  translatedEvents,
  type EventCounter,
  type ResponseHead,
} from '../wire/openai-responses-out.ts'
import { createResponsesRelay, type RelayedEvent } from '../wire/openai-responses-sse.ts'
import { responsesParam, type ChatTranslation, type ResponseItem } from '../wire/openai-responses.ts'
import { MalformedStreamError } from '../wire/openai-sse.ts'
import { outputCheck, repairMessage } from '../wire/structured.ts'
import { toChatRequest, unsupportedParams, type Unsupported } from '../wire/translate.ts'
import { attemptController, settling } from './settle.ts'
import { settledAt, type Call, type PipelineDeps } from './types.ts'

/**
 * The innermost calls for a client speaking the Responses API (`/v1/responses`): to an upstream
 * that speaks it too (OpenAI), the pass-through — the whole conversation as `input`, `store: false`
 * (the gateway keeps the state), the answer re-owned (our id, the client's `store` and
 * `previous_response_id`); to any other provider, its AI SDK model with the request translated
 * to chat and the answer written as Responses JSON or events.
 */

type Deps = Pick<PipelineDeps, 'providers' | 'passthrough' | 'upstreams' | 'fetchMedia'>

/** Providers whose API takes a Responses body as is. */
const NATIVE = new Set(['openai'])

const responsesUpstreams = new WeakMap<OpenAiUpstream, OpenAiUpstream>()

/** The upstream's `/responses` endpoint, when the provider speaks the Responses API. */
export function nativeUpstream(deps: Deps, provider: string): OpenAiUpstream | undefined {
  const upstream = NATIVE.has(provider) ? deps.upstreams.get(provider) : undefined
  if (!upstream) return undefined
  let found = responsesUpstreams.get(upstream)
  if (!found) {
    found = { ...upstream, chatCompletionsUrl: `${upstream.baseURL.replace(/\/$/, '')}/responses` }
    responsesUpstreams.set(upstream, found)
  }
  return found
}

/** One Responses request as the calls need it. */
export type ResponsesCallPlan = {
  head: Omit<ResponseHead, 'model'>
  /** The body sent to a native upstream, without `model`, `input`, `store` (set per attempt). */
  upstreamBody: Record<string, unknown>
  /** The whole conversation: history then this request's items (or the input string when there is no history). */
  upstreamInput: string | ResponseItem[]
  translation: ChatTranslation
  dropParams: boolean
  /** The gateway fetches image URLs for providers that take only bytes (`AI_MEDIA_FETCH` not `off`). */
  fetchesUrls: boolean
  capabilities(provider: string, model: string): readonly string[] | undefined
  /** Called with the final response object before the client sees it end (the store). */
  onDone(response: Record<string, unknown>): Promise<void>
}

/** What `candidate` cannot take of this request (translated providers), named as the Responses client named it. */
export function unsupportedFor(plan: ResponsesCallPlan, candidate: AiCandidate): Unsupported[] {
  const name = `${candidate.provider}/${candidate.model}`
  const { chat, origins, unsupported } = plan.translation
  const target = {
    provider: candidate.provider,
    model: candidate.model,
    capabilities: plan.capabilities(candidate.provider, candidate.model),
    fetchesUrls: plan.fetchesUrls,
  }
  return [
    ...unsupported.map((u) => ({ param: u.param, message: `${u.what} are not supported by ${name}` })),
    ...unsupportedParams(chat, target).map((u) => ({
      param: responsesParam(u.param, origins),
      message: u.message,
      chatParam: u.param,
    })),
  ]
}

/** The translated chat request for a candidate, and what was dropped at the client's request. */
function translated(plan: ResponsesCallPlan, candidate: AiCandidate, messages?: ChatCompletionBody['messages']) {
  const target = {
    provider: candidate.provider,
    model: candidate.model,
    capabilities: plan.capabilities(candidate.provider, candidate.model),
    fetchesUrls: plan.fetchesUrls,
  }
  const unsupported = plan.dropParams ? unsupportedFor(plan, candidate) : []
  const drop = new Set(unsupported.map((u) => (u as { chatParam?: string }).chatParam ?? u.param))
  const body = messages ? { ...plan.translation.chat, messages } : plan.translation.chat
  return { chat: toChatRequest(body, target, drop), dropped: unsupported.map((u) => u.param) }
}

const reown =
  (plan: ResponsesCallPlan) =>
  (response: Record<string, unknown>): Record<string, unknown> => ({
    ...response,
    id: plan.head.id,
    previous_response_id: plan.head.body.previous_response_id ?? null,
    store: plan.head.body.store ?? true,
  })

const nativeBody = (plan: ResponsesCallPlan, model: string, input: string | ResponseItem[], stream: boolean) =>
  JSON.stringify({ ...plan.upstreamBody, model, input, store: false, ...(stream ? { stream: true } : {}) })

async function readAll(chunks: { first: Buffer; chunks: AsyncIterable<Buffer> }): Promise<string> {
  const parts = [chunks.first]
  for await (const chunk of chunks.chunks) parts.push(chunk)
  return Buffer.concat(parts).toString('utf8')
}

const malformed = (candidate: AiCandidate, message: string, cause?: unknown) =>
  new ProviderCallError({
    provider: candidate.provider,
    model: candidate.model,
    errorClass: ErrorClass.MalformedResponse,
    message: `${candidate.provider} ${message}`,
    cause,
  })

/** A JSON response: the response object's text (already re-owned). Structured output is checked; one repair, then route on. */
export function responsesCall(deps: Deps, plan: ResponsesCallPlan): Call<string> {
  const check = outputCheck(plan.translation.chat)
  return async (context) => {
    const { candidate, signal } = context
    const started = performance.now()
    const upstream = nativeUpstream(deps, candidate.provider)
    const once = async (repair: { text: string; error: string } | undefined) => {
      if (upstream) {
        const input: string | ResponseItem[] = repair
          ? [
              ...(typeof plan.upstreamInput === 'string'
                ? [{ type: 'message', role: 'user' as const, content: plan.upstreamInput }]
                : plan.upstreamInput),
              { type: 'message', role: 'assistant', content: repair.text },
              { type: 'message', role: 'user', content: repairMessage(repair.error) },
            ]
          : plan.upstreamInput
        const text = await readAll(
          await deps.passthrough.stream(upstream, nativeBody(plan, candidate.model, input, false), signal),
        )
        let parsed: Record<string, unknown>
        try {
          parsed = JSON.parse(text) as Record<string, unknown>
        } catch (error) {
          throw malformed(candidate, 'sent a body that is not JSON', error)
        }
        if (!Array.isArray(parsed.output)) throw malformed(candidate, 'sent a response without output')
        const usage = parsed.usage as { input_tokens?: number; output_tokens?: number } | null | undefined
        const response = reown(plan)(parsed)
        return {
          response,
          text: outputText(response),
          usage: { inputTokens: usage?.input_tokens, outputTokens: usage?.output_tokens },
          dropped: [] as string[],
        }
      }
      const messages = repair
        ? [
            ...plan.translation.chat.messages,
            { role: 'assistant' as const, content: repair.text },
            { role: 'user' as const, content: repairMessage(repair.error) },
          ]
        : undefined
      const { chat, dropped } = translated(plan, candidate, messages)
      const model = deps.providers.languageModel(candidate.provider, candidate.model)
      const result = await sdkGenerate(model, chat, signal, deps.fetchMedia)
      const response = fromChatResult({ ...plan.head, model: candidate.model }, result)
      return { response, text: result.text, usage: result.usage, dropped }
    }
    const done = (answer: Awaited<ReturnType<typeof once>>, usage: AiUsage) => ({
      value: JSON.stringify(answer.response),
      usage,
      settled: settledAt(usage),
      ...(answer.dropped.length > 0 ? { dropped: answer.dropped } : {}),
    })
    const first = await once(undefined)
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
    const repaired = await once({ text: first.text, error: checked.error })
    const again = check?.(repaired.text) ?? { ok: true as const }
    if (!again.ok)
      throw new InvalidOutputError(`The answer failed its text.format after one repair: ${again.error}`.slice(0, 500))
    return done(repaired, addUsage(first.usage, repaired.usage))
  }
}

/** A streamed answer that failed its `text.format` at its end (caught below: it ends the stream with an event). */
class InvalidStreamOutput extends Error {
  override name = 'InvalidStreamOutput'
}

/** A stream of Responses events; its `errorEvent` numbers the event a broken stream ends with. */
export type ResponsesStream = AsyncIterable<string> & { errorEvent(error: unknown): string }

/** A streamed response: Responses SSE events, settled at their end. The store is written before the last event. */
export function responsesStreamCall(
  deps: Deps,
  plan: ResponsesCallPlan,
  clientSignal: AbortSignal | undefined,
): Call<ResponsesStream> {
  const gone = () => clientSignal?.aborted === true
  const check = outputCheck(plan.translation.chat)
  return async (context: CallContext) => {
    const counter: EventCounter = { next: 0 }
    let invalid: string | undefined
    /** The final response: checked against `text.format`, then stored (before the client sees it end). */
    const finish = async (response: Record<string, unknown>) => {
      const checked = check?.(outputText(response)) ?? { ok: true as const }
      if (!checked.ok) {
        invalid = checked.error
        throw new InvalidStreamOutput(checked.error)
      }
      await plan.onDone(response)
    }
    /** Ends the stream with an `invalid_output` event instead of its last one when the answer failed its format. */
    const guarded = (source: AsyncIterable<string>) =>
      (async function* () {
        try {
          yield* source
        } catch (error) {
          if (!(error instanceof InvalidStreamOutput)) throw error
          yield invalidOutputEvent(counter, error.message)
        }
      })()
    const invalidError = () =>
      invalid === undefined ? undefined : { errorClass: ErrorClass.InvalidOutput, message: invalid.slice(0, 500) }
    const { candidate } = context
    const controller = attemptController(context.signal, clientSignal)
    const signal = controller.signal
    const withErrorEvent = (value: AsyncIterable<string>): ResponsesStream =>
      Object.assign(value, {
        errorEvent: (error: unknown) =>
          error instanceof GuardrailBlockedError
            ? guardrailEvent(counter, error.message)
            : responsesErrorEvent(counter, errorMessage(error)),
      })
    const upstream = nativeUpstream(deps, candidate.provider)
    if (upstream) {
      const stream = await deps.passthrough.stream(
        upstream,
        nativeBody(plan, candidate.model, plan.upstreamInput, true),
        signal,
      )
      const relay = createResponsesRelay({ counter, reown: reown(plan) })
      let first: RelayedEvent[]
      try {
        first = relay.push(stream.first)
      } catch (error) {
        // Broken from its first bytes: nothing was sent yet, so the router may still route on.
        controller.abort(error)
        throw malformed(candidate, `sent a malformed stream: ${errorMessage(error)}`, error)
      }
      const pieces = (async function* () {
        const send = async function* (events: RelayedEvent[]) {
          for (const event of events) {
            if (event.final) await finish(event.final)
            yield event.text
          }
        }
        yield* send(first)
        for await (const chunk of stream.chunks) yield* send(relay.push(chunk))
        yield* send(relay.end())
        if (!relay.done && relay.errorMessage === undefined)
          throw new MalformedStreamError('the upstream stream ended before response.completed')
      })()
      const { value, settled } = settling(
        guarded(pieces),
        () => ({
          usage: relay.usage,
          error:
            invalidError() ??
            (relay.errorMessage !== undefined
              ? { errorClass: 'stream_failed', message: relay.errorMessage }
              : undefined),
        }),
        gone,
      )
      return { value: withErrorEvent(value), usage: relay.usage, settled }
    }
    const { chat, dropped } = translated(plan, candidate)
    const model = deps.providers.languageModel(candidate.provider, candidate.model)
    const chunks = await sdkStream(model, chat, signal, deps.fetchMedia)
    let usage: AiUsage = { inputTokens: undefined, outputTokens: undefined }
    let finished = false
    const head = { ...plan.head, model: candidate.model }
    const pieces = (async function* () {
      yield* translatedEvents(head, chunks, counter, async (response) => {
        finished = true
        usage = { inputTokens: response.usage?.input_tokens, outputTokens: response.usage?.output_tokens }
        await finish(response)
      })
      if (!finished) throw new MalformedStreamError(`${candidate.provider} ended the stream before its finish`)
    })()
    const { value, settled } = settling(guarded(pieces), () => ({ usage, error: invalidError() }), gone)
    return { value: withErrorEvent(value), usage, settled, ...(dropped.length > 0 ? { dropped } : {}) }
  }
}
