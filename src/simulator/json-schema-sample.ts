/**
 * Deterministic sample values for a JSON Schema (draft 7 / 2020-12 and the OpenAPI subset Gemini
 * uses): the simulator answers a structured-output request with an object that satisfies the
 * schema it was given. `violateSchema` produces the opposite, for the `invalidSchema` fault.
 */

export type JsonSchema = { [key: string]: unknown }

type Ctx = { root: JsonSchema; rand: () => number; depth: number }

const WORDS = [
  'growth',
  'pipeline',
  'process',
  'strategy',
  'customer',
  'insight',
  'revenue',
  'team',
  'automation',
  'market',
]

/** A pseudo-random source seeded from bytes (mulberry32), so the same request gives the same object. */
export function seededRandom(seed: Uint8Array | number): () => number {
  let a =
    typeof seed === 'number'
      ? seed >>> 0
      : ((seed[0] ?? 1) | ((seed[1] ?? 2) << 8) | ((seed[2] ?? 3) << 16) | ((seed[3] ?? 4) << 24)) >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A value that validates against `schema`. */
export function sampleFromSchema(schema: unknown, seed: Uint8Array | number = 1): unknown {
  const root = isSchema(schema) ? schema : {}
  return sample(root, { root, rand: seededRandom(seed), depth: 0 })
}

/**
 * A value that does NOT validate against `schema`: an object missing its required properties and
 * with its first property of the wrong type, or a value of the wrong type.
 */
export function violateSchema(schema: unknown, seed: Uint8Array | number = 1): unknown {
  const root = isSchema(schema) ? schema : {}
  const resolved = resolve(root, root)
  const types = typesOf(resolved)
  if (types.includes('object') || resolved.properties !== undefined) {
    const valid = sample(resolved, { root, rand: seededRandom(seed), depth: 0 })
    const broken: Record<string, unknown> = isRecord(valid) ? { ...valid } : {}
    const required = Array.isArray(resolved.required) ? (resolved.required as string[]) : []
    for (const key of required.slice(1)) delete broken[key]
    const first = required[0] ?? Object.keys(isSchema(resolved.properties) ? resolved.properties : {})[0]
    if (first !== undefined) {
      const propSchema = isSchema(resolved.properties) ? resolve(root, asSchema(resolved.properties[first])) : {}
      broken[first] = wrongTypeFor(propSchema)
    } else {
      return 'not an object'
    }
    return broken
  }
  return wrongTypeFor(resolved)
}

function wrongTypeFor(schema: JsonSchema): unknown {
  const types = typesOf(schema)
  if (types.includes('string')) return { unexpected: true }
  return 'unexpected string'
}

function sample(input: JsonSchema, ctx: Ctx): unknown {
  const schema = resolve(ctx.root, input)
  if ('const' in schema) return schema.const
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return pick(schema.enum, ctx)
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    return sample(
      mergeAll(
        schema.allOf.map((s) => resolve(ctx.root, asSchema(s))),
        schema,
      ),
      ctx,
    )
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key]
    if (Array.isArray(options) && options.length > 0) {
      // Prefer a non-null branch: a real model answers with content when it can.
      const branch =
        options.map(asSchema).find((s) => !typesOf(resolve(ctx.root, s)).every((t) => t === 'null')) ??
        asSchema(options[0])
      const { [key]: _omit, ...rest } = schema
      return sample({ ...rest, ...resolve(ctx.root, branch) }, ctx)
    }
  }
  const types = typesOf(schema)
  const type = types.find((t) => t !== 'null') ?? types[0] ?? guessType(schema)
  switch (type) {
    case 'object':
      return sampleObject(schema, ctx)
    case 'array':
      return sampleArray(schema, ctx)
    case 'string':
      return sampleString(schema, ctx)
    case 'integer':
      return sampleNumber(schema, ctx, true)
    case 'number':
      return sampleNumber(schema, ctx, false)
    case 'boolean':
      return ctx.rand() < 0.5
    case 'null':
      return null
    default:
      return ctx.depth > 0 ? 'value' : {}
  }
}

