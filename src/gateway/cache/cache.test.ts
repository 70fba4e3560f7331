import { describe, expect, it } from 'vitest'
import { cacheKey, createAiCache, stableStringify } from './cache.ts'

describe('cache', () => {
  it('hashes requests independent of key order and sensitive to every part', () => {
    expect(stableStringify({ b: 1, a: [1, { d: 2, c: undefined }] })).toBe('{"a":[1,{"d":2}],"b":1}')
    const base = { route: 'default', messages: [{ role: 'user', content: 'x' }], params: { temperature: 0 } }
    expect(cacheKey(base)).toBe(
      cacheKey({ params: { temperature: 0 }, messages: [{ content: 'x', role: 'user' }], route: 'default' }),
    )
    expect(cacheKey(base)).not.toBe(cacheKey({ ...base, cacheScope: 'v2' }))
    expect(cacheKey(base)).not.toBe(cacheKey({ ...base, params: { temperature: 0.1 } }))
  })

  it('does not cache failures or uncacheable results, and expires entries', async () => {
    let now = 1_000
    const cache = createAiCache({ now: () => now })
    await expect(
      cache.getOrCompute('k', 60, async () => {
        throw new Error('upstream')
      }),
    ).rejects.toThrow('upstream')
    expect(await cache.getOrCompute('k', 60, async () => ({ value: 1, cacheable: false }))).toEqual({
      value: 1,
      hit: false,
    })
    expect(await cache.getOrCompute('k', 60, async () => ({ value: 2, cacheable: true }))).toEqual({
      value: 2,
      hit: false,
    })
    expect(await cache.get('k')).toBe(2)
    cache.set('zero', 1, 0)
    expect(await cache.get('zero')).toBeUndefined()
    now += 1
    await cache.flush()
  })
})
