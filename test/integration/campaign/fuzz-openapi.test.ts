import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts'
import { BACKENDS } from '../../helpers/backends.ts'
import { userWithKey } from '../../helpers/gateway.ts'

/**
 * The fuzzing part of the reliability campaign (issue 17, docs/RELIABILITY.md): every operation of
 * the built app's own /openapi.json, with input generated from its schemas — valid values, wrong
 * types, missing and extra fields, huge strings and arrays, deep nesting, odd Unicode, injection
 * strings, path traversal, bad content types. Promise: never a 5xx, never a stack, SQL or secret
 * in a body. Bounded (RUNS per operation) so it stays a CI test; `npm run chaos` runs it larger.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 12)
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined
const JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789'
/** Operations that cannot be fuzzed by inject: a stream that never ends by itself. */
const SKIP = new Set(['get /api/realtime/stream'])
/** Operations that end the caller's session: fuzzed with a throwaway account. */
const DESTRUCTIVE = new Set(['post /api/auth/logout', 'delete /api/me'])

type Schema = {
  $ref?: string
  type?: string | string[]
  enum?: unknown[]
  const?: unknown
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  minimum?: number
  maximum?: number
  maxLength?: number
  format?: string
  additionalProperties?: boolean | Schema
}
type Parameter = { name: string; in: 'path' | 'query' | 'header'; schema?: Schema; required?: boolean }
type Operation = { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }
type Spec = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } }

let deep: unknown = 'bottom'
for (let i = 0; i < 200; i++) deep = { nested: deep }
const NASTY: unknown[] = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u001b[31m',
  'line\r\nx-injected: 1',
  "' OR '1'='1' --",
  "'; drop table users; --",
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%00',
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '😀'.repeat(2_000),
  '\u202e\u0301\ufeff',
  'x'.repeat(200_000),
  Array.from({ length: 5_000 }, () => 'a'),
  deep,
  1e308,
  -1e308,
  1e12,
  -1,
  0,
  2 ** 53 + 2,
  0.1,
  true,
  null,
  [],
  {},
  { __proto__: { admin: true } },
  { constructor: { prototype: { polluted: true } } },
]

