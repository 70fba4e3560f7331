import { describe, expect, it } from 'vitest'
import { scoresHash } from './scores-hash.ts'

describe('scoresHash', () => {
  it('hashes scores stably, ignoring float noise and key order, and changes with any score', () => {
    const a = scoresHash({ areas: { strategy: 3, process: 2.5 }, base: 2.8, overall: 2.7 })
    expect(a).toMatch(/^[0-9a-f]{32}$/)
    expect(scoresHash({ areas: { process: 2.5000001, strategy: 3 }, base: 2.8, overall: 2.7 })).toBe(a)
    expect(scoresHash({ areas: { strategy: 3, process: 2.6 }, base: 2.8, overall: 2.7 })).not.toBe(a)
    expect(scoresHash({ areas: { strategy: 3, process: 2.5, sales: 1 }, base: 2.8, overall: 2.7 })).not.toBe(a)
    expect(scoresHash({ areas: { strategy: 3, process: 2.5 }, base: 2.8, overall: null })).not.toBe(a)
  })
})
