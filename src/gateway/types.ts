import type { z } from 'zod'
import type { Tier } from '../contracts/common.ts'

/**
 * The contracts between the gateway (router, cache, ledger), the AI features, and governance
 * (limits, budgets, versions). Each side codes against these types; `main/container.ts` wires them.
 */

/** The cache tenant of a caller: the user (an API key's owner), else the API key. */
export const cacheTenant = (caller: AiCaller): string | undefined => caller.userId ?? caller.apiKeyId

/** Who is calling: ledger rows, limits and budgets key on this. */
export type AiCaller = {
  userId?: string | undefined
  apiKeyId?: string | undefined
  tier?: Tier | undefined
  /** The HTTP request id (x-request-id), reused as the ledger's request id. */
  requestId?: string | undefined
  /** The caller's W3C trace context (`traceparent`, `tracestate` headers): the gateway's spans continue it. */
  traceparent?: string | undefined
  tracestate?: string | undefined
  /** Set by the rate-limit guard: the tightest request window after this request (for X-RateLimit-* headers). */
  rateLimit?: RateLimitStanding | undefined
  /** Caller-supplied labels (`x-optimaliq-metadata` on `/v1`): routing rules match on them. */
  metadata?: Readonly<Record<string, string>> | undefined
  /**
   * Why this caller may not be served by a candidate reached through `via` (the route that serves,
   * after rules, or the alias or version key named), or undefined: an API key's model allowlist.
   */
  refusesModel?: ((served: { via: string; candidate: AiCandidate }) => Error | undefined) | undefined
}

/** A request window's standing: its name (e.g. `user.requests_per_minute`), size, what is left and when it resets. */
export type RateLimitStanding = { limit: string; max: number; remaining: number; resetAtMs: number }

/** Token usage; unknown counts stay undefined, never 0. */
export type AiUsage = { inputTokens: number | undefined; outputTokens: number | undefined }

/** One try at one candidate, kept for errors and for `ai_log.attempts`. */
export type AiAttempt = {
  provider: string
  model: string
  latencyMs: number
  ok: boolean
  /** Error class: timeout, rate_limited, server_error, network, invalid_output, breaker_open, … */
  errorClass?: string | undefined
  error?: string | undefined
  status?: number | undefined
  /** What the provider asked us to wait (`Retry-After`), in ms. */
  retryAfterMs?: number | undefined
}

/** A chat message in the gateway's own (OpenAI-like) shape. */
/**
 * A message of an in-code call. Content is text, or parts in order: text and images (a `data:` URL
 * or an https URL, in OpenAI's `image_url` shape). A request with images goes only to candidates
 * whose catalog capabilities include `vision` (others are skipped; none left: the rules answer).
 */
export type AiMessage = { role: 'system' | 'user' | 'assistant'; content: string | AiContentPart[] }
export type AiContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } }

/** What every successful gateway call returns beside its value. */
export type AiMeta = {
  requestId: string
  /** Provider that answered: 'openai', 'anthropic', …, or 'rules' for the deterministic engine. */
  provider: string
  model: string
  modelVersion: string | undefined
  usage: AiUsage
  costUsd: number | undefined
  latencyMs: number
  cached: boolean
  fallbackUsed: boolean
  attempts: AiAttempt[]
}

export type GenerateObjectRequest<T> = {
  /** Feature name (ledger, cache, versions and experiments key on it). */
  feature: string
  schema: z.ZodType<T>
  /** Rendered prompt: system instructions plus messages. User free text goes in as quoted data. */
  system?: string | undefined
  messages: AiMessage[]
  /** Route name (`default`), catalog alias, or `provider/model`. */
  route?: string | undefined
  temperature?: number | undefined
  maxTokens?: number | undefined
  /** Seconds to cache an identical request; 0 or undefined: no cache. */
  cacheTtlSeconds?: number | undefined
  /** Extra cache-key scope, e.g. the user's scores hash, so a change invalidates. */
  cacheScope?: string | undefined
  /**
   * Share cache entries across users (only for prompts that carry no user data). Default: entries
   * are scoped to the caller (user, else API key).
   */
  cacheShared?: boolean | undefined
  promptVersion?: string | undefined
  /** The deterministic answer used when AI is disabled, unconfigured, or every candidate fails. */
  rules?: (() => T | Promise<T>) | undefined
  caller: AiCaller
  signal?: AbortSignal | undefined
}

