/**
 * Personal data and secrets in text: emails, phone numbers, payment card numbers (Luhn-checked),
 * IBANs (mod-97-checked) and API keys. Pure; shared by the input guardrail (redaction before a
 * prompt leaves) and the ledger's prompt redaction (`governance/privacy/redact.ts`).
 */

export const SENSITIVE_KINDS = ['api_key', 'email', 'card', 'iban', 'phone'] as const
export type SensitiveKind = (typeof SENSITIVE_KINDS)[number]

/** What replaces a match of each kind. */
export const REDACTION_TOKEN: Record<SensitiveKind, string> = {
  api_key: '[redacted:key]',
  email: '[redacted:email]',
  card: '[redacted:card]',
  iban: '[redacted:iban]',
  phone: '[redacted:phone]',
}

/** The Luhn checksum of a digit string (payment cards). */
export function luhnValid(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return digits.length > 0 && sum % 10 === 0
}

/** IBAN lengths of common countries (others: 15–34). @see https://www.swift.com/standards/data-standards/iban */
const IBAN_LENGTH: Record<string, number> = {
  AT: 20,
  BE: 16,
  CH: 21,
  CZ: 24,
  DE: 22,
  DK: 18,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  IE: 22,
  IT: 27,
  LU: 20,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  SE: 24,
}

/** Whether a compact IBAN (no spaces) has its country's length and passes the ISO 13616 mod-97 check. */
export function ibanValid(iban: string): boolean {
  const compact = iban.toUpperCase()
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false
  const expected = IBAN_LENGTH[compact.slice(0, 2)]
  if (expected !== undefined && compact.length !== expected) return false
  const rearranged = compact.slice(4) + compact.slice(0, 4)
  let remainder = 0
  for (const ch of rearranged) {
    const value = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97
  }
  return remainder === 1
}

type Detector = { kind: SensitiveKind; pattern: RegExp; accept?: (match: string) => boolean }

const digitsOf = (s: string) => s.replace(/\D/g, '')

/** In order: keys first (their characters are not phone numbers), cards and IBANs before phones. */
const DETECTORS: Detector[] = [
  { kind: 'api_key', pattern: /\b(?:sk|pk|rk|oq)[-_](?:live[-_]|test[-_]|proj[-_]|ant[-_])?[A-Za-z0-9_-]{16,}\b/g },
  { kind: 'api_key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { kind: 'api_key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { kind: 'api_key', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g },
  { kind: 'api_key', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g },
  { kind: 'api_key', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g },
  { kind: 'api_key', pattern: /(?<=\bBearer\s+)[A-Za-z0-9._~+/=-]{16,}/g },
  { kind: 'email', pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g },
  // 13–19 digits, optionally in groups separated by one space or dash, Luhn-valid.
  {
    kind: 'card',
    // Not the digits of an IBAN-like code (`DE89 3704 …`), valid or not.
    pattern: /(?<![\w.-])(?<![A-Za-z]{2}\d{2} )\d(?:[ -]?\d){12,18}(?![\w-]|\.\d)/g,
    accept: (m) => luhnValid(digitsOf(m)),
  },
  {
    kind: 'iban',
    pattern: /\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,4})?\b/g,
    accept: (m) => ibanValid(m.replace(/ /g, '')),
  },
  // Optional +country, then 7–15 digits in groups (E.164 has at most 15); an ISO date is not one.
  {
    kind: 'phone',
    pattern: /(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){2,4}(?!\w|\.\d)/g,
    accept: (m) => {
      const n = digitsOf(m).length
      return n >= 7 && n <= 15 && !/^\d{4}-\d{2}-\d{2}$/.test(m)
    },
  },
]

/** `text` with every match of `kinds` replaced by its token, and how many of each were found. */
export function redactSensitive(
  text: string,
  kinds: ReadonlySet<SensitiveKind> = new Set(SENSITIVE_KINDS),
): { text: string; found: Partial<Record<SensitiveKind, number>> } {
  let out = text
  const found: Partial<Record<SensitiveKind, number>> = {}
  for (const { kind, pattern, accept } of DETECTORS) {
    if (!kinds.has(kind)) continue
    out = out.replace(pattern, (match) => {
      if (accept && !accept(match)) return match
      found[kind] = (found[kind] ?? 0) + 1
      return REDACTION_TOKEN[kind]
    })
  }
  return { text: out, found }
}
