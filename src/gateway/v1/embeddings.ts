import { cacheKey } from '../cache/cache.ts'
import { sdkEmbed, type EmbeddingsPassthrough } from '../calls/embeddings.ts'
import { capabilitiesOf } from '../catalog/capabilities.ts'
import { VERSIONLESS } from '../pipeline/with-versions.ts'
import { settledAt, type Call, type PipelineDeps, type PipelineRequest } from '../pipeline/types.ts'
import { AiUnavailableError, ErrorClass, ProviderCallError } from '../router/errors.ts'
import { cacheTenant, type AiCaller, type AiCandidate } from '../types.ts'
import {
  embeddingProviderOptions,
  estimatedInputTokens,
  inputsOf,
  toEmbeddingList,
  unsupportedEmbeddingParams,
  type EmbeddingsBody,
} from '../wire/openai-embeddings.ts'
import { UnsupportedParameterError } from '../wire/translate.ts'
import { embeddingTexts, rewriteEmbeddingInput } from '../guardrails/prompts.ts'

/**
 * `/v1/embeddings` as a pipeline request: the same pipeline as chat (ledger, guards, cache, pacing,
 * router with retries and fallback). OpenAI-format upstreams get the body as sent (the model id
 * swapped); Gemini, Mistral and Bedrock get the texts through the AI SDK's `embedMany`, answered in
 * OpenAI's format (float or base64), order kept.
 */

/** The ledger's feature of `/v1/embeddings` requests. */
export const EMBEDDINGS_FEATURE = 'v1.embeddings'

export type EmbeddingsInput = {
  body: EmbeddingsBody
  caller: AiCaller
  cacheTtlSeconds: number
  signal?: AbortSignal | undefined
  /** `x-optimaliq-drop-params: true`: drop what a model cannot take (listed on the answer) instead of a 400. */
  dropParams?: boolean | undefined
  /** The ledger's feature (default `v1.embeddings`; the semantic cache's own embeddings name theirs). */
  feature?: string | undefined
}

export type EmbeddingsDeps = Pick<
  PipelineDeps,
  'config' | 'providers' | 'upstreams' | 'sharedCacheRoutes' | 'catalog'
> & { embeddingsPassthrough: EmbeddingsPassthrough }

const targetOf = (deps: EmbeddingsDeps, candidate: AiCandidate) => ({
  provider: candidate.provider,
  model: candidate.model,
  capabilities: capabilitiesOf(deps.catalog)(candidate.provider, candidate.model),
})

/** Why a candidate cannot take this body: not an embedding model, or a parameter its provider cannot carry. */
function refusalOf(deps: EmbeddingsDeps, body: EmbeddingsBody, dropParams: boolean) {
  return (candidate: AiCandidate): Error | undefined => {
    const target = targetOf(deps, candidate)
    const name = `${candidate.provider}/${candidate.model}`
    if (deps.upstreams.has(candidate.provider)) {
      // Taken as sent, but a chat model (by the catalog) cannot embed anything.
      if (target.capabilities && !target.capabilities.includes('embeddings'))
        return new UnsupportedParameterError({ param: 'model', message: `${name} is not an embedding model` }, name)
      return undefined
    }
    if (!deps.providers.embeddingModel?.(candidate.provider, candidate.model))
      return new UnsupportedParameterError(
        { param: 'model', message: `${candidate.provider} has no embeddings through the gateway` },
        name,
      )
    const unsupported = unsupportedEmbeddingParams(body, target)
    // `model` and token arrays cannot be dropped: without them there is nothing to embed.
    const [first] = dropParams ? unsupported.filter((u) => u.param === 'model' || u.param === 'input') : unsupported
    return first ? new UnsupportedParameterError(first, name) : undefined
  }
}

