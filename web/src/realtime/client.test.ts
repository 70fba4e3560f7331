import { describe, expect, it } from 'vitest'
import { createRealtimeClient, type EventSourceLike, type RealtimeEvent } from './client.ts'

/** A scriptable stand-in for the browser's EventSource. */
class FakeEventSource implements EventSourceLike {
  static opened: FakeEventSource[] = []
  readyState = 0
  onopen: ((event: unknown) => void) | null = null
  onerror: ((event: unknown) => void) | null = null
  listeners = new Map<string, Array<(e: { data: string; lastEventId: string }) => void>>()
  closed = false
  readonly url: string
  constructor(url: string) {
    this.url = url
    FakeEventSource.opened.push(this)
  }
  addEventListener(type: string, listener: (e: { data: string; lastEventId: string }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }
  close() {
    this.closed = true
    this.readyState = 2
  }
  open() {
    this.readyState = 1
    this.onopen?.({})
  }
  emit(event: Partial<RealtimeEvent> & { id: number; type: string }, cursor = event.id) {
    const full = { userId: 'u1', audience: 'user', payload: {}, createdAt: new Date(0).toISOString(), ...event }
    for (const l of this.listeners.get(event.type) ?? []) l({ data: JSON.stringify(full), lastEventId: String(cursor) })
  }
  fail(permanently: boolean) {
    this.readyState = permanently ? 2 : 0
    this.onerror?.({})
  }
}

function setup(options: Parameters<typeof createRealtimeClient>[0] = {}) {
  FakeEventSource.opened = []
  const timers: Array<() => void> = []
  const statuses: string[] = []
  const client = createRealtimeClient({
    createEventSource: (url) => new FakeEventSource(url),
    setTimeout: (fn) => timers.push(fn),
    clearTimeout: () => undefined,
    onStatus: (s, d) => statuses.push(d?.reason ? `${s}:${d.reason}` : s),
    ...options,
  })
  return { client, timers, statuses, current: () => FakeEventSource.opened.at(-1)! }
}

describe('realtime client', () => {
  it('routes dashboard, assessment and task events to their subscribers', () => {
    const { client, current } = setup()
    const dashboard: number[] = []
    const sales: number[] = []
    const task: string[] = []
    client.subscribeToDashboard((e) => dashboard.push(e.id))
    client.subscribeToAssessment('sales', (e) => sales.push(e.id))
    client.connect()
    client.subscribeToTask('t1', (e) => task.push(String(e.payload.status)))
    const es = current()
    expect(es.url).toBe('/api/realtime/stream')
    es.open()
    es.emit({ id: 1, type: 'profile.updated' })
    es.emit({ id: 2, type: 'assessment.completed', payload: { type: 'sales' } })
    es.emit({ id: 3, type: 'assessment.completed', payload: { type: 'leadership' } })
    es.emit({ id: 4, type: 'task.updated', payload: { taskId: 't1', status: 'active' } })
    es.emit({ id: 5, type: 'task.updated', payload: { taskId: 't2', status: 'active' } })
    expect(dashboard).toEqual([1, 2, 3])
    expect(sales).toEqual([2])
    expect(task).toEqual(['active'])
    expect(client.lastEventId).toBe(5)
  })

  it('drops duplicates and isolates a failing handler', () => {
    const { client, current } = setup()
    const seen: number[] = []
    client.on('dashboard.updated', () => {
      throw new Error('component bug')
    })
    client.on('dashboard.updated', (e) => seen.push(e.id))
    client.connect()
    const es = current()
    const original = console.error
    console.error = () => undefined
    try {
      es.emit({ id: 7, type: 'dashboard.updated' })
      es.emit({ id: 7, type: 'dashboard.updated' })
      es.emit({ id: 6, type: 'dashboard.updated' }, 7) // committed late: new id, cursor unchanged
    } finally {
      console.error = original
    }
    expect(seen).toEqual([7, 6])
    expect(client.lastEventId).toBe(7)
  })

  it('reopens a stream the browser gave up on, resuming from the last id, with backoff', () => {
    const { client, current, timers, statuses } = setup({ admin: true, lastEventId: 10 })
    const seen: number[] = []
    client.on('alert.fired', (e) => seen.push(e.id))
    client.connect()
    const first = current()
    expect(first.url).toBe('/api/realtime/stream?admin=1&lastEventId=10')
    first.open()
    first.emit({ id: 11, type: 'alert.fired' })
    first.fail(false) // transient: the browser reconnects by itself
    expect(timers).toHaveLength(0)
    first.fail(true) // e.g. 503 during a deploy: closed for good
    expect(first.closed).toBe(true)
    expect(timers).toHaveLength(1)
    timers.shift()!()
    const second = current()
    expect(second).not.toBe(first)
    expect(second.url).toBe('/api/realtime/stream?admin=1&lastEventId=11')
    second.emit({ id: 11, type: 'alert.fired' }) // replayed again by the server: ignored
    second.emit({ id: 12, type: 'alert.fired' })
    expect(seen).toEqual([11, 12])
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'reconnecting'])
    client.close()
    expect(second.closed).toBe(true)
  })

  it('reports the reason the server gave for closing', () => {
    const { client, current, statuses } = setup()
    client.connect()
    for (const l of current().listeners.get('close') ?? [])
      l({ data: JSON.stringify({ reason: 'slow_consumer' }), lastEventId: '' })
    expect(statuses).toContain('reconnecting:slow_consumer')
  })
})
