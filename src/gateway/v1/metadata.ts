import { ValidationError } from '../../errors.ts'

/** The header through which `/v1` callers label a request for routing rules. */
export const METADATA_HEADER = 'x-optimaliq-metadata'

const MAX_BYTES = 4096
const MAX_KEYS = 32
const KEY = /^[A-Za-z0-9_.:-]{1,64}$/

const refuse = (message: string) => new ValidationError([{ field: METADATA_HEADER, message }])

/**
 * `x-optimaliq-metadata: {"team":"search","env":"prod"}` → labels the routing rules match on. A JSON
 * object of at most 32 keys (letters, digits, `_.:-`) whose values are strings, numbers or booleans
 * (kept as text, ≤ 256 characters). Anything else is refused with a 400 naming the header, never dropped.
 */
export function parseMetadataHeader(value: string | string[] | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined
  if (Array.isArray(value)) throw refuse('send the header once')
  if (Buffer.byteLength(value) > MAX_BYTES) throw refuse(`must be at most ${MAX_BYTES} bytes`)
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    throw refuse('must be a JSON object, e.g. {"team":"search"}')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw refuse('must be a JSON object, e.g. {"team":"search"}')
  const entries = Object.entries(parsed)
  if (entries.length > MAX_KEYS) throw refuse(`at most ${MAX_KEYS} keys`)
  const out: Record<string, string> = {}
  for (const [key, v] of entries) {
    if (!KEY.test(key)) throw refuse(`key "${key.slice(0, 64)}" must be 1–64 letters, digits, "_", ".", ":" or "-"`)
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
      throw refuse(`"${key}" must be a string, number or boolean`)
    const text = String(v)
    if (text.length > 256) throw refuse(`"${key}" must be at most 256 characters`)
    out[key] = text
  }
  return out
}
