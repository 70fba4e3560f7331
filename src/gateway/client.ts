import { randomUUID } from 'node:crypto'
import type { Tracer } from '@opentelemetry/api'
import type { Logger } from 'pino'
import { z } from 'zod'
import type { ConfigWithGateway as Config } from './config.ts'
import type { Database } from '../data/db.ts'
import { createAiCache, cacheKey, type AiCache } from './cache/cache.ts'
import { contentText, type ChatMessage, type ChatRequest } from './calls/chat.ts'
import { createMediaFetcher } from './calls/media-fetch.ts'
import { createPassthrough, type OpenAiUpstream, type Passthrough } from './calls/passthrough.ts'
import { createAnthropicPassthrough, type AnthropicUpstream } from './calls/anthropic-passthrough.ts'
import type { GatewayCatalog, GatewayProviders } from './gateway-parts.ts'
import { createHealthTracker, startIdleProbe, type HealthTracker } from './health/health.ts'
import { createLedger, type Ledger } from './ledger/ledger.ts'
import { checkObject, objectCall, textCall, textStreamCall } from './pipeline/call-sdk.ts'
import type { GuardrailsConfig } from './guardrails/config.ts'
import {
  createEmbeddingPipeline,
  createPipeline,
  metaOf,
  type Answer,
  type PipelineDeps,
  type PipelineRequest,
} from './pipeline/index.ts'
import { onePiece } from './pipeline/settle.ts'
import type { Call } from './pipeline/types.ts'
import { createBreakerRegistry, type BreakerRegistry } from './router/breakers.ts'
import type { Clock } from './router/clock.ts'
import { AllProvidersFailedError, ErrorClass } from './router/errors.ts'
import { createLatencyTracker, type LatencyTracker } from './router/latency.ts'
import { startRouteSync } from './router/route-sync.ts'
import { createRouteTable, type FileRoute, type RouteTable } from './router/routes.ts'
import { orderByStrategy, type StrategyDeps } from './router/strategies.ts'
import { createRouter, type Router } from './router/router.ts'
import { chatCompletionRequest, chatStreamRequest, type ChatInput } from './v1/chat-completions.ts'
import { embeddingsRequest, type EmbeddingsInput } from './v1/embeddings.ts'
import { vectorsOf } from './wire/openai-embeddings.ts'
import {
  createSemanticCache,
  SEMANTIC_CACHE_FEATURE,
  type SemanticCacheConfig,
} from './semantic-cache/semantic-cache.ts'
import type { SemanticSearch } from './semantic-cache/store.ts'
import { createEmbeddingsPassthrough } from './calls/embeddings.ts'
import { messagesRequest, messagesStreamRequest, type MessagesInput } from './v1/messages.ts'
import { createResponseStore } from './v1/response-store.ts'
import { createResponsesApi, type ResponsesApi } from './v1/responses.ts'
import {
  cacheTenant,
  type AiCandidate,
  type AiClient,
  type AiGuard,
  type AiPacer,
  type AiMeta,
  type GenerateObjectRequest,
  type GenerateTextRequest,
  type VersionResolver,
} from './types.ts'
import { capabilitiesOf, contextWindowOf } from './catalog/capabilities.ts'

export { checkObject }
export type { GatewayCatalog, GatewayProviders }

export type AiClientOptions = {
  config: Config
  db?: Database | undefined
  providers: GatewayProviders
  catalog: GatewayCatalog
  logger?: Logger | undefined
  guards?: AiGuard[] | undefined
  /** Provider RPM/TPM pacing asked before each attempt of every call. */
  pacer?: AiPacer | undefined
  /** How long an attempt may wait for pacing before routing on (ms). */
  pacingMaxWaitMs?: number | undefined
  resolveVersions?: VersionResolver | undefined
  clock?: Clock | undefined
  /** Named routes beside `default`: candidate lists (objects, aliases or `provider/model`) or definitions with a strategy. */
  routes?: Record<string, FileRoute> | undefined
  /** How often routes stored by admins are re-read (ms; default 2000); 0: never (no database: never). */
  routesPollMs?: number | undefined
  /** Randomness of the `weighted` and `latency` strategies (tests script it). */
  random?: (() => number) | undefined
  /** OpenAI-format upstreams for the `/v1` passthrough (by provider); others go through the AI SDK. */
  upstreams?: Map<string, OpenAiUpstream> | undefined
  /** Anthropic Messages upstreams for the `/v1/messages` passthrough (by provider); others are translated. */
  anthropicUpstreams?: Map<string, AnthropicUpstream> | undefined
  /** `/v1` routes whose cache entries are shared across tenants (prompts without user data). */
  sharedCacheRoutes?: readonly string[] | undefined
  /** The semantic cache (needs `db`): off unless given, and then only on the routes it lists. */
  semanticCache?: SemanticCacheConfig | undefined
  /** OpenTelemetry tracer: a span per request and per attempt (none when unset). */
  tracer?: Tracer | undefined
  /** Guardrails per route or feature (none: off). */
  guardrails?: GuardrailsConfig | undefined
}

