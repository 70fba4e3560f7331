import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../../contracts/events.ts'
import { createDashboardCache } from './dashboard-cache.ts'

function hub() {
  const handlers = new Map<string, Array<(e: StoredEvent) => void>>()
  return {
    subscribe: (type: string, h: (e: StoredEvent) => void) => {
      handlers.set(type, [...(handlers.get(type) ?? []), h])
      return () =>
        handlers.set(
          type,
          (handlers.get(type) ?? []).filter((x) => x !== h),
        )
    },
    emit: (type: string, userId: string | null) =>
      (handlers.get(type) ?? []).forEach((h) =>
        h({ id: 1, type: type as StoredEvent['type'], userId, audience: 'user', payload: {}, createdAt: '' }),
      ),
    count: () => [...handlers.values()].reduce((n, l) => n + l.length, 0),
  }
}

describe('dashboard cache', () => {
  it('is off with a zero TTL', () => {
    expect(createDashboardCache({ ttlMs: 0 })).toBeUndefined()
  })

  it('serves what was stored until a score or dashboard event for that user drops it', () => {
    const events = hub()
    const cache = createDashboardCache({ ttlMs: 60_000, events: events as never })!
    cache.set('u1', '{"a":1}', cache.begin('u1'))
    cache.set('u2', '{"b":2}', cache.begin('u2'))
    expect(cache.get('u1')).toBe('{"a":1}')
    events.emit('assessment.completed', 'u1')
    events.emit('profile.updated', null)
    expect(cache.get('u1')).toBeUndefined()
    expect(cache.get('u2')).toBe('{"b":2}')
    events.emit('dashboard.updated', 'u2')
    expect(cache.get('u2')).toBeUndefined()
    cache.set('u2', 'x', cache.begin('u2'))
    cache.delete('u2')
    expect(cache.get('u2')).toBeUndefined()
    cache.close()
    expect(events.count()).toBe(0)
  })

  it('does not store a read that raced an invalidation', () => {
    const events = hub()
    const cache = createDashboardCache({ ttlMs: 60_000, events: events as never })!
    const token = cache.begin('u1')
    events.emit('profile.updated', 'u1')
    cache.set('u1', 'stale', token)
    expect(cache.get('u1')).toBeUndefined()
    cache.set('u1', 'fresh', cache.begin('u1'))
    expect(cache.get('u1')).toBe('fresh')
  })
})
