import type { Tracer } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { Config } from '../config/env.ts'

export type Tracing = { tracer: Tracer; shutdown(): Promise<void> }

/** A tracer exporting through these processors (tests pass an in-memory exporter's). */
export function createTracing(serviceName: string, spanProcessors: SpanProcessor[]): Tracing {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors,
  })
  return { tracer: provider.getTracer('optimaliq-gateway'), shutdown: () => provider.shutdown() }
}

/**
 * Traces over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `…_TRACES_ENDPOINT`) is set: spans
 * are batched and sent in the background; shutdown flushes what is left. Undefined otherwise (the
 * gateway then composes no tracing step at all).
 */
export function otlpTracing(config: Pick<Config, 'telemetry'>): Tracing | undefined {
  const { tracesEndpoint, serviceName } = config.telemetry
  if (!tracesEndpoint) return undefined
  return createTracing(serviceName, [new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesEndpoint }))])
}