/** The in-code client plus `/v1`'s calls and the parts the admin routes and tests read. */
export type AiGateway = AiClient & {
  readonly enabled: boolean
  readonly config: Config
  readonly providers: GatewayProviders
  readonly catalog: GatewayCatalog
  readonly routes: RouteTable
  readonly breakers: BreakerRegistry
  readonly cache: AiCache
  readonly ledger: Ledger | undefined
  readonly health: HealthTracker
  readonly upstreams: Map<string, OpenAiUpstream>
  /** Live p50 per provider and model (the `latency` strategy). */
  readonly latency: LatencyTracker
  /** The semantic cache's search (pgvector or the in-process index; `starting` until chosen) and entries; undefined when off. */
  semanticCacheStatus(): { search: SemanticSearch | 'starting'; entries: number } | undefined
  /** Re-read the routes stored by admins now (the process that changed them calls it). */
  reloadRoutes(): Promise<void>
  /** `/v1/chat/completions` without `stream`: the answer's value is the response body. */
  chatCompletion(input: ChatInput): Promise<Answer<string>>
  /** `/v1/chat/completions` with `stream`: the answer's value is OpenAI SSE text, settled at its end. */
  chatStream(input: ChatInput): Promise<Answer<AsyncIterable<string>>>
  /** `/v1/embeddings`: the answer's value is OpenAI's `list` body. */
  embeddings(input: EmbeddingsInput): Promise<Answer<string>>
  /** `/v1/messages` without `stream`: the answer's value is Anthropic's `message` body. */
  messages(input: MessagesInput): Promise<Answer<string>>
  /** `/v1/messages` with `stream`: the answer's value is Anthropic SSE text, settled at its end. */
  messagesStream(input: MessagesInput): Promise<Answer<AsyncIterable<string>>>
  /** `/v1/responses`: create (JSON or SSE), retrieve and delete stored responses. */
  readonly responses: ResponsesApi
  close(): Promise<void>
}

const jsonSchemas = new WeakMap<object, Record<string, unknown> | undefined>()
function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> | undefined {
  if (!jsonSchemas.has(schema)) {
    let json: Record<string, unknown> | undefined
    try {
      json = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>
    } catch {
      json = undefined
    }
    jsonSchemas.set(schema, json)
  }
  return jsonSchemas.get(schema)
}

const promptChars = (system: string | undefined, messages: ChatMessage[]) =>
  (system?.length ?? 0) + messages.reduce((n, m) => n + contentText(m.content).length, 0)

const hasImages = (messages: ChatMessage[]) =>
  messages.some((m) => Array.isArray(m.content) && m.content.some((part) => part.type === 'image_url'))

/** The texts of an in-code prompt with their roles (guardrails read them). */
function promptTexts(request: GenerateTextRequest): Array<{ role: string; text: string }> {
  const texts = request.system ? [{ role: 'system', text: request.system }] : []
  for (const m of request.messages)
    if (typeof m.content === 'string') texts.push({ role: m.role, text: m.content })
    else for (const part of m.content) if (part.type === 'text') texts.push({ role: m.role, text: part.text })
  return texts
}

/** The request with every prompt text rewritten (guardrails: redaction before the prompt leaves). */
function rewritePrompt(request: GenerateTextRequest, map: (text: string) => string): GenerateTextRequest {
  return {
    ...request,
    system: request.system === undefined ? undefined : map(request.system),
    messages: request.messages.map((m) => ({
      ...m,
      content:
        typeof m.content === 'string'
          ? map(m.content)
          : m.content.map((part) => (part.type === 'text' ? { ...part, text: map(part.text) } : part)),
    })),
  }
}

/** The ledger's copy of an in-code prompt (AI_LOG_PROMPTS). */
const storedPrompt = (request: GenerateTextRequest) => ({
  system: request.system,
  messages: request.messages,
  temperature: request.temperature,
  maxTokens: request.maxTokens,
})