export type GenerateTextRequest = Omit<GenerateObjectRequest<string>, 'schema' | 'rules'> & {
  rules?: (() => string | Promise<string>) | undefined
}

/** The in-code client: one entry point for every feature; no singletons. */
export type AiClient = {
  generateObject<T>(request: GenerateObjectRequest<T>): Promise<{ object: T } & AiMeta>
  generateText(request: GenerateTextRequest): Promise<{ text: string } & AiMeta>
  stream(request: GenerateTextRequest): Promise<{ textStream: AsyncIterable<string>; meta: Promise<AiMeta> }>
  providerHealth(): ProviderHealth[]
  models(): ModelInfo[]
}

export const ProviderStatus = { Healthy: 'healthy', Degraded: 'degraded', Down: 'down' } as const
export type ProviderStatus = (typeof ProviderStatus)[keyof typeof ProviderStatus]

export type ProviderHealth = {
  provider: string
  status: ProviderStatus
  /** The provider's summary: closed while any of its models' breakers is closed. */
  breaker: 'closed' | 'open' | 'half-open'
  /** Each model's own breaker (a failing model opens only its own). */
  models: { model: string; breaker: 'closed' | 'open' | 'half-open' }[]
  recentErrorRate: number
  p50LatencyMs: number | undefined
  lastSuccessAt: string | undefined
  lastFailureAt: string | undefined
}

export type ModelInfo = {
  id: string
  provider: string
  aliases: string[]
  contextWindow: number
  capabilities: string[]
  inputPricePerMillion: number
  outputPricePerMillion: number
}

/**
 * Governance hooks around every gateway call (rate limits, budgets). `before` throws an
 * OptimaliqError (429 `rate_limited`, 402/429 `budget_exceeded`) to refuse; `after` records usage.
 */
export type AiGuard = {
  before(caller: AiCaller, call: { feature: string; estimatedTokens: number }): Promise<void>
  after(caller: AiCaller, call: { feature: string; meta: AiMeta }): Promise<void>
}

/**
 * Provider pacing (requests and tokens per minute per provider, shared across processes): the
 * router asks before each attempt, waiting briefly or routing on, so we do not earn 429s.
 */
export type AiPacer = {
  acquire(provider: string, tokens?: number, options?: { maxWaitMs?: number }): Promise<boolean>
  /** Correct the token estimate once the real count is known (written in the background). */
  settle(provider: string, estimatedTokens: number, actualTokens: number): void
}

/** A candidate the router may call: a provider, a model and (optionally) a model version. */
export type AiCandidate = {
  provider: string
  model: string
  versionId?: string | undefined
  promptVersion?: string | undefined
  params?: Record<string, unknown> | undefined
  weight?: number | undefined
}

/** Resolves a feature's candidates from model versions and running experiments (sticky by user). */
export type VersionResolver = (feature: string, caller: AiCaller) => Promise<AiCandidate[] | undefined>

/**
 * One AI feature, declared in one file under `ai/features/`: input and output schemas, a
 * versioned prompt, default route and parameters, cache TTL, and the rules fallback.
 */
export type AiFeature<I, O> = {
  name: string
  description: string
  input: z.ZodType<I>
  output: z.ZodType<O>
  prompt: {
    version: string
    system: string
    render(input: I): string
    /** Images sent after the text (the route's candidates without `vision` are skipped). */
    images?(input: I): Array<{ mediaType: string; base64: string }>
  }
  route: string
  temperature: number
  maxTokens: number
  cacheTtlSeconds: number
  rules(input: I): O
}
