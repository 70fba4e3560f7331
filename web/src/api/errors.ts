/**
 * Validator messages in plain words. The server's field errors and the browser-side zod checks
 * both come from zod ("Too small: expected string to have >=8 characters"); people read
 * "Use at least 8 characters".
 */

type IssueLike = {
  code?: string
  message?: string
  minimum?: unknown
  maximum?: unknown
  origin?: string
  format?: string
  expected?: string
  input?: unknown
}

const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`

/** A zod issue (browser side) as a sentence. */
export function plainIssue(issue: IssueLike): string {
  const min = Number(issue.minimum)
  const max = Number(issue.maximum)
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return min <= 1 ? 'This is required' : `Use at least ${plural(min, 'character')}`
      if (issue.origin === 'array' || issue.origin === 'set')
        return min <= 1 ? 'Pick at least one' : `Pick at least ${min}`
      return `Must be ${min.toLocaleString()} or more`
    case 'too_big':
      if (issue.origin === 'string') return `Use at most ${plural(max, 'character')}`
      if (issue.origin === 'array' || issue.origin === 'set') return `Pick at most ${max}`
      return `Must be ${max.toLocaleString()} or less`
    case 'invalid_format':
      return issue.format === 'email' ? 'Enter a valid email address' : 'This does not look right'
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null || issue.input === '') return 'This is required'
      if (issue.expected === 'number') return 'Enter a number'
      return 'This does not look right'
    case 'invalid_value':
      return 'Choose one of the options'
    default:
      return plainMessage(issue.message ?? 'This does not look right')
  }
}

/** A server message (zod's text, sometimes prefixed by the field) as a sentence. */
export function plainMessage(message: string): string {
  const m = /expected (string|number|array|set)[^<>]*([<>])=?\s*([\d.,e+]+)\s*(\w+)?/i.exec(message)
  if (m) {
    const n = Number(m[3]!.replace(/,/g, ''))
    const small = m[2] === '>'
    if (m[1] === 'string')
      return small
        ? n <= 1
          ? 'This is required'
          : `Use at least ${plural(n, 'character')}`
        : `Use at most ${plural(n, 'character')}`
    if (m[1] === 'array' || m[1] === 'set') return small ? `Pick at least ${n}` : `Pick at most ${n}`
    return small ? `Must be ${n.toLocaleString()} or more` : `Must be ${n.toLocaleString()} or less`
  }
  if (/invalid email/i.test(message)) return 'Enter a valid email address'
  if (/expected number/i.test(message)) return 'Enter a number'
  if (/^invalid input: expected \w+, received undefined/i.test(message) || /required/i.test(message))
    return 'This is required'
  if (/invalid option|expected one of/i.test(message)) return 'Choose one of the options'
  const text = message.replace(/^invalid value for [\w.]+:\s*/i, '').trim()
  return text.charAt(0).toUpperCase() + text.slice(1)
}