function sampleObject(schema: JsonSchema, ctx: Ctx): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const properties = isSchema(schema.properties) ? schema.properties : {}
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : [])
  // Every declared property is filled (OpenAI strict mode requires them all; it is valid anyway),
  // except optional ones below a depth that would recurse forever.
  for (const [key, prop] of Object.entries(properties)) {
    if (ctx.depth > 6 && !required.has(key)) continue
    out[key] = sample(asSchema(prop), { ...ctx, depth: ctx.depth + 1 })
  }
  for (const key of required) {
    if (!(key in out)) out[key] = 'value'
  }
  const min = typeof schema.minProperties === 'number' ? schema.minProperties : 0
  for (let i = Object.keys(out).length; i < min; i += 1) {
    out[`extra_${i}`] = isSchema(schema.additionalProperties)
      ? sample(schema.additionalProperties, { ...ctx, depth: ctx.depth + 1 })
      : 'value'
  }
  return out
}

function sampleArray(schema: JsonSchema, ctx: Ctx): unknown[] {
  const min = typeof schema.minItems === 'number' ? schema.minItems : 0
  const max = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems.map(asSchema) : []
  // Three items unless bounded otherwise: providers that drop minItems/maxItems (Gemini's schema
  // subset) still tend to satisfy the caller's own bounds.
  // Deep down (recursive schemas), only as many as required.
  const count = Math.max(min, prefix.length, ctx.depth > 4 ? 0 : Math.min(max, 3))
  const itemSchema = isSchema(schema.items) ? schema.items : {}
  const items: unknown[] = []
  const seen = new Set<string>()
  for (let i = 0; i < count; i += 1) {
    const s = prefix[i] ?? itemSchema
    let value = sample(s, { ...ctx, depth: ctx.depth + 1 })
    if (schema.uniqueItems === true) {
      for (let tries = 0; seen.has(JSON.stringify(value)) && tries < 20; tries += 1)
        value = sample(s, { ...ctx, depth: ctx.depth + 1 })
      seen.add(JSON.stringify(value))
    }
    items.push(value)
  }
  return items
}

function sampleString(schema: JsonSchema, ctx: Ctx): string {
  const n = Math.floor(ctx.rand() * 1_000_000)
  let value: string
  switch (schema.format) {
    case 'date-time':
      value = new Date(Date.UTC(2025, 0, 1) + n * 60_000).toISOString()
      break
    case 'date':
      value = new Date(Date.UTC(2025, 0, 1) + (n % 3650) * 86_400_000).toISOString().slice(0, 10)
      break
    case 'time':
      value = '12:00:00'
      break
    case 'email':
      value = `user${n}@example.com`
      break
    case 'uri':
    case 'url':
      value = `https://example.com/${n}`
      break
    case 'uuid':
      value = `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`
      break
    case 'ipv4':
      value = `10.0.${n % 256}.${(n >> 8) % 256}`
      break
    default: {
      const words = 2 + Math.floor(ctx.rand() * 5)
      value = Array.from({ length: words }, () => pick(WORDS, ctx)).join(' ')
      value = value.charAt(0).toUpperCase() + value.slice(1)
    }
  }
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity
  while (value.length < minLength) value += ` ${pick(WORDS, ctx)}`
  if (value.length > maxLength) value = value.slice(0, maxLength).trimEnd().padEnd(Math.min(minLength, maxLength), 'x')
  return value
}