/**
 * The gateway: one pipeline (`pipeline/`) behind every entry — in-code `generateObject`,
 * `generateText`, `stream`, and `/v1` JSON and streams. No singletons: `main/container.ts` builds
 * one per process. With AI disabled or no provider configured, only rules answer.
 */
export function createAiClient(options: AiClientOptions): AiGateway {
  const { config, providers, catalog, logger } = options
  const settings = config.ai.gateway
  const enabled = config.ai.enabled && providers.names.length > 0
  const health = createHealthTracker({ db: options.db, logger })
  const now = options.clock ? () => (options.clock as Clock).now() : () => performance.now()
  const latency = createLatencyTracker({ now })
  const breakers = createBreakerRegistry({
    threshold: settings.breakerThreshold,
    halfOpenAfterMs: settings.breakerHalfOpenMs,
    onStateChange: (provider, state) => health.breakerChanged(provider, state),
    onModelStateChange: (provider) => health.modelBreakerChanged(provider),
  })
  const router: Router = createRouter({
    breakers,
    clock: options.clock,
    retry: { maxRetries: settings.maxRetries, maxRetryAfterMs: settings.retryAfterCapMs },
    attemptTimeoutMs: settings.attemptTimeoutMs,
    deadlineMs: settings.deadlineMs,
    hedgeAfterMs: settings.hedgeAfterMs > 0 ? settings.hedgeAfterMs : undefined,
    onAttempt: (attempt) => {
      health.observe(attempt)
      // Answers and timeouts speak about speed; a quick error does not make a provider fast.
      if (attempt.ok || attempt.errorClass === ErrorClass.Timeout)
        latency.observe(attempt.provider, attempt.model, attempt.latencyMs)
    },
  })
  const routes = createRouteTable(
    {
      providers: [...providers.names],
      defaultModel: (p) => providers.defaultModel(p),
      resolveModel: (n) => catalog.resolveModel(n),
    },
    options.routes,
  )
  const pollMs = options.routesPollMs ?? settings.routesPollMs ?? 2_000
  const routeSync =
    options.db && pollMs > 0 ? startRouteSync({ db: options.db, routes, intervalMs: pollMs, logger }) : undefined
  const capabilities = capabilitiesOf(catalog)
  const strategyDeps: StrategyDeps = {
    random: options.random ?? Math.random,
    now,
    healthy: (c) => {
      const state = breakers.state(c.provider, c.model)
      if (state === 'closed') return true
      // Open long enough: its next call is the half-open probe, so it may lead again.
      const opened = breakers.openedAt(c.provider, c.model)
      return state === 'open' && opened !== undefined && Date.now() - opened >= settings.breakerHalfOpenMs
    },
    costOf: (c, needs) =>
      catalog.costUsd(c.provider, c.model, { inputTokens: needs.inputTokens, outputTokens: needs.outputTokens }),
    capabilities,
    contextWindow: contextWindowOf(catalog),
    latency,
  }
  const cache = createAiCache({ db: options.db, logger })
  const ledger = options.db
    ? createLedger({ db: options.db, logger, flushIntervalMs: settings.ledgerFlushMs })
    : undefined
  const passthrough: Passthrough = createPassthrough()
  const embeddingsPassthrough = createEmbeddingsPassthrough()
  const upstreams = options.upstreams ?? new Map<string, OpenAiUpstream>()
  const probe =
    settings.healthProbeIntervalSeconds > 0
      ? startIdleProbe({
          intervalMs: settings.healthProbeIntervalSeconds * 1000,
          providers: [...upstreams.keys()].filter((p) => providers.names.includes(p)),
          tracker: health,
          probe: (provider) => passthrough.probe(upstreams.get(provider) as OpenAiUpstream, AbortSignal.timeout(5_000)),
        })
      : undefined

  const deps: PipelineDeps = {
    config,
    enabled,
    providers,
    catalog,
    routes,
    router,
    order: (strategy, candidates, needs) => orderByStrategy(strategy, candidates, needs, strategyDeps),
    cache,
    record: (entry) => ledger?.record(entry),
    guards: options.guards ?? [],
    pacer: options.pacer,
    pacingMaxWaitMs: options.pacingMaxWaitMs,
    resolveVersions: options.resolveVersions,
    passthrough,
    upstreams,
    sharedCacheRoutes: new Set(options.sharedCacheRoutes ?? []),
    logger,
    tracer: options.tracer,
    guardrails: options.guardrails,
    fetchMedia:
      settings.mediaFetch === 'off'
        ? undefined
        : createMediaFetcher({
            allowPrivate: settings.mediaFetch === 'any',
            maxBytes: 20 * 1024 * 1024,
            timeoutMs: 10_000,
          }),
  }
  if (options.semanticCache && options.db) {
    const semantic = options.semanticCache
    const embedRun = createEmbeddingPipeline(deps)
    const ttl = Math.max(...Object.values(semantic.routes).map((r) => r.ttlSeconds), 0)
    deps.semanticCache = createSemanticCache({
      config: semantic,
      db: options.db,
      logger,
      // The prompt's embedding through the gateway: ledgered (feature `semantic_cache`), exact-cached.
      embed: async (text, caller, signal) => {
        const answer = await embedRun(
          embeddingsRequest(
            { ...deps, embeddingsPassthrough },
            {
              body: {
                model: semantic.embeddingModel,
                input: text,
                encoding_format: 'base64',
                ...(semantic.sendDimensions === false ? {} : { dimensions: semantic.dimensions }),
              },
              caller,
              cacheTtlSeconds: ttl,
              signal,
              feature: SEMANTIC_CACHE_FEATURE,
            },
          ),
        )
        const [vector] = vectorsOf(answer.value)
        if (!vector) throw new Error('the embedding model answered no vector')
        return Float32Array.from(vector)
      },
    })
  }
  const run = createPipeline(deps)
  const messagesDeps = {
    ...deps,
    anthropicPassthrough: createAnthropicPassthrough(),
    anthropicUpstreams: options.anthropicUpstreams ?? new Map<string, AnthropicUpstream>(),
  }
  const responses = createResponsesApi({
    ...deps,
    run,
    store: options.db ? createResponseStore(options.db) : undefined,
  })

  /** The provider-neutral chat of an in-code request for one candidate (its version's parameters win). */
  const chatFor =
    (request: GenerateTextRequest, extra: Partial<ChatRequest> = {}) =>
    (candidate: AiCandidate): ChatRequest => {
      const params = candidate.params ?? {}
      const num = (v: unknown) => (typeof v === 'number' ? v : undefined)
      return {
        system: request.system,
        messages: request.messages,
        temperature: num(params.temperature) ?? request.temperature ?? config.ai.temperature,
        maxTokens: num(params.maxTokens) ?? request.maxTokens ?? config.ai.maxTokens,
        ...extra,
      }
    }

  /** Images need a model that can read them: candidates the catalog says cannot are skipped. */
  const refusesWithoutVision = (candidate: AiCandidate) =>
    capabilities(candidate.provider, candidate.model)?.includes('vision') === false
      ? new AllProvidersFailedError([
          {
            provider: candidate.provider,
            model: candidate.model,
            latencyMs: 0,
            ok: false,
            errorClass: ErrorClass.ClientError,
            error: 'the model cannot read images (catalog: no vision)',
          },
        ])
      : undefined

  /** An in-code request as a pipeline request. */
  function inCode<T>(
    request: GenerateTextRequest & { schema?: unknown },
    makeCall: (request: GenerateTextRequest) => Call<T>,
    rules: (() => Promise<T>) | undefined,
    stream: boolean,
    outputText?: (value: T) => string,
  ): PipelineRequest<T> {
    const maxTokens = request.maxTokens ?? config.ai.maxTokens
    const input = Math.ceil(promptChars(request.system, request.messages) / 4)
    const route = request.route ?? 'default'
    const ttl = stream ? 0 : (request.cacheTtlSeconds ?? 0)
    return {
      feature: request.feature,
      route,
      caller: request.caller,
      requestId: request.caller.requestId ?? randomUUID(),
      started: performance.now(),
      signal: request.signal,
      stream,
      estimatedTokens: input + maxTokens,
      estimatedUsage: { inputTokens: input, outputTokens: maxTokens },
      telemetry: { operation: 'chat', maxTokens, temperature: request.temperature ?? config.ai.temperature },
      needs: { vision: hasImages(request.messages), jsonSchema: request.schema !== undefined },
      cache:
        ttl > 0
          ? {
              key: cacheKey({
                route,
                feature: request.feature,
                system: request.system,
                messages: request.messages,
                params: { temperature: request.temperature, maxTokens: request.maxTokens },
                schema: request.schema,
                promptVersion: request.promptVersion,
                cacheScope: request.cacheScope,
                tenant: request.cacheShared ? undefined : cacheTenant(request.caller),
              }),
              ttlSeconds: ttl,
            }
          : undefined,
      call: makeCall(request),
      prompt: {
        texts: () => promptTexts(request),
        rewrite: (map) => makeCall(rewritePrompt(request, map)),
      },
      outputText,
      rules,
      refuses: hasImages(request.messages) ? refusesWithoutVision : undefined,
      // An in-code stream's pieces are its text.
      streamText: stream ? (piece: string) => piece : undefined,
      ledger: settings.logPrompts
        ? {
            request: storedPrompt(request),
            response: (value) => value,
            rewrite: (map) => storedPrompt(rewritePrompt(request, map)),
          }
        : { request: { messages: request.messages.length, promptVersion: request.promptVersion } },
    }
  }

  /** A JSON answer and its meta. */
  async function settle<T>(request: PipelineRequest<T>): Promise<{ value: T } & AiMeta> {
    const answer = await run(request)
    return { value: answer.value, ...metaOf(deps, request, answer, await answer.settled) }
  }

  const rulesOf = <T>(rules: (() => T | Promise<T>) | undefined) => (rules ? async () => await rules() : undefined)

  async function generateObject<T>(request: GenerateObjectRequest<T>): Promise<{ object: T } & AiMeta> {
    const schema = jsonSchemaOf(request.schema)
    const makeCall = (r: GenerateTextRequest) =>
      objectCall(
        deps,
        chatFor(r, {
          responseFormat: { type: 'json', schema, name: request.feature.replace(/[^\w-]/g, '_').slice(0, 64) },
        }),
        (text) => checkObject(request.schema, text),
      )
    const { value, ...meta } = await settle(
      inCode<T>({ ...(request as GenerateTextRequest), schema }, makeCall, rulesOf(request.rules), false, (v) =>
        JSON.stringify(v),
      ),
    )
    return { object: value, ...meta }
  }

  async function generateText(request: GenerateTextRequest): Promise<{ text: string } & AiMeta> {
    const makeCall = (r: GenerateTextRequest) => textCall(deps, chatFor(r))
    const { value, ...meta } = await settle(inCode(request, makeCall, rulesOf(request.rules), false, (v) => v))
    return { text: value, ...meta }
  }

  async function stream(
    request: GenerateTextRequest,
  ): Promise<{ textStream: AsyncIterable<string>; meta: Promise<AiMeta> }> {
    const rules = request.rules
    const pipelineRequest = inCode(
      request,
      (r) => textStreamCall(deps, chatFor(r)),
      rules ? async () => onePiece(await rules()) : undefined,
      true,
    )
    const answer = await run(pipelineRequest)
    const meta = answer.settled.then((settlement) => {
      if (settlement.error) throw new Error(settlement.error.message)
      return metaOf(deps, pipelineRequest, answer, settlement)
    })
    meta.catch(() => undefined)
    return { textStream: answer.value, meta }
  }

  return {
    enabled,
    config,
    providers,
    catalog,
    routes,
    breakers,
    cache,
    ledger,
    health,
    upstreams,
    latency,
    semanticCacheStatus: () =>
      deps.semanticCache && {
        search: deps.semanticCache.search ?? 'starting',
        entries: deps.semanticCache.size(),
      },
    reloadRoutes: async () => await routeSync?.refresh(),
    generateObject,
    generateText,
    stream,
    chatCompletion: (input) => run(chatCompletionRequest(deps, input)),
    chatStream: (input) => run(chatStreamRequest(deps, input)),
    embeddings: (input) => run(embeddingsRequest({ ...deps, embeddingsPassthrough }, input)),
    messages: (input) => run(messagesRequest(messagesDeps, input)),
    messagesStream: (input) => run(messagesStreamRequest(messagesDeps, input)),
    responses,
    providerHealth: () => health.list([...providers.names]).map((h) => ({ ...h, models: breakers.models(h.provider) })),
    models: () => catalog.models(),
    async close() {
      probe?.stop()
      routeSync?.stop()
      await ledger?.close()
      await cache.flush()
      await health.flush()
      await passthrough.close()
      await embeddingsPassthrough.close()
      await messagesDeps.anthropicPassthrough.close()
      deps.semanticCache?.close()
    },
  }
}
