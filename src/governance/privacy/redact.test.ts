import { describe, expect, it } from 'vitest'
import { redact, redactDeep } from './redact.ts'

describe('redact', () => {
  it('removes emails, phone numbers and API keys', () => {
    const text =
      'Mail jane.doe+x@example.co.uk or call +1 (415) 555-0123 / 020 7946 0958; key sk-proj-abcdefghijklmnop1234 and oq_live_0123456789abcdefABCD'
    const out = redact(text)
    expect(out).not.toContain('jane.doe')
    expect(out).not.toContain('555-0123')
    expect(out).not.toContain('7946')
    expect(out).not.toContain('sk-proj')
    expect(out).not.toContain('oq_live')
    expect(out).toContain('[redacted:email]')
    expect(out).toContain('[redacted:phone]')
    expect(out).toContain('[redacted:key]')
  })

  it('keeps ordinary numbers, scores and dates', () => {
    const text = 'Revenue grew 12% to 3.5 in 2024; score 4.25 of 5, team of 40 people, 2024-05-01'
    expect(redact(text)).toBe(text)
  })

  it('redacts bearer tokens, Google keys and JWTs', () => {
    expect(redact('Authorization: Bearer abcdefghijklmnopqrstuvwxyz')).toBe('Authorization: Bearer [redacted:key]')
    expect(redact(`AIza${'x'.repeat(35)}`)).toBe('[redacted:key]')
    expect(redact('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U')).toBe(
      '[redacted:key]',
    )
  })

  it('walks objects and arrays', () => {
    const value = { messages: [{ role: 'user', content: 'me@example.com' }], n: 3, ok: true, none: null }
    expect(redactDeep(value)).toEqual({
      messages: [{ role: 'user', content: '[redacted:email]' }],
      n: 3,
      ok: true,
      none: null,
    })
  })
})
