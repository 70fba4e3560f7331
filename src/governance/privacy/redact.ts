import { redactSensitive } from '../../gateway/guardrails/detect.ts'

/**
 * Redaction of personal data and secrets in prompts before they are stored (`AI_REDACT_PROMPTS`):
 * API keys, emails, card numbers (Luhn-checked), IBANs (mod-97-checked) and phone numbers. Pure;
 * the detectors are the gateway's (`gateway/guardrails/detect.ts`), shared with the input guardrail.
 */
export function redact(text: string): string {
  return redactSensitive(text).text
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
