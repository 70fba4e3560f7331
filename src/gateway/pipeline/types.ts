import type { Tracer } from '@opentelemetry/api'
import type { Logger } from 'pino'
import type { GuardrailResult, GuardrailsConfig } from '../guardrails/config.ts'
import type { ConfigWithGateway as Config } from '../config.ts'
import type { AiCache } from '../cache/cache.ts'
import type { SemanticCache } from '../semantic-cache/semantic-cache.ts'
import type { MediaFetcher } from '../calls/media-fetch.ts'
import type { Passthrough, OpenAiUpstream } from '../calls/passthrough.ts'
import type { GatewayCatalog, GatewayProviders } from '../gateway-parts.ts'
import type { LedgerEntry } from '../ledger/ledger.ts'
import type { RouteTable } from '../router/routes.ts'
import type { CallContext, Router } from '../router/router.ts'
import type { CallNeeds, RouteStrategy } from '../router/strategies.ts'
import type { AiAttempt, AiCaller, AiCandidate, AiGuard, AiPacer, AiUsage, VersionResolver } from '../types.ts'

/**
 * The one pipeline every way into the gateway runs (DESIGN §6): `ledger → guards → rules →
 * versions → cache → pacing → router`, around one innermost call (`call.ts`: the passthrough when
 * client and upstream speak the same wire format, the AI SDK otherwise). Each middleware is one
 * file with one job, like the AI SDK's `wrapLanguageModel`.
 */

/** How an answer ended: its usage (unknown stays undefined) and, for a stream that broke, why. */
export type Settlement = {
  usage: AiUsage
  error?: { errorClass: string; message: string } | undefined
  /** What the guardrails of the request did (for the ledger). */
  guardrails?: GuardrailResult[] | undefined
}

/** What one attempt at one candidate gave: the value, its usage so far, and when it is fully delivered. */
export type AttemptAnswer<T> = {
  value: T
  usage: AiUsage
  settled: Promise<Settlement>
  /** Parameters dropped at the client's request (`x-optimaliq-drop-params`), as it named them. */
  dropped?: string[] | undefined
}

/** The innermost call: one attempt at one candidate. */
export type Call<T> = (context: CallContext) => Promise<AttemptAnswer<T>>

/** What the pipeline answers: the value, who answered, and when it settled (JSON: at once; streams: at their end). */
export type Answer<T> = AttemptAnswer<T> & {
  provider: string
  model: string
  modelVersion: string | undefined
  attempts: AiAttempt[]
  fallbackUsed: boolean
  cached: boolean
  /** The route that served (a rule may have chosen it), when the request named one. */
  route?: string | undefined
  /** Which cache answered (`semantic`: a similar prompt's answer); undefined: the exact cache or none. */
  cacheKind?: 'semantic' | undefined
}

