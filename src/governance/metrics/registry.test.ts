import { describe, expect, it } from 'vitest'
import { createMetrics } from './registry.ts'

describe('metrics registry', () => {
  it('counts AI requests by outcome, tokens, cost, cache and fallbacks on its own registry', async () => {
    const m = createMetrics({ defaultMetrics: false })
    const base = {
      requestId: 'r',
      provider: 'openai',
      model: 'gpt',
      modelVersion: undefined,
      usage: { inputTokens: 3, outputTokens: 4 },
      costUsd: 0.5,
      latencyMs: 250,
      cached: false,
      fallbackUsed: false,
      attempts: [],
    }
    m.aiRequest({ feature: 'f', meta: base })
    m.aiRequest({
      feature: 'f',
      meta: { ...base, cached: true, costUsd: undefined, usage: { inputTokens: undefined, outputTokens: undefined } },
    })
    m.aiRequest({ feature: 'f', meta: { ...base, provider: 'rules', model: 'rules', fallbackUsed: true } })
    m.aiRequest({ feature: 'f', provider: 'anthropic', model: 'claude', errorClass: 'timeout' })
    m.aiRefused('rate_limited', 'user.requests_per_minute')
    m.breakerState('anthropic', 'half-open')
    m.httpRequest({ method: 'GET', route: '/x', status: 200, durationSeconds: 0.01 })
    m.onCollect('sse_clients', async () => [{ labels: { name: 'api-1' }, value: 3 }])
    const { body, contentType } = await m.render()
    expect(contentType).toContain('text/plain')
    expect(body).toContain('optimaliq_ai_requests_total{provider="openai",model="gpt",feature="f",outcome="ok"} 1')
    expect(body).toContain('optimaliq_ai_requests_total{provider="openai",model="gpt",feature="f",outcome="cache"} 1')
    expect(body).toContain('optimaliq_ai_requests_total{provider="rules",model="rules",feature="f",outcome="rules"} 1')
    expect(body).toContain(
      'optimaliq_ai_requests_total{provider="anthropic",model="claude",feature="f",outcome="error"} 1',
    )
    expect(body).toContain('optimaliq_ai_errors_total{provider="anthropic",feature="f",error_class="timeout"} 1')
    expect(body).toContain('optimaliq_ai_cost_usd_total{provider="openai",model="gpt",feature="f"} 0.5')
    expect(body).toContain('optimaliq_ai_cache_hits_total{feature="f"} 1')
    expect(body).toContain('optimaliq_ai_fallbacks_total{feature="f"} 1')
    expect(body).toContain('optimaliq_ai_refusals_total{kind="rate_limited",limit="user.requests_per_minute"} 1')
    expect(body).toContain('optimaliq_provider_breaker_state{provider="anthropic"} 1')
    expect(body).toContain('optimaliq_sse_clients{name="api-1"} 3')
    expect(body).not.toContain('process_cpu')
    // Two registries never collide (tests build many apps in one process).
    expect(() => createMetrics({ defaultMetrics: true })).not.toThrow()
    expect(() => createMetrics({ defaultMetrics: true })).not.toThrow()
  })
})