/** One attempt at one candidate: the OpenAI `list` body as text, and its usage. */
export function embeddingsCall(deps: EmbeddingsDeps, input: EmbeddingsInput): Call<string> {
  const { body } = input
  return async ({ candidate, signal }) => {
    const upstream = deps.upstreams.get(candidate.provider)
    if (upstream) {
      const answer = await deps.embeddingsPassthrough.embed(
        upstream,
        JSON.stringify({ ...body, model: candidate.model }),
        signal,
      )
      return { value: answer.body, usage: answer.usage, settled: settledAt(answer.usage) }
    }
    const model = deps.providers.embeddingModel?.(candidate.provider, candidate.model)
    const inputs = inputsOf(body)
    if (!model || !('texts' in inputs))
      // Refused before the call by `refuses`; reaching here means a caller skipped it.
      throw new ProviderCallError({
        provider: candidate.provider,
        model: candidate.model,
        errorClass: ErrorClass.ClientError,
        statusCode: 400,
        message: `${candidate.provider}/${candidate.model} cannot take this embeddings request`,
      })
    const dropped = input.dropParams
      ? unsupportedEmbeddingParams(body, targetOf(deps, candidate)).map((u) => u.param)
      : []
    const { vectors, usage } = await sdkEmbed(
      model,
      inputs.texts,
      embeddingProviderOptions(candidate.provider, body, new Set(dropped)),
      signal,
    )
    const value = toEmbeddingList(vectors, {
      model: candidate.model,
      encoding: body.encoding_format ?? 'float',
      usage,
    })
    return { value, usage, settled: settledAt(usage), ...(dropped.length > 0 ? { dropped } : {}) }
  }
}

/** A `/v1/embeddings` request: its value is OpenAI's `list` body as the upstream (or our translation) wrote it. */
export function embeddingsRequest(deps: EmbeddingsDeps, input: EmbeddingsInput): PipelineRequest<string> {
  const { body, caller } = input
  const inputTokens = estimatedInputTokens(body)
  const inputs = inputsOf(body)
  const count = 'texts' in inputs ? inputs.texts.length : inputs.tokens.length
  const { model, user: _user, ...params } = body
  return {
    feature: input.feature ?? EMBEDDINGS_FEATURE,
    route: model,
    versionKey: VERSIONLESS,
    refuses: refusalOf(deps, body, input.dropParams === true),
    caller,
    requestId: caller.requestId ?? '',
    started: performance.now(),
    signal: input.signal,
    stream: false,
    estimatedTokens: inputTokens,
    estimatedUsage: { inputTokens, outputTokens: 0 },
    telemetry: { operation: 'embeddings' },
    chargeEstimateWhenUnknown: true,
    cache:
      input.cacheTtlSeconds > 0
        ? {
            key: cacheKey({
              route: model,
              feature: EMBEDDINGS_FEATURE,
              messages: params.input,
              params: { ...params, input: undefined, dropParams: input.dropParams === true },
              tenant: deps.sharedCacheRoutes.has(model) ? undefined : cacheTenant(caller),
            }),
            ttlSeconds: input.cacheTtlSeconds,
          }
        : undefined,
    call: embeddingsCall(deps, input),
    prompt: {
      texts: () => embeddingTexts(body.input),
      rewrite: (map) =>
        embeddingsCall(deps, { ...input, body: { ...body, input: rewriteEmbeddingInput(body.input, map) } }),
      field: 'input',
    },
    unavailable: () =>
      new AiUnavailableError(
        deps.config.ai.enabled
          ? 'No AI provider is configured: set a provider key (e.g. OPENAI_API_KEY) to use /v1'
          : 'AI is disabled on this server (AI_ENABLED=false)',
      ),
    ledger: {
      // Inputs are prompts: kept only with AI_LOG_PROMPTS; vectors are never kept (they are large and say nothing).
      request: deps.config.ai.gateway.logPrompts
        ? { ...body }
        : { inputs: count, dimensions: body.dimensions, encoding: body.encoding_format ?? 'float' },
      ...(deps.config.ai.gateway.logPrompts
        ? { rewrite: (map: (text: string) => string) => ({ ...body, input: rewriteEmbeddingInput(body.input, map) }) }
        : {}),
    },
  }
}