export type PipelineRequest<T> = {
  feature: string
  /** What the caller named: a route name, a catalog alias or `provider/model` (the ledger's `route`). */
  route: string
  /** Whose model versions and experiments apply (default: the feature). */
  versionKey?: string | undefined
  caller: AiCaller
  requestId: string
  /** `performance.now()` when the request arrived. */
  started: number
  signal?: AbortSignal | undefined
  /** A stream: the value is an `AsyncIterable<string>` that settles when it ends. */
  stream: boolean
  /** Tokens reserved by limits and pacing before the call. */
  estimatedTokens: number
  /** The usage charged (cost, budgets) when the real one is unknown (a cancelled stream, an upstream without usage). */
  estimatedUsage: AiUsage
  /** Charge the estimate when the provider reports no input tokens (a JSON answer too; e.g. Gemini embeddings). */
  chargeEstimateWhenUnknown?: boolean | undefined
  /** Set by the versions middleware. */
  candidates?: AiCandidate[] | undefined
  /** Set by the versions middleware: the serving route and its strategy (none: tried as listed). */
  plan?: (RouteStrategy & { name: string }) | undefined
  /** What the call needs from a model (tools, vision, JSON schema, tokens), for the `cost` strategy. */
  needs?: Partial<CallNeeds> | undefined
  /** Why a candidate cannot take this request (an unsupported parameter), or undefined: such candidates are skipped. */
  refuses?: ((candidate: AiCandidate) => Error | undefined) | undefined
  /** Semantic cache (routes that have it on): the prompt text to embed, the tenant, and the scope (a hash of everything else that must match). */
  semantic?: { text: string; tenant: string; scope: string } | undefined
  /** Exact cache, when asked for. Streams: `accept` says whether the sent text is a whole answer. */
  cache?: { key: string; ttlSeconds: number; accept?: ((text: string) => boolean) | undefined } | undefined
  call: Call<T>
  /** The deterministic answer when AI is off, every candidate failed, or a budget says so. */
  rules?: (() => Promise<T>) | undefined
  /** Thrown when AI is off or unconfigured and no rules answer. */
  unavailable?: (() => Error) | undefined
  /** What traces say of the request (GenAI semantic conventions); operation defaults to `chat`. */
  telemetry?:
    | {
        operation?: string | undefined
        maxTokens?: number | undefined
        temperature?: number | undefined
        topP?: number | undefined
      }
    | undefined
  /**
   * The prompt's texts with their roles, the call with every text rewritten (guardrails: redaction),
   * and the field a refused prompt is named by (`messages`, `input`).
   */
  prompt?:
    | {
        texts(): ReadonlyArray<{ role: string; text: string }>
        rewrite(map: (text: string) => string): Call<T>
        field?: string | undefined
      }
    | undefined
  /** The text of a JSON answer, for output guardrails. */
  outputText?: ((value: T) => string) | undefined
  /** The answer text one piece of a streamed answer adds (its events' text deltas), for output guardrails. */
  streamText?: ((piece: string) => string) | undefined
  /** The tool-call arguments of a JSON answer, for the output guardrails' banned terms. */
  outputToolText?: ((value: T) => string) | undefined
  /** The tool-call arguments one piece of a streamed answer adds, for the output guardrails' banned terms. */
  streamToolText?: ((piece: string) => string) | undefined
  /**
   * The ledger's `request` (prompts only when AI_LOG_PROMPTS) and, for JSON answers, its `response`;
   * `rewrite` gives the stored request with every prompt text rewritten (input redaction: the ledger
   * keeps the prompt as it left).
   */
  ledger: {
    request: unknown
    response?: ((value: T) => unknown) | undefined
    rewrite?: ((map: (text: string) => string) => unknown) | undefined
  }
}

export type Handler<T> = (request: PipelineRequest<T>) => Promise<Answer<T>>
export type Middleware = <T>(request: PipelineRequest<T>, next: Handler<T>) => Promise<Answer<T>>

/** What the middlewares share (built once by `createAiClient`). */
export type PipelineDeps = {
  config: Config
  enabled: boolean
  providers: GatewayProviders
  catalog: GatewayCatalog
  routes: RouteTable
  router: Router
  /** Order one request's candidates by its route's strategy (`router/strategies.ts`). */
  order(strategy: RouteStrategy, candidates: AiCandidate[], needs: CallNeeds): AiCandidate[]
  cache: AiCache
  record(entry: LedgerEntry): void
  guards: readonly AiGuard[]
  pacer?: AiPacer | undefined
  pacingMaxWaitMs?: number | undefined
  resolveVersions?: VersionResolver | undefined
  passthrough: Passthrough
  upstreams: Map<string, OpenAiUpstream>
  sharedCacheRoutes: ReadonlySet<string>
  semanticCache?: SemanticCache | undefined
  logger?: Logger | undefined
  /** Fetches image URLs for models that take only bytes (`AI_MEDIA_FETCH`); unset: such URLs are refused. */
  fetchMedia?: MediaFetcher | undefined
  /** OpenTelemetry: a span per request and per attempt when set. */
  tracer?: Tracer | undefined
  /** Guardrails per route or feature (`OPTIMALIQ_CONFIG` `guardrails`); none: off. */
  guardrails?: GuardrailsConfig | undefined
}

/** Compose middlewares, first outermost, around the terminal handler. */
export function compose(middlewares: Middleware[], terminal: <T>(request: PipelineRequest<T>) => Promise<Answer<T>>) {
  return <T>(request: PipelineRequest<T>): Promise<Answer<T>> => {
    const at = (i: number): Handler<T> => {
      const middleware = middlewares[i]
      return middleware ? (r) => middleware(r, at(i + 1)) : terminal
    }
    return at(0)(request)
  }
}

export const settledAt = (usage: AiUsage): Promise<Settlement> => Promise.resolve({ usage })
export const unknownUsage = (): AiUsage => ({ inputTokens: undefined, outputTokens: undefined })
export const usageKnown = (usage: AiUsage) => usage.inputTokens !== undefined || usage.outputTokens !== undefined
