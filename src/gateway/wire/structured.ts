import { z } from 'zod'
import type { ChatCompletionBody } from './openai-chat.ts'

/**
 * Structured output on `/v1`, checked as features are: `response_format: json_object` must answer a
 * JSON object; `json_schema` with `strict: true` must satisfy its schema. The caller makes one
 * repair attempt with the error, then routes on (an invalid answer is never returned).
 */
export type OutputCheck = (text: string) => { ok: true } | { ok: false; error: string }

const validators = new WeakMap<object, z.ZodType | undefined>()

/** A JSON schema as a zod validator, built once per schema object (undefined when zod cannot read it). */
export function validatorOf(schema: Record<string, unknown>): z.ZodType | undefined {
  if (!validators.has(schema)) {
    let validator: z.ZodType | undefined
    try {
      validator = z.fromJSONSchema(schema as never)
    } catch {
      validator = undefined
    }
    validators.set(schema, validator)
  }
  return validators.get(schema)
}

/** Model text as JSON, a Markdown fence around it tolerated; `ok: false` when it is not JSON. */
export function parseAnswerJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return {
      ok: true,
      value: JSON.parse(
        text
          .trim()
          .replace(/^```(?:json)?\s*/i, '')
          .replace(/\s*```$/, ''),
      ) as unknown,
    }
  } catch {
    return { ok: false }
  }
}

/** The check a request asks for, or undefined (plain text, or a json_schema that is not strict). */
export function outputCheck(body: ChatCompletionBody): OutputCheck | undefined {
  const format = body.response_format
  if (!format || format.type === 'text') return undefined
  if (format.type === 'json_schema' && format.json_schema.strict !== true) return undefined
  const schema = format.type === 'json_schema' ? format.json_schema.schema : undefined
  const validator = schema ? validatorOf(schema) : undefined
  return (text) => {
    const json = parseAnswerJson(text)
    if (!json.ok) return { ok: false, error: 'the answer is not valid JSON' }
    const parsed = json.value
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      return { ok: false, error: 'the answer is not a JSON object' }
    if (!validator) return { ok: true }
    const result = validator.safeParse(parsed)
    if (result.success) return { ok: true }
    return {
      ok: false,
      error: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
    }
  }
}

/** The user message of the one repair attempt. */
export const repairMessage = (error: string) =>
  `That answer is invalid: ${error}. Reply with only the corrected JSON that satisfies the requested format.`

/**
 * A stream's answer cannot be repaired (it was sent as it came), so it is checked when it ends:
 * an answer that fails its response_format ends with this error event instead of `[DONE]`, the
 * ledger records `invalid_output`, and the client knows not to trust what it received.
 */
export const invalidStreamEvent = (error: string) =>
  `data: ${JSON.stringify({ error: { message: `The streamed answer failed its response_format: ${error}`.slice(0, 600), type: 'invalid_response_error', param: 'response_format', code: 'invalid_output' } })}\n\n`
