import { ROOT_CONTEXT, trace } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import { parentContext, systemOf } from './with-tracing.ts'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'

describe('parentContext (W3C traceparent)', () => {
  it('continues a valid traceparent as a remote parent, sampled flag and tracestate kept', () => {
    const parent = trace.getSpanContext(parentContext(`00-${TRACE}-${SPAN}-01`, 'vendor=abc,other=1'))
    expect(parent).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true })
    expect(parent?.traceState?.get('vendor')).toBe('abc')
    expect(trace.getSpanContext(parentContext(`00-${TRACE}-${SPAN}-00`))?.traceFlags).toBe(0)
  })

  it('starts a new trace for a missing, malformed or invalid header', () => {
    for (const header of [
      undefined,
      '',
      'garbage',
      `00-${TRACE.toUpperCase()}-${SPAN}-01`,
      `ff-${TRACE}-${SPAN}-01`,
      `00-${'0'.repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `00-${TRACE}-${SPAN}-01-extra`,
      `00-${TRACE}-${SPAN}`,
    ])
      expect(parentContext(header), String(header)).toBe(ROOT_CONTEXT)
  })

  it('accepts a later version with more fields, and ignores an unparsable tracestate', () => {
    expect(trace.getSpanContext(parentContext(`01-${TRACE}-${SPAN}-01-what-comes-later`))?.traceId).toBe(TRACE)
    const parent = trace.getSpanContext(parentContext(`00-${TRACE}-${SPAN}-01`, '=,=,'))
    expect(parent?.traceId).toBe(TRACE)
  })

  it('names providers by the GenAI conventions, others by their own name', () => {
    expect(['openai', 'anthropic', 'google', 'vertex', 'mistral', 'bedrock', 'azure', 'custom'].map(systemOf)).toEqual([
      'openai',
      'anthropic',
      'gcp.gemini',
      'gcp.vertex_ai',
      'mistral_ai',
      'aws.bedrock',
      'az.ai.openai',
      'custom',
    ])
  })
})
