import pino from 'pino'

/**
 * Errors as log lines, without the values a failed statement carried. Drizzle's query errors put
 * the statement's parameters in their message (`params: …`) and in `params`; PostgreSQL's own
 * errors quote the offending values in `detail` (`Key (key_hash)=(…) already exists`). Those are
 * password hashes, API key hashes, prompts: this is the one place errors are serialised for logs,
 * so they are stripped here, whoever logs the error.
 */

const DROPPED_KEYS = new Set(['params', 'parameters', 'values', 'raw'])

/** The text of an error with statement parameters and quoted key values taken out. */
export function scrubErrorText(text: string): string {
  return text
    .replace(/^(\s*params:).*$/gm, '$1 [redacted]')
    .replace(/\)=\((.*?)\)(?= already exists| is not present| is still referenced| conflicts|\.|$)/gm, ')=([redacted])')
    .replace(/scrypt\$[^\s,'")\]}]+/g, 'scrypt$[redacted]')
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubErrorText(value)
  if (value === null || typeof value !== 'object' || depth > 6) return value
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    if (DROPPED_KEYS.has(key)) continue
    out[key] = scrubValue(v, depth + 1)
  }
  return out
}

/** pino's error serializer (message and stack with causes), then scrubbed. */
export function serializeErrorForLog(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown
  if (serialized === null || typeof serialized !== 'object')
    return typeof serialized === 'string' ? scrubErrorText(serialized) : serialized
  // Copy the enumerable fields (the serializer's object also carries the raw error).
  const plain: Record<string, unknown> = {}
  for (const key in serialized as Record<string, unknown>) plain[key] = (serialized as Record<string, unknown>)[key]
  return scrubValue(plain, 0)
}

/** The serializers every logger of ours uses: errors under `err` or `error`. */
export const LOG_SERIALIZERS = { err: serializeErrorForLog, error: serializeErrorForLog }