function sampleNumber(schema: JsonSchema, ctx: Ctx, integer: boolean): number {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
  // draft-4 style boolean exclusives and draft-6+ numeric ones
  const exMin = num(schema.exclusiveMinimum)
  const exMax = num(schema.exclusiveMaximum)
  let low = num(schema.minimum) ?? (exMin !== undefined ? exMin : undefined)
  let high = num(schema.maximum) ?? (exMax !== undefined ? exMax : undefined)
  const lowExclusive = exMin !== undefined || schema.exclusiveMinimum === true
  const highExclusive = exMax !== undefined || schema.exclusiveMaximum === true
  if (low === undefined && high === undefined) {
    // Unbounded: stay within 1–5, the product's score scale, since some providers (Gemini's schema
    // subset) drop minimum/maximum before the model ever sees them.
    low = 1
    high = 5
  } else if (low === undefined) {
    low = (high as number) - 100
  } else if (high === undefined) {
    high = low + 100
  }
  let lo = low
  let hi = high as number
  if (integer) {
    lo = lowExclusive ? Math.floor(lo) + 1 : Math.ceil(lo)
    hi = highExclusive ? Math.ceil(hi) - 1 : Math.floor(hi)
    if (hi < lo) return lo
    const multiple = num(schema.multipleOf)
    let value = lo + Math.floor(ctx.rand() * (hi - lo + 1))
    if (multiple !== undefined && multiple > 0 && Number.isInteger(multiple)) {
      const first = Math.ceil(lo / multiple) * multiple
      const steps = Math.max(0, Math.floor((hi - first) / multiple))
      value = first + Math.floor(ctx.rand() * (steps + 1)) * multiple
    }
    return value
  }
  const multiple = num(schema.multipleOf)
  if (multiple !== undefined && multiple > 0) {
    const first = Math.ceil(lo / multiple) * multiple
    const steps = Math.max(0, Math.floor((hi - first) / multiple))
    return Number((first + Math.floor(ctx.rand() * (steps + 1)) * multiple).toFixed(10))
  }
  const span = hi - lo
  // Two decimals, strictly inside exclusive bounds.
  let value = Math.round((lo + ctx.rand() * span) * 100) / 100
  if (value < lo || (lowExclusive && value <= lo)) value = lo + span / 2
  if (value > hi || (highExclusive && value >= hi)) value = lo + span / 2
  return value
}

function resolve(root: JsonSchema, schema: JsonSchema, seen = 0): JsonSchema {
  const ref = schema.$ref
  if (typeof ref !== 'string' || seen > 20) return schema
  const target = resolvePointer(root, ref)
  const { $ref: _ref, ...rest } = schema
  return resolve(root, { ...target, ...rest }, seen + 1)
}

function resolvePointer(root: JsonSchema, ref: string): JsonSchema {
  if (ref === '#') return root
  if (!ref.startsWith('#/')) return {}
  let node: unknown = root
  for (const part of ref.slice(2).split('/')) {
    const key = decodeURIComponent(part.replace(/~1/g, '/').replace(/~0/g, '~'))
    node = isRecord(node) ? node[key] : undefined
  }
  return isSchema(node) ? node : {}
}

function mergeAll(parts: JsonSchema[], base: JsonSchema): JsonSchema {
  const { allOf: _allOf, ...rest } = base
  const merged: JsonSchema = { ...rest }
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (key === 'properties' && isSchema(merged.properties) && isSchema(value))
        merged.properties = { ...merged.properties, ...value }
      else if (key === 'required' && Array.isArray(merged.required) && Array.isArray(value))
        merged.required = [...merged.required, ...value]
      else merged[key] = value
    }
  }
  return merged
}

function typesOf(schema: JsonSchema): string[] {
  const t = schema.type
  const list = Array.isArray(t) ? t : typeof t === 'string' ? [t] : []
  const types = list.map((x) => String(x).toLowerCase())
  if (schema.nullable === true && !types.includes('null')) types.push('null')
  return types
}

function guessType(schema: JsonSchema): string | undefined {
  if (schema.properties !== undefined || schema.additionalProperties !== undefined) return 'object'
  if (schema.items !== undefined || schema.prefixItems !== undefined) return 'array'
  if (schema.minimum !== undefined || schema.maximum !== undefined) return 'number'
  if (schema.minLength !== undefined || schema.maxLength !== undefined || schema.format !== undefined) return 'string'
  return undefined
}

function pick<T>(list: readonly T[], ctx: Ctx): T {
  return list[Math.floor(ctx.rand() * list.length)] as T
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isSchema(v: unknown): v is JsonSchema {
  return isRecord(v)
}

function asSchema(v: unknown): JsonSchema {
  return isSchema(v) ? v : {}
}
