import { OptimaliqError } from '../../errors.ts'
import { capabilitiesOf } from '../catalog/capabilities.ts'
import { contentText, type ChatMessage } from '../calls/chat.ts'
import {
  nativeUpstream,
  responsesCall,
  responsesStreamCall,
  unsupportedFor,
  type ResponsesCallPlan,
  type ResponsesStream,
} from '../pipeline/call-responses.ts'
import type { Pipeline } from '../pipeline/index.ts'
import type { Answer, Call, PipelineDeps, PipelineRequest } from '../pipeline/types.ts'
import { VERSIONLESS } from '../pipeline/with-versions.ts'
import { AiUnavailableError } from '../router/errors.ts'
import type { AiCaller, AiCandidate } from '../types.ts'
import { newItemId } from '../wire/openai-responses-out.ts'
import {
  checkItems,
  gatewayRefuses,
  inputItems,
  toChatBody,
  type ResponseItem,
  type ResponsesBody,
} from '../wire/openai-responses.ts'
import { UnsupportedParameterError } from '../wire/translate.ts'
import type { ResponseStore } from './response-store.ts'
import {
  responsesAnswerText,
  responsesAnswerToolText,
  responsesStreamText,
  responsesStreamToolText,
  responsesTexts,
  rewriteResponseItems,
  rewriteResponsesBody,
} from '../guardrails/prompts.ts'

/**
 * `/v1/responses` (OpenAI's Responses API) as pipeline requests — the same pipeline as chat and
 * in-code calls (limits, budgets, versions, pacing, router, ledger, cost) — plus the gateway's own
 * store: `store` (default true) keeps the response for `GET /v1/responses/{id}` and for
 * `previous_response_id`, which prepends the stored conversation. The HTTP writing lives in
 * `http/routes/v1-responses.ts`. No exact cache: every response is a new object with its own id.
 */

const FEATURE = 'v1.responses'

export type ResponsesInput = {
  body: ResponsesBody
  caller: AiCaller
  signal?: AbortSignal | undefined
  /** `x-optimaliq-drop-params: true`: drop what a model cannot take (listed on the answer) instead of a 400. */
  dropParams?: boolean | undefined
}

export type ResponsesApi = {
  /** A JSON response: the answer's value is the response object's text. */
  create(input: ResponsesInput): Promise<Answer<string>>
  /** A streamed response: Responses SSE events, settled at their end. */
  stream(input: ResponsesInput): Promise<Answer<ResponsesStream>>
  /** A stored response of the caller's (404 otherwise). */
  retrieve(caller: AiCaller, id: string): Promise<unknown>
  delete(caller: AiCaller, id: string): Promise<{ id: string; object: 'response'; deleted: true }>
}

type Deps = Pick<
  PipelineDeps,
  'config' | 'providers' | 'passthrough' | 'upstreams' | 'catalog' | 'resolveVersions' | 'logger' | 'fetchMedia'
> & { run: Pipeline; store: ResponseStore | undefined }

/** 404 in OpenAI's shape, `param` naming what was not found. */
export class ResponseNotFoundError extends OptimaliqError {
  constructor(message: string, param: string | null, code = 'response_not_found') {
    super(code, message, { status: 404, ...(param ? { details: [{ field: param }] } : {}) })
  }
}

function storeOf(deps: Deps): ResponseStore {
  if (!deps.store)
    throw new OptimaliqError('responses_store_unavailable', 'Stored responses need a database', { status: 503 })
  return deps.store
}

function ownerOf(caller: AiCaller): string {
  if (!caller.userId) throw new OptimaliqError('unauthorized', 'Stored responses belong to a user', { status: 401 })
  return caller.userId
}

/** `item_reference` inputs replaced by the stored items they name (404 naming the first one missing). */
async function resolveReferences(deps: Deps, caller: AiCaller, items: ResponseItem[]): Promise<ResponseItem[]> {
  const ids = items.filter((i) => i.type === 'item_reference').map((i) => i.id as string)
  if (ids.length === 0) return items
  const found = await storeOf(deps).items(ownerOf(caller), ids)
  return items.map((item, i) => {
    if (item.type !== 'item_reference') return item
    const stored = found.get(item.id as string)
    if (!stored)
      throw new ResponseNotFoundError(
        `Item with id '${String(item.id)}' not found.`,
        `input[${i}].id`,
        'item_not_found',
      )
    return stored
  })
}

