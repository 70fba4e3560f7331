import { describe, expect, it } from 'vitest'
import { createFaultState, parseFaultHeader } from './faults.ts'

describe('x-sim-fault header', () => {
  it('parses key=value pairs and bare flags', () => {
    expect(parseFaultHeader('latency=200,status=429,retry-after=1')).toEqual({
      latencyMs: 200,
      status: 429,
      retryAfter: 1,
    })
    expect(
      parseFaultHeader('hang; stall=no, malformed=false, truncate, invalid-schema, failure-rate=0.25, chunk-delay=5'),
    ).toEqual({
      hang: true,
      stall: false,
      malformed: false,
      truncate: true,
      invalidSchema: true,
      failureRate: 0.25,
      chunkDelayMs: 5,
    })
    expect(parseFaultHeader(undefined)).toBeUndefined()
    expect(parseFaultHeader('  ')).toBeUndefined()
  })

  it('rejects unknown faults and bad values', () => {
    expect(() => parseFaultHeader('explode')).toThrow(/unknown fault "explode"/)
    expect(() => parseFaultHeader('status=200')).toThrow(/status/)
    expect(() => parseFaultHeader('latency=soon')).toThrow(/latencyMs/)
  })
})

describe('fault plans', () => {
  it('answers normally without faults', () => {
    expect(createFaultState().plan('openai', undefined)).toEqual({
      latencyMs: 0,
      chunkDelayMs: 0,
      failure: { kind: 'none' },
    })
  })

  it('fails a deterministic share with failureRate (500 unless a mode is given)', () => {
    const state = createFaultState()
    state.set({ failureRate: 1 / 3 })
    const kinds = Array.from({ length: 6 }, () => state.plan('openai', undefined).failure.kind)
    expect(kinds).toEqual(['none', 'none', 'status', 'none', 'none', 'status'])
    expect(state.plan('anthropic', undefined).failure.kind).toBe('none')
    state.resetCounters()
    state.set({ failureRate: 0.5, truncate: true })
    expect([state.plan('openai', undefined).failure.kind, state.plan('openai', undefined).failure.kind]).toEqual([
      'none',
      'truncate',
    ])
  })

  it('scopes faults to a provider, merges them over global faults, and lets the header win', () => {
    const state = createFaultState()
    state.set({ latencyMs: 50 })
    state.set({ status: 503, retryAfter: 2 }, 'anthropic')
    expect(state.plan('openai', undefined)).toEqual({ latencyMs: 50, chunkDelayMs: 0, failure: { kind: 'none' } })
    expect(state.plan('anthropic', undefined)).toEqual({
      latencyMs: 50,
      chunkDelayMs: 0,
      failure: { kind: 'status', status: 503, retryAfter: 2 },
    })
    expect(state.plan('anthropic', { status: 429 }).failure).toEqual({ kind: 'status', status: 429, retryAfter: 2 })
    expect(state.current()).toEqual({ '*': { latencyMs: 50 }, anthropic: { status: 503, retryAfter: 2 } })
    state.set({ provider: 'mistral', hang: true })
    expect(state.plan('mistral', undefined).failure.kind).toBe('hang')
    state.set(undefined, 'anthropic')
    state.set({}, 'mistral')
    expect(Object.keys(state.current())).toEqual(['*'])
    state.clear()
    expect(state.current()).toEqual({})
  })

  it('picks one failure mode: hang, then status, malformed, truncate, invalidSchema', () => {
    const state = createFaultState()
    expect(state.plan('x', { hang: true, status: 500 }).failure.kind).toBe('hang')
    expect(state.plan('x', { status: 500, malformed: true }).failure.kind).toBe('status')
    expect(state.plan('x', { stall: true, streamError: true }).failure.kind).toBe('stall')
    expect(state.plan('x', { streamError: true, malformed: true }).failure.kind).toBe('streamError')
    expect(parseFaultHeader('stream-error')).toEqual({ streamError: true })
    expect(state.plan('x', { malformed: true, truncate: true }).failure.kind).toBe('malformed')
    expect(state.plan('x', { truncate: true, invalidSchema: true }).failure.kind).toBe('truncate')
    expect(state.plan('x', { invalidSchema: true }).failure.kind).toBe('invalidSchema')
  })

  it('removes a server fault after `times` failures', () => {
    const state = createFaultState()
    state.set({ status: 500, times: 2 }, 'openai')
    state.set({ malformed: true, times: 1 })
    expect(state.plan('openai', undefined).failure.kind).toBe('status')
    expect(state.current()).toEqual({ openai: { status: 500, times: 1 } })
    expect(state.plan('openai', undefined).failure.kind).toBe('status')
    expect(state.plan('openai', undefined).failure.kind).toBe('none')
    expect(state.current()).toEqual({})
  })
})
