import { randomUUID } from 'node:crypto'
import type { LanguageModelV3 } from '@ai-sdk/provider'
import type { Logger } from 'pino'
import { z } from 'zod'
import type { ConfigWithGateway as Config } from './config.ts'
import type { Database } from '../data/db.ts'
import { OptimaliqError } from '../errors.ts'
import { createAiCache, cacheKey, type AiCache } from './cache/cache.ts'
import { addUsage, type ChatChunk, type ChatMessage, type ChatRequest } from './calls/chat.ts'
import { createPassthrough, type OpenAiUpstream, type Passthrough } from './calls/passthrough.ts'
import { sdkGenerate, sdkStream } from './calls/sdk.ts'
import { createHealthTracker, startIdleProbe, type HealthTracker } from './health/health.ts'
import { createLedger, type Ledger, type LedgerEntry } from './ledger/ledger.ts'
import { createBreakerRegistry, type BreakerRegistry } from './router/breakers.ts'
import type { Clock } from './router/clock.ts'
import {
  AiUnavailableError,
  AllProvidersFailedError,
  ErrorClass,
  InvalidOutputError,
  ProviderCallError,
  UpstreamClientError,
} from './router/errors.ts'
import { createRouteTable, type RouteTable } from './router/routes.ts'
import { createRouter, type CallContext, type Router } from './router/router.ts'
import {
  cacheTenant,
  type AiAttempt,
  type AiCaller,
  type AiCandidate,
  type AiClient,
  type AiGuard,
  type AiPacer,
  type AiMeta,
  type AiUsage,
  type GenerateObjectRequest,
  type GenerateTextRequest,
  type ModelInfo,
  type VersionResolver,
} from './types.ts'

/** What the gateway needs from the provider registry (`ai/providers`). */
export type GatewayProviders = {
  /** Configured providers, `AI_PROVIDER` first. */
  names: readonly string[]
  defaultModel(provider: string): string | undefined
  languageModel(provider: string, model: string): LanguageModelV3
}

/** What the gateway needs from the catalog (`ai/catalog`). */
export type GatewayCatalog = {
  resolveModel(name: string): { provider: string; model: string } | undefined
  costUsd(provider: string, model: string, usage: AiUsage): number | undefined
  models(): ModelInfo[]
}

export type AiClientOptions = {
  config: Config
  db?: Database | undefined
  providers: GatewayProviders
  catalog: GatewayCatalog
  logger?: Logger | undefined
  guards?: AiGuard[] | undefined
  /** Provider RPM/TPM pacing asked before each attempt of generateObject/generateText. */
  pacer?: AiPacer | undefined
  /** How long an attempt may wait for pacing before routing on (ms). */
  pacingMaxWaitMs?: number | undefined
  resolveVersions?: VersionResolver | undefined
  clock?: Clock | undefined
  /** Named routes beside `default`: candidates as objects, aliases or `provider/model`. */
  routes?: Record<string, Array<AiCandidate | string>> | undefined
  /** OpenAI-format upstreams for the `/v1` passthrough (by provider); others go through the AI SDK. */
  upstreams?: Map<string, OpenAiUpstream> | undefined
  /** `/v1` routes whose cache entries are shared across tenants (prompts without user data). */
  sharedCacheRoutes?: readonly string[] | undefined
}

/** The in-code client plus the parts `/v1` and the admin routes use. */
export type AiGateway = AiClient & {
  readonly enabled: boolean
  readonly config: Config
  readonly providers: GatewayProviders
  readonly catalog: GatewayCatalog
  readonly routes: RouteTable
  readonly router: Router
  readonly breakers: BreakerRegistry
  readonly cache: AiCache
  readonly ledger: Ledger | undefined
  readonly health: HealthTracker
  readonly passthrough: Passthrough
  readonly upstreams: Map<string, OpenAiUpstream>
  /** `/v1` routes declared with a shared cache; every other cache entry is scoped to its tenant. */
  readonly sharedCacheRoutes: ReadonlySet<string>
  /**
   * Ask the provider pacer for room before an attempt: waits briefly, or throws a `paced` provider
   * error so the router moves on. The returned function settles the token estimate with the real
   * usage (unknown usage leaves the estimate standing). Every path calls it: in-code, `/v1`, streams.
   */
  pace(
    candidate: { provider: string; model: string },
    estimatedTokens: number,
  ): Promise<(usage: AiUsage | undefined) => void>
  /** Governance hooks, for `/v1`. */
  guardBefore(caller: AiCaller, call: { feature: string; estimatedTokens: number }): Promise<void>
  guardAfter(caller: AiCaller, call: { feature: string; meta: AiMeta }): void
  /** Ledger row from a finished request (also used by `/v1`). */
  record(entry: LedgerEntry): void
  close(): Promise<void>
}

