import { describe, expect, it } from 'vitest'
import { createHealthTracker, startIdleProbe } from './health.ts'

const ok = (provider = 'openai') => ({ provider, model: 'm', latencyMs: 10, ok: true })
const bad = (provider = 'openai', errorClass = 'server_error') => ({
  provider,
  model: 'm',
  latencyMs: 5,
  ok: false,
  errorClass,
})

describe('health tracker', () => {
  it('derives healthy, degraded and down from live traffic and the breaker', () => {
    const tracker = createHealthTracker({ windowSize: 10 })
    for (let i = 0; i < 8; i++) tracker.observe(ok())
    expect(tracker.health('openai')).toMatchObject({ status: 'healthy', recentErrorRate: 0, p50LatencyMs: 10 })
    tracker.observe(bad())
    tracker.observe(bad())
    expect(tracker.health('openai').status).toBe('degraded')
    // Failures that say nothing about the provider are ignored.
    tracker.observe(bad('openai', 'invalid_output'))
    tracker.observe(bad('openai', 'client_error'))
    expect(tracker.health('openai').recentErrorRate).toBe(0.2)
    tracker.breakerChanged('openai', 'open')
    expect(tracker.health('openai')).toMatchObject({ status: 'down', breaker: 'open' })
    tracker.breakerChanged('openai', 'half-open')
    expect(tracker.health('openai').status).toBe('degraded')
    tracker.observe(ok())
    tracker.breakerChanged('openai', 'closed')
    expect(tracker.health('openai').status).toBe('healthy')
    expect(tracker.list(['openai', 'anthropic']).map((h) => h.status)).toEqual(['healthy', 'healthy'])
    expect(tracker.idleFor('anthropic')).toBe(Infinity)
  })

  it('probes only idle providers, off the request path', async () => {
    // A frozen clock: 'busy' saw traffic "just now", the others never did.
    const tracker = createHealthTracker({ now: () => 1_000 })
    const probed: string[] = []
    tracker.observe(ok('busy'))
    const probe = startIdleProbe({
      intervalMs: 20,
      providers: ['busy', 'idle', 'broken'],
      tracker,
      probe: async (p) => {
        probed.push(p)
        if (p === 'broken') throw new Error('down')
      },
    })
    await new Promise((resolve) => setTimeout(resolve, 35))
    probe.stop()
    expect(probed).toContain('idle')
    expect(probed).not.toContain('busy')
    expect(tracker.health('broken').lastFailureAt).toBeDefined()
  })
})
