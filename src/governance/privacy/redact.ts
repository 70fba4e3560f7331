/**
 * Redaction of personal data and secrets in prompts before they are stored (`AI_REDACT_PROMPTS`).
 * Pure: the ledger calls `redact(text)` on each message (or `redactDeep` on a request object).
 */

const PATTERNS: Array<[RegExp, string]> = [
  // API keys and tokens first, so their characters are not taken for phone numbers.
  [/\b(?:sk|pk|rk|oq)[-_](?:live[-_]|test[-_]|proj[-_]|ant[-_])?[A-Za-z0-9_-]{16,}\b/g, '[redacted:key]'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, '[redacted:key]'],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, '[redacted:key]'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/g, '[redacted:key]'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]{16,}/g, 'Bearer [redacted:key]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, '[redacted:key]'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[redacted:email]'],
  // Phone numbers: optional +country, then 7+ digits with spaces, dots, dashes or parentheses.
  [
    /(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){2,4}(?![\w.])/g,
    '[redacted:phone]',
  ],
]

// Fewer than 7 digits, or an ISO date, is not a phone number.
const looksLikePhone = (match: string) => match.replace(/\D/g, '').length >= 7 && !/^\d{4}-\d{2}-\d{2}$/.test(match)

export function redact(text: string): string {
  let out = text
  for (const [pattern, replacement] of PATTERNS) {
    out = out.replace(pattern, (match) =>
      replacement === '[redacted:phone]' && !looksLikePhone(match) ? match : replacement,
    )
  }
  return out
}

/** Redact every string inside a JSON-like value (messages arrays, request objects). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactDeep(v)])) as T
  }
  return value
}
