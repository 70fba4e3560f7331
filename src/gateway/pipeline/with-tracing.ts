import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  createTraceState,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api'
import { ProviderCallError } from '../router/errors.ts'
import type { CallContext } from '../router/router.ts'
import type { AiUsage } from '../types.ts'
import { metaOf } from './meta.ts'
import type { Answer, Handler, Middleware, PipelineDeps, PipelineRequest, Settlement } from './types.ts'

/**
 * OpenTelemetry traces (DESIGN §6): one span per gateway request and one child span per attempt
 * at a provider, with the GenAI semantic conventions (`gen_ai.*`), continuing the caller's W3C
 * `traceparent`. Outermost in the pipeline, so cache hits, the rules engine and refusals are
 * traced too; a stream's spans end when it settles. Composed only when a tracer is configured.
 */
export function withTracing(deps: Pick<PipelineDeps, 'catalog'> & { tracer: Tracer }): Middleware {
  const { tracer } = deps
  return async <T>(request: PipelineRequest<T>, next: Handler<T>): Promise<Answer<T>> => {
    const parent = parentContext(request.caller.traceparent, request.caller.tracestate)
    const operation = request.telemetry?.operation ?? 'chat'
    const span = tracer.startSpan(
      `${operation} ${request.route}`,
      { kind: SpanKind.SERVER, attributes: requestAttributes(request, operation) },
      parent,
    )
    const inside = trace.setSpan(parent, span)
    let answer: Answer<T>
    try {
      answer = await next({ ...request, call: tracedCall(tracer, inside, request, operation) })
    } catch (error) {
      failed(span, error)
      span.end()
      throw error
    }
    span.setAttributes({
      'gen_ai.system': systemOf(answer.provider),
      'gen_ai.provider.name': systemOf(answer.provider),
      'gen_ai.response.model': answer.model,
      'optimaliq.provider': answer.provider,
      'optimaliq.cache_hit': answer.cached,
      'optimaliq.fallback_used': answer.fallbackUsed,
      'optimaliq.attempts': answer.attempts.length,
      ...(answer.modelVersion ? { 'optimaliq.model_version': answer.modelVersion } : {}),
      ...(answer.dropped?.length ? { 'optimaliq.dropped_params': answer.dropped } : {}),
    })
    endWhenSettled(span, answer.settled, (settlement) => {
      const meta = metaOf(deps, request, answer, settlement)
      return {
        ...usageAttributes(meta.usage),
        ...(meta.costUsd !== undefined ? { 'optimaliq.cost_usd': meta.costUsd } : {}),
      }
    })
    return answer
  }
}

/** The innermost call wrapped in an attempt span (a CLIENT span to the provider). */
function tracedCall<T>(tracer: Tracer, parent: Context, request: PipelineRequest<T>, operation: string) {
  const call = request.call
  return async (context: CallContext) => {
    const { provider, model } = context.candidate
    const span = tracer.startSpan(
      `${operation} ${model}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': operation,
          'gen_ai.system': systemOf(provider),
          'gen_ai.provider.name': systemOf(provider),
          'gen_ai.request.model': model,
          'optimaliq.provider': provider,
          'optimaliq.retry': context.retry,
          ...(context.candidate.versionId ? { 'optimaliq.model_version': context.candidate.versionId } : {}),
        },
      },
      parent,
    )
    try {
      const attempt = await call(context)
      endWhenSettled(span, attempt.settled, (settlement) => usageAttributes(settlement.usage))
      return attempt
    } catch (error) {
      failed(span, error)
      span.end()
      throw error
    }
  }
}

function requestAttributes<T>(request: PipelineRequest<T>, operation: string): Attributes {
  const t = request.telemetry ?? {}
  return {
    'gen_ai.operation.name': operation,
    'gen_ai.request.model': request.route,
    'optimaliq.feature': request.feature,
    'optimaliq.request_id': request.requestId,
    'optimaliq.stream': request.stream,
    ...(t.maxTokens !== undefined ? { 'gen_ai.request.max_tokens': t.maxTokens } : {}),
    ...(t.temperature !== undefined ? { 'gen_ai.request.temperature': t.temperature } : {}),
    ...(t.topP !== undefined ? { 'gen_ai.request.top_p': t.topP } : {}),
    ...(request.caller.apiKeyId ? { 'optimaliq.api_key_id': request.caller.apiKeyId } : {}),
    ...(request.caller.tier ? { 'optimaliq.tier': request.caller.tier } : {}),
  }
}

const usageAttributes = (usage: AiUsage): Attributes => ({
  ...(usage.inputTokens !== undefined ? { 'gen_ai.usage.input_tokens': usage.inputTokens } : {}),
  ...(usage.outputTokens !== undefined ? { 'gen_ai.usage.output_tokens': usage.outputTokens } : {}),
})

/** End a span when its answer settled (a stream: at its end), with what the settlement tells. */
function endWhenSettled(span: Span, settled: Promise<Settlement>, attributes: (settlement: Settlement) => Attributes) {
  void settled.then(
    (settlement) => {
      span.setAttributes(attributes(settlement))
      if (settlement.error) {
        span.setAttribute('error.type', settlement.error.errorClass)
        span.setStatus({ code: SpanStatusCode.ERROR, message: settlement.error.message })
      }
      span.end()
    },
    (error: unknown) => {
      failed(span, error)
      span.end()
    },
  )
}

function failed(span: Span, error: unknown) {
  const type =
    error instanceof ProviderCallError
      ? error.errorClass
      : ((error as { code?: unknown }).code?.toString() ?? (error instanceof Error ? error.name : 'error'))
  span.setAttribute('error.type', type)
  if (error instanceof Error) span.recordException(error)
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) })
}

/** The GenAI semantic conventions' well-known `gen_ai.system` values; our own names otherwise. */
const SYSTEMS: Record<string, string> = {
  openai: 'openai',
  azure: 'az.ai.openai',
  anthropic: 'anthropic',
  google: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
  mistral: 'mistral_ai',
  bedrock: 'aws.bedrock',
}
export const systemOf = (provider: string) => SYSTEMS[provider] ?? provider

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/

/**
 * The caller's span from a W3C `traceparent` (and `tracestate`), or the root when there is none or
 * it is malformed (the spec: start a new trace). Version `ff` and all-zero ids are invalid; a
 * later version may append fields, version 00 may not.
 */
export function parentContext(traceparent: string | undefined, tracestate?: string): Context {
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim()) : null
  if (!match) return ROOT_CONTEXT
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ]
  if (version === 'ff' || (version === '00' && rest) || /^0+$/.test(traceId) || /^0+$/.test(spanId)) return ROOT_CONTEXT
  let traceState
  try {
    traceState = tracestate ? createTraceState(tracestate) : undefined
  } catch {
    traceState = undefined
  }
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & 1,
    isRemote: true,
    ...(traceState ? { traceState } : {}),
  })
}
