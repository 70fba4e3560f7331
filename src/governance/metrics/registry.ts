import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { AiMeta } from '../../gateway/types.ts'

/**
 * Prometheus metrics on their own registry (never prom-client's global one, so several apps in
 * one process — tests — do not collide). Other parts report through these functions; gauges whose
 * value lives elsewhere (queue depth, SSE clients, breaker states) register a collector callback.
 */
export type Metrics = {
  registry: Registry
  /** One finished HTTP request. */
  httpRequest(info: { method: string; route: string; status: number; durationSeconds: number }): void
  /** One gateway call, with its outcome (ok, error, rules, cache). */
  aiRequest(info: {
    feature: string
    meta?: AiMeta | undefined
    provider?: string | undefined
    model?: string | undefined
    outcome?: 'ok' | 'error' | undefined
    errorClass?: string | undefined
  }): void
  /** One limit or budget refusal. */
  aiRefused(kind: 'rate_limited' | 'budget_exceeded', limit: string): void
  /** A provider's breaker changed state. */
  breakerState(provider: string, state: 'closed' | 'open' | 'half-open'): void
  /** Gauges read at scrape time: e.g. `gauge('queue_depth', () => queue.depth())`. */
  onCollect(
    name: 'queue_depth' | 'sse_clients',
    read: () =>
      | number
      | Promise<number>
      | Array<{ labels: Record<string, string>; value: number }>
      | Promise<Array<{ labels: Record<string, string>; value: number }>>,
  ): void
  /** Run before every scrape, e.g. to copy breaker states from the gateway's health. */
  onScrape(fn: () => void | Promise<void>): void
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>
}

/** A guard that only observes: every answered gateway call (provider, cache or rules) is counted. */
export function metricsGuard(metrics: Metrics) {
  return {
    async before() {},
    async after(_caller: unknown, call: { feature: string; meta: AiMeta }) {
      metrics.aiRequest({ feature: call.feature, meta: call.meta })
    },
  }
}

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const

export function createMetrics(options: { defaultMetrics?: boolean; prefix?: string } = {}): Metrics {
  const registry = new Registry()
  const p = options.prefix ?? 'optimaliq_'
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: p })

  const httpDuration = new Histogram({
    name: `${p}http_request_duration_seconds`,
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  })
  const aiRequests = new Counter({
    name: `${p}ai_requests_total`,
    help: 'AI gateway requests',
    labelNames: ['provider', 'model', 'feature', 'outcome'] as const,
    registers: [registry],
  })
  const aiErrors = new Counter({
    name: `${p}ai_errors_total`,
    help: 'AI gateway errors by class',
    labelNames: ['provider', 'feature', 'error_class'] as const,
    registers: [registry],
  })
  const aiLatency = new Histogram({
    name: `${p}ai_request_duration_seconds`,
    help: 'AI gateway latency',
    labelNames: ['provider', 'model', 'feature'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  })
  const aiTokens = new Counter({
    name: `${p}ai_tokens_total`,
    help: 'AI tokens',
    labelNames: ['provider', 'model', 'direction'] as const,
    registers: [registry],
  })
  const aiCost = new Counter({
    name: `${p}ai_cost_usd_total`,
    help: 'AI cost in USD',
    labelNames: ['provider', 'model', 'feature'] as const,
    registers: [registry],
  })
  const aiCache = new Counter({
    name: `${p}ai_cache_hits_total`,
    help: 'AI responses served from cache',
    labelNames: ['feature'] as const,
    registers: [registry],
  })
  const aiFallbacks = new Counter({
    name: `${p}ai_fallbacks_total`,
    help: 'AI requests answered after a fallback',
    labelNames: ['feature'] as const,
    registers: [registry],
  })
  const refusals = new Counter({
    name: `${p}ai_refusals_total`,
    help: 'Requests refused by limits or budgets',
    labelNames: ['kind', 'limit'] as const,
    registers: [registry],
  })
  const breaker = new Gauge({
    name: `${p}provider_breaker_state`,
    help: 'Circuit breaker state (0 closed, 1 half-open, 2 open)',
    labelNames: ['provider'] as const,
    registers: [registry],
  })

  const scrapeHooks: Array<() => void | Promise<void>> = []
  const collectors = new Map<string, Parameters<Metrics['onCollect']>[1]>()
  const collected = (name: string, help: string) =>
    new Gauge({
      name: `${p}${name}`,
      help,
      labelNames: ['name'] as const,
      registers: [registry],
      async collect() {
        const read = collectors.get(name)
        if (!read) return
        const value = await read()
        this.reset()
        if (typeof value === 'number') this.set(value)
        else for (const v of value) this.set(v.labels as { name: string }, v.value)
      },
    })
  collected('queue_depth', 'Queued jobs waiting')
  collected('sse_clients', 'Connected Server-Sent Events clients')

  return {
    registry,
    httpRequest(info) {
      httpDuration.observe(
        { method: info.method, route: info.route, status: String(info.status) },
        info.durationSeconds,
      )
    },
    aiRequest(info) {
      const meta = info.meta
      const provider = meta?.provider ?? info.provider ?? 'none'
      const model = meta?.model ?? info.model ?? 'none'
      const outcome =
        info.outcome ?? (meta ? (meta.cached ? 'cache' : meta.provider === 'rules' ? 'rules' : 'ok') : 'error')
      aiRequests.inc({ provider, model, feature: info.feature, outcome })
      if (outcome === 'error')
        aiErrors.inc({ provider, feature: info.feature, error_class: info.errorClass ?? 'unknown' })
      if (!meta) return
      aiLatency.observe({ provider, model, feature: info.feature }, meta.latencyMs / 1000)
      if (meta.usage.inputTokens !== undefined)
        aiTokens.inc({ provider, model, direction: 'input' }, meta.usage.inputTokens)
      if (meta.usage.outputTokens !== undefined)
        aiTokens.inc({ provider, model, direction: 'output' }, meta.usage.outputTokens)
      if (meta.costUsd) aiCost.inc({ provider, model, feature: info.feature }, meta.costUsd)
      if (meta.cached) aiCache.inc({ feature: info.feature })
      if (meta.fallbackUsed) aiFallbacks.inc({ feature: info.feature })
    },
    aiRefused(kind, limit) {
      refusals.inc({ kind, limit })
    },
    breakerState(provider, state) {
      breaker.set({ provider }, BREAKER_VALUE[state])
    },
    onCollect(name, read) {
      collectors.set(name, read)
    },
    onScrape(fn) {
      scrapeHooks.push(fn)
    },
    async render() {
      for (const fn of scrapeHooks) await fn()
      return { contentType: registry.contentType, body: await registry.metrics() }
    },
  }
}
