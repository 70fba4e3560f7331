import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { sampleFromSchema, seededRandom, violateSchema } from './json-schema-sample.ts'

const Node: z.ZodType<{ name: string; children: { name: string; children: unknown[] }[] }> = z.lazy(() =>
  z.object({ name: z.string(), children: z.array(Node).max(2) }),
)

const SCHEMAS: Record<string, z.ZodType> = {
  scores: z.object({
    strategy: z.number().min(1).max(5),
    process: z.int().min(1).max(5),
    technology: z.number().gt(1).lt(2),
    insights: z.string().min(20).max(40),
  }),
  formats: z.object({
    email: z.email(),
    id: z.uuid(),
    at: z.iso.datetime(),
    day: z.iso.date(),
    site: z.url(),
    ip: z.ipv4(),
  }),
  arrays: z.object({
    five: z.array(z.string()).length(5),
    some: z.array(z.int().multipleOf(5).min(3).max(40)).min(1).max(2),
    unique: z
      .array(z.enum(['a', 'b', 'c']))
      .min(3)
      .max(3),
  }),
  unions: z.object({
    either: z.union([z.string(), z.number()]),
    maybe: z.string().nullable(),
    optional: z.boolean().optional(),
    lit: z.literal('fixed'),
    pair: z.tuple([z.string(), z.int()]),
  }),
  records: z.object({ tags: z.record(z.string(), z.number()), step: z.number().multipleOf(0.5).min(0).max(3) }),
  intersection: z.intersection(z.object({ a: z.string() }), z.object({ b: z.int() })),
  recursive: Node,
  topLevelArray: z.array(z.object({ x: z.number() })).min(2),
}

describe('sampleFromSchema', () => {
  it.each(Object.entries(SCHEMAS))('satisfies %s for any seed', (_name, schema) => {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' })
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const value = sampleFromSchema(json, seed)
        const result = schema.safeParse(value)
        if (!result.success) throw new Error(`${JSON.stringify(value)}: ${result.error.message}`)
      }),
      { numRuns: 40 },
    )
  })

  it('is deterministic per seed and varies across seeds', () => {
    const json = z.toJSONSchema(SCHEMAS.scores as z.ZodType)
    expect(sampleFromSchema(json, 7)).toEqual(sampleFromSchema(json, 7))
    const distinct = new Set(Array.from({ length: 20 }, (_, i) => JSON.stringify(sampleFromSchema(json, i))))
    expect(distinct.size).toBeGreaterThan(10)
    expect(seededRandom(new Uint8Array([1, 2, 3, 4]))()).toBe(seededRandom(new Uint8Array([1, 2, 3, 4]))())
  })

  it('handles draft-4 bounds, Google OpenAPI upper-case types, $ref to definitions, and empty schemas', () => {
    const value = sampleFromSchema({
      type: 'OBJECT',
      nullable: true,
      properties: { n: { type: 'NUMBER', minimum: 2, maximum: 3, exclusiveMinimum: true } },
      required: ['n'],
    }) as { n: number }
    expect(value.n).toBeGreaterThan(2)
    expect(value.n).toBeLessThanOrEqual(3)
    expect(
      sampleFromSchema({ definitions: { s: { type: 'string', maxLength: 3 } }, $ref: '#/definitions/s' }),
    ).toHaveLength(3)
    expect(sampleFromSchema({ $ref: 'http://elsewhere/schema' })).toEqual({})
    expect(sampleFromSchema(undefined)).toEqual({})
    expect(sampleFromSchema({ type: 'null' })).toBeNull()
    expect(sampleFromSchema({ minimum: 10 })).toBeGreaterThanOrEqual(10)
    expect(sampleFromSchema({ maximum: -10, type: 'integer' })).toBeLessThanOrEqual(-10)
    expect(sampleFromSchema({ type: 'integer', minimum: 3, maximum: 2 })).toBe(3)
    expect(
      sampleFromSchema({
        type: 'object',
        properties: { x: {} },
        minProperties: 3,
        additionalProperties: { type: 'integer' },
      }),
    ).toMatchObject({ x: 'value', extra_1: expect.any(Number) })
    expect(sampleFromSchema({ type: 'object', required: ['y'] })).toEqual({ y: 'value' })
    expect(sampleFromSchema({ type: 'string', format: 'time' })).toBe('12:00:00')
    expect(sampleFromSchema({ anyOf: [{ type: 'null' }] })).toBeNull()
  })
})

describe('violateSchema', () => {
  it.each(['scores', 'formats', 'arrays', 'unions', 'intersection', 'topLevelArray'])('breaks %s', (name) => {
    const schema = SCHEMAS[name] as z.ZodType
    const json = z.toJSONSchema(schema)
    expect(schema.safeParse(violateSchema(json, 3)).success).toBe(false)
  })

  it('breaks strings and objects without properties', () => {
    expect(z.string().safeParse(violateSchema({ type: 'string' })).success).toBe(false)
    expect(violateSchema({ type: 'object' })).toBe('not an object')
    expect(violateSchema(undefined)).toBe('unexpected string')
  })
})