describe.skipIf(BACKENDS.length === 0)('fuzzing every OpenAPI operation', () => {
  // One backend is enough for the fuzzing (the other promises run on both): PostgreSQL when here.
  const backend = BACKENDS.includes('postgres') ? 'postgres' : 'pglite'
  let t: TestApp
  let spec: Spec
  let auth: { user: Record<string, string>; admin: Record<string, string>; v1: Record<string, string> }
  const tally = {
    requests: 0,
    byStatus: new Map<number, number>(),
    fiveXX: [] as string[],
    leaks: [] as string[],
    unconfigured: 0,
  }

  beforeAll(async () => {
    t = await startTestApp(backend, { OPTIMALIQ_ADMIN_EMAILS: 'admin@example.com', AI_LEDGER_FLUSH_MS: '50' })
    const user = await userWithKey(t.app)
    const admin = await signUp(t.app, { email: 'admin@example.com' })
    auth = { user: user.auth, admin: admin.auth, v1: user.v1 }
    spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Spec
  })
  afterAll(async () => {
    const statuses = [...tally.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}:${n}`)
    console.warn(
      `[campaign] fuzz on ${backend}: ${tally.requests} requests, 5xx ${tally.fiveXX.length}, leaks ${tally.leaks.length}; statuses ${statuses.join(' ')}`,
    )
    await t?.close()
  })

  const resolve = (schema: Schema | undefined): Schema => {
    let s = schema ?? {}
    for (let i = 0; i < 10 && s.$ref; i++) s = spec.components?.schemas?.[s.$ref.split('/').pop()!] ?? {}
    return s
  }

  /** Values that fit the schema (roughly), so requests get past validation into the handlers. */
  const fitting = (raw: Schema | undefined, depth = 0): fc.Arbitrary<unknown> => {
    const schema = resolve(raw)
    if (depth > 4) return fc.constant(null)
    if (schema.const !== undefined) return fc.constant(schema.const)
    if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum)
    const alternatives = schema.anyOf ?? schema.oneOf
    if (alternatives && alternatives.length > 0) return fc.oneof(...alternatives.map((a) => fitting(a, depth + 1)))
    if (schema.allOf && schema.allOf.length > 0) return fitting(schema.allOf[0], depth + 1)
    const type = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type
    switch (type) {
      case 'string':
        if (schema.format === 'uuid') return fc.uuid()
        if (schema.format === 'email') return fc.emailAddress()
        if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString())
        return fc.string({ maxLength: Math.min(schema.maxLength ?? 40, 40) })
      case 'integer':
        return fc.integer({ min: Math.max(schema.minimum ?? -5, -1e6), max: Math.min(schema.maximum ?? 200, 1e6) })
      case 'number':
        return fc.double({
          min: Math.max(schema.minimum ?? -5, -1e6),
          max: Math.min(schema.maximum ?? 200, 1e6),
          noNaN: true,
        })
      case 'boolean':
        return fc.boolean()
      case 'array':
        return fc.array(fitting(schema.items, depth + 1), { maxLength: 3 })
      case 'object': {
        const props = Object.entries(schema.properties ?? {})
        if (props.length === 0)
          return fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 })
        return fc.record(Object.fromEntries(props.map(([k, v]) => [k, value(v, depth + 1)])), {
          requiredKeys: (schema.required ?? []).filter((k) => schema.properties?.[k]),
        })
      }
      default:
        return fc.constant(null)
    }
  }
  /** Mostly fitting, sometimes hostile. */
  const value = (schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> =>
    fc.oneof(
      { weight: 4, arbitrary: fitting(schema, depth) },
      { weight: 1, arbitrary: fc.constantFrom(...NASTY) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    )

  /** A whole body: fitting, with a field dropped or added, or replaced by something else entirely. */
  const body = (
    schema: Schema | undefined,
  ): fc.Arbitrary<{ payload: string | undefined; contentType: string | undefined }> => {
    const json = (v: unknown) => ({ payload: JSON.stringify(v) ?? 'null', contentType: 'application/json' })
    return fc.oneof(
      { weight: 5, arbitrary: value(schema).map(json) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fitting(schema), fc.string({ maxLength: 12 }), fc.constantFrom(...NASTY))
          .map(([v, k, x]) => json(v && typeof v === 'object' && !Array.isArray(v) ? { ...v, [k || 'extra']: x } : v)),
      },
      { weight: 1, arbitrary: fc.constantFrom(...NASTY).map(json) },
      {
        weight: 1,
        arbitrary: fc
          .string({ maxLength: 200, unit: 'binary' })
          .map((s) => ({ payload: s, contentType: 'application/json' })),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/xml',
            'application/json; charset=utf-16',
            'application/json\u0000',
          )
          .chain((contentType) => fc.string({ maxLength: 100 }).map((payload) => ({ payload, contentType }))),
      },
      { weight: 1, arbitrary: fc.constant({ payload: undefined, contentType: undefined }) },
    )
  }

  const pathValue = fc.oneof(
    { weight: 3, arbitrary: fc.uuid() },
    {
      weight: 2,
      arbitrary: fc.constantFrom('sales', 'growth', 'ai_readiness', 'default', 'high_error_rate', '1', '0', '-1'),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '..%2F..%2Fetc%2Fpasswd',
        '%00',
        '%E0%A4%A',
        '%ff',
        'a'.repeat(500),
        "'%20OR%201=1--",
        '%0d%0aX-Injected:%201',
        '%F0%9F%98%80',
        '..',
        '.',
      ),
    },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent) },
  )

  const leaksIn = (text: string): string | undefined => {
    if (text.includes(JWT_SECRET)) return 'JWT secret'
    if (/scrypt\$\d/.test(text)) return 'password hash'
    if (/\n\s+at .+:\d+:\d+/.test(text) || /at (?:async )?\S+ \(.+:\d+:\d+\)/.test(text)) return 'stack trace'
    if (/Failed query|DrizzleQueryError|syntax error at or near|relation ".+" does not exist/.test(text)) return 'SQL'
    return undefined
  }

  it('answers every operation with generated input without a 5xx or a leak', async () => {
    const operations = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ method, path, op })),
    )
    expect(operations.length).toBeGreaterThan(30)
    for (const { method, path, op } of operations) {
      const key = `${method} ${path}`
      if (SKIP.has(key)) continue
      const params = (op.parameters ?? []).filter((p) => p.in === 'path')
      const query = (op.parameters ?? []).filter((p) => p.in === 'query')
      const bodySchema = op.requestBody?.content?.['application/json']?.schema
      const who = path.startsWith('/v1') ? 'v1' : path.startsWith('/api/admin') ? 'admin' : 'user'
      const request = fc.record({
        params: fc.tuple(...params.map(() => pathValue)),
        query: fc.tuple(...query.map((q) => fc.option(value(q.schema), { nil: undefined }))),
        body:
          method === 'get' || method === 'delete'
            ? fc.constant({ payload: undefined, contentType: undefined })
            : body(bodySchema),
        signedIn: fc.boolean().map((b) => b || fc.sample(fc.boolean(), 1)[0]!),
      })
      await fc
        .assert(
          fc.asyncProperty(request, async (r) => {
            let url = path
            params.forEach((p, i) => (url = url.replace(`{${p.name}}`, r.params[i]!)))
            const qs = query
              .map((q, i) =>
                r.query[i] === undefined
                  ? undefined
                  : `${encodeURIComponent(q.name)}=${encodeURIComponent(typeof r.query[i] === 'string' ? (r.query[i] as string) : JSON.stringify(r.query[i]))}`,
              )
              .filter(Boolean)
              .join('&')
            if (qs) url += `?${qs.slice(0, 4_000)}`
            let headers: Record<string, string> = r.signedIn ? { ...auth[who] } : {}
            if (DESTRUCTIVE.has(key)) headers = (await signUp(t.app)).auth
            if (r.body.contentType) headers['content-type'] = r.body.contentType
            const response = await t.app.inject({
              method: method.toUpperCase() as 'GET',
              url,
              headers,
              ...(r.body.payload !== undefined ? { payload: r.body.payload } : {}),
            })
            tally.requests += 1
            tally.byStatus.set(response.statusCode, (tally.byStatus.get(response.statusCode) ?? 0) + 1)
            const leak = leaksIn(response.body)
            // The one 5xx that is an answer, not a fault: this server has no AI provider configured
            // (the embedded default), which /v1 says with 503 ai_unavailable in OpenAI's shape.
            const unconfigured = response.statusCode === 503 && response.body.includes('"code":"ai_unavailable"')
            if (unconfigured) tally.unconfigured += 1
            if (response.statusCode >= 500 && !unconfigured)
              tally.fiveXX.push(`${key} ${url.slice(0, 120)} → ${response.statusCode} ${response.body.slice(0, 200)}`)
            if (leak) tally.leaks.push(`${key} ${url.slice(0, 120)} → ${leak}`)
            return (response.statusCode < 500 || unconfigured) && !leak
          }),
          { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: true },
        )
        .catch(() => undefined) // every failure is collected in the tally, reported below
    }
    expect(tally.fiveXX).toEqual([])
    expect(tally.leaks).toEqual([])
  }, 600_000)
})
