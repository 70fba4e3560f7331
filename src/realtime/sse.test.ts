import { describe, expect, it } from 'vitest'
import { parseLastEventId } from './sse.ts'

describe('parseLastEventId', () => {
  it('prefers the header, accepts the query, ignores junk', () => {
    expect(parseLastEventId('42', '7')).toBe(42)
    expect(parseLastEventId(undefined, '7')).toBe(7)
    expect(parseLastEventId(['5'], undefined)).toBe(5)
    expect(parseLastEventId('abc', undefined)).toBeUndefined()
    expect(parseLastEventId('-1', '3')).toBe(3)
    expect(parseLastEventId(undefined, undefined)).toBeUndefined()
  })
})