type Cached<T> = { value: T; provider: string; model: string; modelVersion: string | undefined; usage: AiUsage }

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

/** Parse model text as JSON (tolerating a Markdown fence) and validate it. */
export function checkObject<T>(
  schema: z.ZodType<T>,
  text: string,
): { ok: true; value: T } | { ok: false; error: string } {
  const trimmed = text
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '')
  let parsed: unknown
  try {
    parsed = JSON.parse(trimmed)
  } catch {
    return { ok: false, error: 'the answer is not valid JSON' }
  }
  const result = schema.safeParse(parsed)
  if (result.success) return { ok: true, value: result.data }
  return {
    ok: false,
    error: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
  }
}

const estimateTokens = (system: string | undefined, messages: ChatMessage[], maxTokens: number) =>
  Math.ceil(
    ((system?.length ?? 0) + messages.reduce((n, m) => n + (typeof m.content === 'string' ? m.content.length : 0), 0)) /
      4,
  ) + maxTokens

/**
 * The gateway's in-code client: one entry point for every AI feature (`generateObject`,
 * `generateText`, `stream`, `providerHealth`, `models`). No singletons: `main/container.ts` builds
 * one per process. With AI disabled or no provider configured, only rules answer.
 */
export function createAiClient(options: AiClientOptions): AiGateway {
  const { config, providers, catalog, logger } = options
  const settings = config.ai.gateway
  const enabled = config.ai.enabled && providers.names.length > 0
  const health = createHealthTracker({ db: options.db, logger })
  const breakers = createBreakerRegistry({
    threshold: settings.breakerThreshold,
    halfOpenAfterMs: settings.breakerHalfOpenMs,
    onStateChange: (provider, state) => health.breakerChanged(provider, state),
  })
  const router = createRouter({
    breakers,
    clock: options.clock,
    retry: { maxRetries: settings.maxRetries, maxRetryAfterMs: settings.retryAfterCapMs },
    attemptTimeoutMs: settings.attemptTimeoutMs,
    deadlineMs: settings.deadlineMs,
    hedgeAfterMs: settings.hedgeAfterMs > 0 ? settings.hedgeAfterMs : undefined,
    onAttempt: (attempt) => health.observe(attempt),
  })
  const routes = createRouteTable(
    {
      providers: [...providers.names],
      defaultModel: (p) => providers.defaultModel(p),
      resolveModel: (n) => catalog.resolveModel(n),
    },
    options.routes,
  )
  const cache = createAiCache({ db: options.db, logger })
  const ledger = options.db
    ? createLedger({ db: options.db, logger, flushIntervalMs: settings.ledgerFlushMs })
    : undefined
  const passthrough = createPassthrough()
  const upstreams = options.upstreams ?? new Map<string, OpenAiUpstream>()
  const guards = options.guards ?? []
  const probe =
    settings.healthProbeIntervalSeconds > 0
      ? startIdleProbe({
          intervalMs: settings.healthProbeIntervalSeconds * 1000,
          providers: [...upstreams.keys()].filter((p) => providers.names.includes(p)),
          tracker: health,
          probe: (provider) => passthrough.probe(upstreams.get(provider) as OpenAiUpstream, AbortSignal.timeout(5_000)),
        })
      : undefined

  const record = (entry: LedgerEntry) => ledger?.record(entry)
  const guardBefore = async (caller: AiCaller, call: { feature: string; estimatedTokens: number }) => {
    for (const guard of guards) await guard.before(caller, call)
  }
  const guardAfter = (caller: AiCaller, call: { feature: string; meta: AiMeta }) => {
    for (const guard of guards)
      guard.after(caller, call).catch((error: unknown) => logger?.warn({ err: error }, 'ai guard after() failed'))
  }

  async function candidatesFor(feature: string, route: string | undefined, caller: AiCaller): Promise<AiCandidate[]> {
    const versioned = options.resolveVersions ? await options.resolveVersions(feature, caller) : undefined
    return versioned && versioned.length > 0 ? versioned : routes.resolve(route)
  }

  function chatFor(request: GenerateTextRequest, candidate: AiCandidate): ChatRequest {
    const params = candidate.params ?? {}
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined)
    return {
      system: request.system,
      messages: request.messages,
      temperature: num(params.temperature) ?? request.temperature ?? config.ai.temperature,
      maxTokens: num(params.maxTokens) ?? request.maxTokens ?? config.ai.maxTokens,
    }
  }

  async function pace(
    candidate: { provider: string; model: string },
    estimatedTokens: number,
  ): Promise<(usage: AiUsage | undefined) => void> {
    const pacer = options.pacer
    if (!pacer) return noSettle
    const { provider, model } = candidate
    let paced: boolean
    try {
      paced = await pacer.acquire(provider, estimatedTokens, { maxWaitMs: options.pacingMaxWaitMs ?? 250 })
    } catch (error) {
      // Pacing is our courtesy to the provider, kept in our database: when the database fails, the
      // call goes ahead unpaced rather than count as the provider's failure (breaker, fallback).
      logger?.warn({ err: error, provider }, 'provider pacing unavailable; calling unpaced')
      return noSettle
    }
    if (!paced) {
      throw new ProviderCallError({
        provider,
        model,
        errorClass: ErrorClass.Paced,
        message: `${provider} is at its requests- or tokens-per-minute pace`,
      })
    }
    return (usage) => {
      if (usage?.inputTokens === undefined && usage?.outputTokens === undefined) return
      pacer.settle(provider, estimatedTokens, (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0))
    }
  }

  /** An attempt under the pacer: room first, the estimate settled after. */
  async function paced<R extends { usage: AiUsage }>(
    context: CallContext,
    estimatedTokens: number,
    attempt: () => Promise<R>,
  ): Promise<R> {
    const settle = await pace(context.candidate, estimatedTokens)
    const result = await attempt()
    settle(result.usage)
    return result
  }

  /** The shared path of generateObject and generateText: guards, cache, router, rules, ledger. */
  async function execute<T>(
    request: Omit<GenerateTextRequest, 'rules'> & { schema?: unknown },
    call: (context: CallContext, chat: ChatRequest) => Promise<{ value: T; usage: AiUsage }>,
    rules: (() => T | Promise<T>) | undefined,
  ): Promise<{ value: T } & AiMeta> {
    const started = performance.now()
    const requestId = request.caller.requestId ?? randomUUID()
    const base = {
      requestId,
      userId: request.caller.userId,
      apiKeyId: request.caller.apiKeyId,
      feature: request.feature,
      route: request.route ?? 'default',
    }
    const logged = (meta: AiMeta, value: unknown) => {
      record({
        ...base,
        provider: meta.provider,
        model: meta.model,
        modelVersion: meta.modelVersion,
        request: settings.logPrompts
          ? {
              system: request.system,
              messages: request.messages,
              temperature: request.temperature,
              maxTokens: request.maxTokens,
            }
          : { messages: request.messages.length, promptVersion: request.promptVersion },
        response: settings.logPrompts ? value : undefined,
        inputTokens: meta.usage.inputTokens,
        outputTokens: meta.usage.outputTokens,
        costUsd: meta.costUsd,
        latencyMs: meta.latencyMs,
        cacheHit: meta.cached,
        fallbackUsed: meta.fallbackUsed,
        status: 'ok',
        attempts: meta.attempts,
      })
      guardAfter(request.caller, { feature: request.feature, meta })
    }
    const fromRules = async (attempts: AiAttempt[], errorClass?: string): Promise<{ value: T } & AiMeta> => {
      if (!rules) {
        const error = attempts.length > 0 ? new AllProvidersFailedError(attempts) : new AiUnavailableError()
        record({
          ...base,
          latencyMs: performance.now() - started,
          cacheHit: false,
          fallbackUsed: false,
          status: 'error',
          errorClass: errorClass ?? error.code,
          error: error.message,
          attempts,
        })
        throw error
      }
      const value = await rules()
      const meta: AiMeta = {
        requestId,
        provider: 'rules',
        model: 'rules',
        modelVersion: undefined,
        usage: { inputTokens: undefined, outputTokens: undefined },
        costUsd: 0,
        latencyMs: Math.round(performance.now() - started),
        cached: false,
        fallbackUsed: attempts.length > 0,
        attempts,
      }
      logged(meta, value)
      return { value, ...meta }
    }

    if (!enabled) return fromRules([])
    const estimatedTokens = estimateTokens(request.system, request.messages, request.maxTokens ?? config.ai.maxTokens)
    try {
      await guardBefore(request.caller, { feature: request.feature, estimatedTokens })
    } catch (error) {
      // Over budget with rules allowed to keep answering: the feature answers for free from rules.
      if (rules && isRulesFallbackRefusal(error)) return fromRules([], 'budget_exceeded')
      throw error
    }
    const candidates = await candidatesFor(request.feature, request.route, request.caller)

    const compute = async (): Promise<{
      value: Cached<T> & { attempts: AiAttempt[]; fallbackUsed: boolean }
      cacheable: boolean
    }> => {
      const result = await router.run({
        candidates,
        signal: request.signal,
        call: (context) => paced(context, estimatedTokens, () => call(context, chatFor(request, context.candidate))),
      })
      const { candidate } = result
      return {
        value: {
          value: result.value.value,
          provider: candidate.provider,
          model: candidate.model,
          modelVersion: candidate.versionId,
          usage: result.value.usage,
          attempts: result.attempts,
          fallbackUsed: result.fallbackUsed,
        },
        cacheable: true,
      }
    }

    let outcome: { value: Cached<T> & { attempts?: AiAttempt[]; fallbackUsed?: boolean }; hit: boolean }
    try {
      const ttl = request.cacheTtlSeconds ?? 0
      if (ttl > 0) {
        const key = cacheKey({
          route: request.route ?? 'default',
          feature: request.feature,
          system: request.system,
          messages: request.messages,
          params: { temperature: request.temperature, maxTokens: request.maxTokens },
          schema: request.schema,
          promptVersion: request.promptVersion,
          cacheScope: request.cacheScope,
          tenant: request.cacheShared ? undefined : cacheTenant(request.caller),
        })
        // Attempts and the fallback flag are stored too but describe the first request only.
        outcome = await cache.getOrCompute(key, ttl, compute, {
          feature: request.feature,
          userId: request.caller.userId,
        })
      } else {
        outcome = { value: (await compute()).value, hit: false }
      }
    } catch (error) {
      if (error instanceof AllProvidersFailedError) return fromRules(error.attempts, error.code)
      // A provider refused our own request (400/404/413/422): the feature still answers from rules.
      if (error instanceof UpstreamClientError && rules) return fromRules(error.attempts, error.code)
      throw error
    }
    const cached = outcome.value
    const meta: AiMeta = {
      requestId,
      provider: cached.provider,
      model: cached.model,
      modelVersion: cached.modelVersion,
      usage: outcome.hit ? { inputTokens: undefined, outputTokens: undefined } : cached.usage,
      costUsd: outcome.hit ? 0 : catalog.costUsd(cached.provider, cached.model, cached.usage),
      latencyMs: Math.round(performance.now() - started),
      cached: outcome.hit,
      fallbackUsed: outcome.hit ? false : (cached.fallbackUsed ?? false),
      attempts: outcome.hit ? [] : (cached.attempts ?? []),
    }
    logged(meta, cached.value)
    return { value: cached.value, ...meta }
  }

  async function generateObject<T>(request: GenerateObjectRequest<T>): Promise<{ object: T } & AiMeta> {
    const jsonSchema = jsonSchemaOf(request.schema)
    const { value, ...meta } = await execute<T>(
      { ...request, schema: jsonSchema },
      async (context, chat) => {
        const model = providers.languageModel(context.candidate.provider, context.candidate.model)
        const started = performance.now()
        const jsonChat: ChatRequest = {
          ...chat,
          responseFormat: {
            type: 'json',
            schema: jsonSchema,
            name: request.feature.replace(/[^\w-]/g, '_').slice(0, 64),
          },
        }
        const first = await sdkGenerate(model, jsonChat, context.signal)
        const checked = checkObject(request.schema, first.text)
        if (checked.ok) return { value: checked.value, usage: first.usage }
        context.record({
          provider: context.candidate.provider,
          model: context.candidate.model,
          latencyMs: Math.round(performance.now() - started),
          ok: false,
          errorClass: ErrorClass.InvalidOutput,
          error: `repairing: ${checked.error}`.slice(0, 500),
        })
        // One repair: send the validation error back.
        const repair = await sdkGenerate(
          model,
          {
            ...jsonChat,
            messages: [
              ...chat.messages,
              { role: 'assistant', content: first.text },
              {
                role: 'user',
                content: `That answer is invalid: ${checked.error}. Reply with only the corrected JSON that satisfies the schema.`,
              },
            ],
          },
          context.signal,
        )
        const again = checkObject(request.schema, repair.text)
        if (again.ok) return { value: again.value, usage: addUsage(first.usage, repair.usage) }
        throw new InvalidOutputError(`The answer failed its schema after one repair: ${again.error}`.slice(0, 500))
      },
      request.rules,
    )
    return { object: value, ...meta }
  }

  async function generateText(request: GenerateTextRequest): Promise<{ text: string } & AiMeta> {
    const { value, ...meta } = await execute<string>(
      request,
      async (context, chat) => {
        const result = await sdkGenerate(
          providers.languageModel(context.candidate.provider, context.candidate.model),
          chat,
          context.signal,
        )
        return { value: result.text, usage: result.usage }
      },
      request.rules,
    )
    return { text: value, ...meta }
  }

  async function stream(
    request: GenerateTextRequest,
  ): Promise<{ textStream: AsyncIterable<string>; meta: Promise<AiMeta> }> {
    const started = performance.now()
    const requestId = request.caller.requestId ?? randomUUID()
    const base = {
      requestId,
      userId: request.caller.userId,
      apiKeyId: request.caller.apiKeyId,
      feature: request.feature,
      route: request.route ?? 'default',
    }
    const rulesStream = async (attempts: AiAttempt[]) => {
      if (!request.rules) {
        const error = attempts.length > 0 ? new AllProvidersFailedError(attempts) : new AiUnavailableError()
        record({
          ...base,
          latencyMs: performance.now() - started,
          cacheHit: false,
          fallbackUsed: false,
          status: 'error',
          errorClass: error.code,
          error: error.message,
          attempts,
        })
        throw error
      }
      const text = await request.rules()
      const meta: AiMeta = {
        requestId,
        provider: 'rules',
        model: 'rules',
        modelVersion: undefined,
        usage: { inputTokens: undefined, outputTokens: undefined },
        costUsd: 0,
        latencyMs: Math.round(performance.now() - started),
        cached: false,
        fallbackUsed: attempts.length > 0,
        attempts,
      }
      record({
        ...base,
        provider: 'rules',
        model: 'rules',
        latencyMs: meta.latencyMs,
        cacheHit: false,
        fallbackUsed: meta.fallbackUsed,
        status: 'ok',
        attempts,
      })
      guardAfter(request.caller, { feature: request.feature, meta })
      return {
        textStream: (async function* () {
          yield text
        })(),
        meta: Promise.resolve(meta),
      }
    }
    if (!enabled) return rulesStream([])
    const maxTokens = request.maxTokens ?? config.ai.maxTokens
    const estimatedTokens = estimateTokens(request.system, request.messages, maxTokens)
    try {
      await guardBefore(request.caller, { feature: request.feature, estimatedTokens })
    } catch (error) {
      if (request.rules && isRulesFallbackRefusal(error)) return rulesStream([])
      throw error
    }
    const candidates = await candidatesFor(request.feature, request.route, request.caller)
    let result: Awaited<ReturnType<typeof router.run<AsyncIterable<ChatChunk>>>>
    try {
      result = await router.run({
        candidates,
        signal: request.signal,
        attemptTimeoutMs: settings.deadlineMs,
        call: async (context) => {
          const settle = await pace(context.candidate, estimatedTokens)
          return settledOnFinish(
            await sdkStream(
              providers.languageModel(context.candidate.provider, context.candidate.model),
              chatFor(request, context.candidate),
              context.signal,
            ),
            settle,
          )
        },
      })
    } catch (error) {
      if (error instanceof AllProvidersFailedError) return rulesStream(error.attempts)
      if (error instanceof UpstreamClientError && request.rules) return rulesStream(error.attempts)
      throw error
    }
    const { candidate } = result
    let resolveMeta!: (meta: AiMeta) => void
    let rejectMeta!: (error: unknown) => void
    const meta = new Promise<AiMeta>((resolve, reject) => ((resolveMeta = resolve), (rejectMeta = reject)))
    meta.catch(() => undefined)
    const textStream = (async function* () {
      let usage: AiUsage = { inputTokens: undefined, outputTokens: undefined }
      let ended = false
      const failed = (errorClass: string, error: unknown) => {
        ended = true
        // Usage unknown (cancelled, broken): the estimate's cost, so budgets still count the stream.
        const known = usage.inputTokens !== undefined || usage.outputTokens !== undefined
        const costUsd = catalog.costUsd(
          candidate.provider,
          candidate.model,
          known ? usage : { inputTokens: estimatedTokens - maxTokens, outputTokens: maxTokens },
        )
        record({
          ...base,
          provider: candidate.provider,
          model: candidate.model,
          modelVersion: candidate.versionId,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          costUsd,
          latencyMs: performance.now() - started,
          cacheHit: false,
          fallbackUsed: result.fallbackUsed,
          status: 'error',
          errorClass,
          error: error instanceof Error ? error.message : String(error),
          attempts: result.attempts,
        })
        guardAfter(request.caller, {
          feature: request.feature,
          meta: {
            requestId,
            provider: candidate.provider,
            model: candidate.model,
            modelVersion: candidate.versionId,
            usage,
            costUsd,
            latencyMs: Math.round(performance.now() - started),
            cached: false,
            fallbackUsed: result.fallbackUsed,
            attempts: result.attempts,
          },
        })
        rejectMeta(error)
      }
      try {
        for await (const chunk of result.value) {
          if (chunk.type === 'text') yield chunk.text
          else if (chunk.type === 'finish') usage = chunk.usage
        }
        ended = true
      } catch (error) {
        failed('stream_failed', error)
        throw error
      } finally {
        // The reader stopped early: leaving the loop above cancelled the upstream; say so.
        if (!ended) failed('cancelled', new Error('The reader stopped before the stream ended'))
      }
      const done: AiMeta = {
        requestId,
        provider: candidate.provider,
        model: candidate.model,
        modelVersion: candidate.versionId,
        usage,
        costUsd: catalog.costUsd(candidate.provider, candidate.model, usage),
        latencyMs: Math.round(performance.now() - started),
        cached: false,
        fallbackUsed: result.fallbackUsed,
        attempts: result.attempts,
      }
      record({
        ...base,
        provider: done.provider,
        model: done.model,
        modelVersion: done.modelVersion,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        costUsd: done.costUsd,
        latencyMs: done.latencyMs,
        cacheHit: false,
        fallbackUsed: done.fallbackUsed,
        status: 'ok',
        attempts: done.attempts,
      })
      guardAfter(request.caller, { feature: request.feature, meta: done })
      resolveMeta(done)
    })()
    return { textStream, meta }
  }

  return {
    enabled,
    config,
    providers,
    catalog,
    routes,
    router,
    breakers,
    cache,
    ledger,
    health,
    passthrough,
    upstreams,
    sharedCacheRoutes: new Set(options.sharedCacheRoutes ?? []),
    pace,
    guardBefore,
    guardAfter,
    record,
    generateObject,
    generateText,
    stream,
    providerHealth: () => health.list([...providers.names]).map((h) => ({ ...h, models: breakers.models(h.provider) })),
    models: () => catalog.models(),
    async close() {
      probe?.stop()
      await ledger?.close()
      await cache.flush()
      await health.flush()
      await passthrough.close()
    },
  }
}

const noSettle = () => undefined

/** The chunks as they come, settling the pacer's estimate when the finish chunk brings the usage. */
async function* settledOnFinish(
  chunks: AsyncIterable<ChatChunk>,
  settle: (usage: AiUsage | undefined) => void,
): AsyncIterable<ChatChunk> {
  for await (const chunk of chunks) {
    if (chunk.type === 'finish') settle(chunk.usage)
    yield chunk
  }
}

/** A guard refusal that allows the rules engine to answer instead (budgets with `rulesFallback`). */
function isRulesFallbackRefusal(error: unknown): boolean {
  if (!(error instanceof OptimaliqError) || error.code !== 'budget_exceeded') return false
  const details = error.details as { rulesFallback?: unknown } | undefined
  return details?.rulesFallback === true
}