/** Everything a request's calls need, read once before the pipeline (bad input and unknown ids fail here). */
async function plan(
  deps: Deps,
  input: ResponsesInput,
): Promise<{ plan: ResponsesCallPlan; items: ResponseItem[]; history: ResponseItem[] }> {
  const { body, caller } = input
  const refused = gatewayRefuses(body)
  if (refused)
    throw new OptimaliqError('unsupported_parameter', refused.message, {
      status: 400,
      details: [{ field: refused.param, model: body.model }],
    })
  const given = inputItems(body.input)
  checkItems(given)
  const items = await resolveReferences(deps, caller, given)
  let history: ResponseItem[] = []
  if (body.previous_response_id) {
    const found = await storeOf(deps).conversation(ownerOf(caller), body.previous_response_id)
    if (!found)
      throw new ResponseNotFoundError(
        `Previous response with id '${body.previous_response_id}' not found.`,
        'previous_response_id',
        'previous_response_not_found',
      )
    history = found
  }
  const id = newItemId('resp')
  const store = body.store !== false
  if (store) ownerOf(caller)
  const {
    model: _model,
    input: _input,
    store: _store,
    previous_response_id: _previous,
    stream: _stream,
    ...upstreamBody
  } = body
  const resolved = items !== given || history.length > 0 || typeof body.input !== 'string'
  return {
    items,
    history,
    plan: {
      head: { id, createdAt: Math.floor(Date.now() / 1000), body },
      upstreamBody,
      upstreamInput: resolved ? [...history.filter(replayable), ...items] : (body.input as string),
      translation: toChatBody(body, history, items),
      dropParams: input.dropParams === true,
      fetchesUrls: deps.fetchMedia !== undefined,
      capabilities: capabilitiesOf(deps.catalog),
      async onDone(response) {
        if (!store) return
        await storeOf(deps).save(ownerOf(caller), {
          id,
          apiKeyId: caller.apiKeyId,
          previousResponseId: body.previous_response_id ?? undefined,
          model: typeof response.model === 'string' ? response.model : body.model,
          input: items,
          output: Array.isArray(response.output) ? (response.output as ResponseItem[]) : [],
          response,
        })
      },
    },
  }
}

/**
 * The plan with every prompt text rewritten (input redaction): what goes upstream changes; the
 * response object (which echoes `instructions`) and the store keep what the client sent.
 */
function rewritten(
  p: ResponsesCallPlan,
  body: ResponsesBody,
  parts: { items: ResponseItem[]; history: ResponseItem[] },
  map: (text: string) => string,
): ResponsesCallPlan {
  const instructions = typeof body.instructions === 'string' ? map(body.instructions) : body.instructions
  return {
    ...p,
    upstreamBody: { ...p.upstreamBody, ...(instructions != null ? { instructions } : {}) },
    upstreamInput:
      typeof p.upstreamInput === 'string' ? map(p.upstreamInput) : rewriteResponseItems(p.upstreamInput, map),
    translation: toChatBody(
      { ...body, instructions },
      rewriteResponseItems(parts.history, map),
      rewriteResponseItems(parts.items, map),
    ),
  }
}

/** The guardrails' view of a request: its texts (instructions, history, input) and the call with them rewritten. */
function promptOf<T>(
  body: ResponsesBody,
  parts: { items: ResponseItem[]; history: ResponseItem[] },
  p: ResponsesCallPlan,
  call: (p: ResponsesCallPlan) => Call<T>,
) {
  return {
    texts: () => responsesTexts(body.instructions, [...parts.history, ...parts.items]),
    rewrite: (map: (text: string) => string) => call(rewritten(p, body, parts, map)),
    field: 'input',
  }
}

