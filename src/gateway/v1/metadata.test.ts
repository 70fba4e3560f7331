import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../errors.ts'
import { parseMetadataHeader } from './metadata.ts'

describe('x-optimaliq-metadata', () => {
  it('reads a JSON object of labels, numbers and booleans kept as text', () => {
    expect(parseMetadataHeader(undefined)).toBeUndefined()
    expect(parseMetadataHeader('{"team":"search","priority":2,"beta":true}')).toEqual({
      team: 'search',
      priority: '2',
      beta: 'true',
    })
  })

  it('refuses what it cannot read, naming the header and why', () => {
    const why = (value: string | string[]) => {
      try {
        parseMetadataHeader(value)
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError)
        const issue = (error as ValidationError).issues[0]
        expect(issue?.field).toBe('x-optimaliq-metadata')
        return issue?.message
      }
      throw new Error('not refused')
    }
    expect(why(['{}', '{}'])).toBe('send the header once')
    expect(why('null')).toMatch(/JSON object/)
    expect(why(`{"a":"${'x'.repeat(5000)}"}`)).toMatch(/4096 bytes/)
    expect(why(JSON.stringify(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']))))).toMatch(
      /32 keys/,
    )
    expect(why(`{"a":"${'x'.repeat(300)}"}`)).toMatch(/256 characters/)
    expect(why('{"a":null}')).toMatch(/string, number or boolean/)
  })
})