/**
 * Whether a stored item can go back to OpenAI as input. Upstream runs with `store: false`, where
 * OpenAI refuses reasoning items it cannot read back: only those with `encrypted_content` return
 * (as the AI SDK does); the model reasons afresh otherwise.
 */
const replayable = (item: ResponseItem) => item.type !== 'reasoning' || typeof item.encrypted_content === 'string'

/** Why a candidate cannot carry this request (translated providers only; a native upstream takes it as sent). */
const refusalOf = (deps: Deps, p: ResponsesCallPlan) => (candidate: AiCandidate) => {
  if (nativeUpstream(deps, candidate.provider)) return undefined
  const [first] = unsupportedFor(p, candidate)
  return first ? new UnsupportedParameterError(first, `${candidate.provider}/${candidate.model}`) : undefined
}

function request<T>(deps: Deps, input: ResponsesInput, p: ResponsesCallPlan, stream: boolean) {
  const { body, caller } = input
  let chars = 0
  for (const m of p.translation.chat.messages) chars += contentText(m.content as ChatMessage['content']).length
  const prompt = Math.ceil(chars / 4)
  const requested = body.max_output_tokens ?? undefined
  const logPrompts = deps.config.ai.gateway.logPrompts
  return {
    feature: FEATURE,
    route: body.model,
    versionKey: deps.resolveVersions && !body.model.includes('/') ? body.model : VERSIONLESS,
    refuses: p.dropParams ? undefined : refusalOf(deps, p),
    caller,
    requestId: caller.requestId ?? p.head.id,
    started: performance.now(),
    signal: input.signal,
    stream,
    estimatedTokens: prompt + (requested ?? 0),
    estimatedUsage: { inputTokens: prompt, outputTokens: requested ?? deps.config.ai.maxTokens },
    telemetry: {
      operation: 'chat',
      maxTokens: requested,
      temperature: body.temperature ?? undefined,
      topP: body.top_p ?? undefined,
    },
    unavailable: () =>
      new AiUnavailableError(
        deps.config.ai.enabled
          ? 'No AI provider is configured: set a provider key (e.g. OPENAI_API_KEY) to use /v1'
          : 'AI is disabled on this server (AI_ENABLED=false)',
      ),
    ledger: {
      request: logPrompts ? body : { input: p.translation.chat.messages.length, stream },
      ...(stream ? {} : { response: (value: T) => value }),
      ...(logPrompts ? { rewrite: (map: (text: string) => string) => rewriteResponsesBody(body, map) } : {}),
    },
  } satisfies Omit<PipelineRequest<T>, 'call'>
}

export function createResponsesApi(deps: Deps): ResponsesApi {
  return {
    async create(input) {
      const { plan: p, ...parts } = await plan(deps, input)
      const call = (q: ResponsesCallPlan) => responsesCall(deps, q)
      const answer = await deps.run({
        ...request<string>(deps, input, p, false),
        call: call(p),
        prompt: promptOf(input.body, parts, p, call),
        outputText: responsesAnswerText,
        outputToolText: responsesAnswerToolText,
      })
      await p.onDone(JSON.parse(answer.value) as Record<string, unknown>)
      return answer
    },
    async stream(input) {
      const { plan: p, ...parts } = await plan(deps, input)
      const call = (q: ResponsesCallPlan) => responsesStreamCall(deps, q, input.signal)
      return deps.run({
        ...request<ResponsesStream>(deps, input, p, true),
        call: call(p),
        prompt: promptOf(input.body, parts, p, call),
        streamText: responsesStreamText,
        streamToolText: responsesStreamToolText,
      })
    },
    async retrieve(caller, id) {
      const found = await storeOf(deps).get(ownerOf(caller), id)
      if (found === undefined) throw new ResponseNotFoundError(`Response with id '${id}' not found.`, null)
      return found
    },
    async delete(caller, id) {
      const deleted = await storeOf(deps).delete(ownerOf(caller), id)
      if (!deleted) throw new ResponseNotFoundError(`Response with id '${id}' not found.`, null)
      return { id, object: 'response', deleted: true }
    },
  }
}
