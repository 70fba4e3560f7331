import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ValidationError, type FieldIssue } from '../../errors.ts'

/**
 * One input-sanitising layer for every route (the OpenAI-compatible `/v1` API included), run after
 * the body is parsed and before schema validation: a request whose input the database, a provider
 * or a log line could choke on is refused with a 400 naming the field, never passed on.
 *
 * - Control characters (NUL, ESC, DEL, …) anywhere; tab, newline and carriage return are allowed
 *   in free text of a JSON body only, never in path parameters, the query string, object keys or
 *   single-line fields (a model name with CR/LF must not reach an upstream request).
 * - Lone UTF-16 surrogates (`"\ud800"` in JSON): not valid Unicode, refused by PostgreSQL's text.
 * - Numbers that are not finite (JSON's `1e400` parses to Infinity) or beyond ±2^53, and token
 *   counts beyond what any model takes (`max_tokens: 1e12` would overflow the limiter's counters).
 * - Nesting deeper than `MAX_DEPTH` (a recursion hazard for every later walk of the body).
 */

/** Deeper bodies are refused: no contract nests more than a few levels. */
export const MAX_DEPTH = 32

/** Body fields that hold one line: tab, CR and LF are refused there too. */
const SINGLE_LINE = new Set([
  'model',
  'email',
  'name',
  'provider',
  'feature',
  'role',
  'tier',
  'type',
  'id',
  'industry',
  'companySize',
  'revenueRange',
  'requestId',
  'versionId',
  'route',
  'user',
])

/** Fields counting tokens or choices: a model takes at most about a million. */
const COUNT_CAPS: Record<string, number> = {
  max_tokens: 1_000_000,
  max_completion_tokens: 1_000_000,
  max_output_tokens: 1_000_000,
  maxTokens: 1_000_000,
  n: 128,
  top_k: 1_000_000,
  top_logprobs: 100,
}

// eslint-disable-next-line no-control-regex
const SUSPECT = /[\u0000-\u001f\u007f\ud800-\udfff]/
// eslint-disable-next-line no-control-regex
const CONTROL_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/
// eslint-disable-next-line no-control-regex
const CONTROL_ANY = /[\u0000-\u001f\u007f]/

/** Why a string is refused, or undefined when it is fine. */
function stringProblem(value: string, multiline: boolean): FieldIssue['code'] | undefined {
  if (!SUSPECT.test(value)) return undefined
  if ((multiline ? CONTROL_MULTILINE : CONTROL_ANY).test(value)) return 'control_character'
  if (!value.isWellFormed()) return 'lone_surrogate'
  return undefined
}

const MESSAGES: Record<string, string> = {
  control_character: 'contains a control character',
  lone_surrogate: 'contains an unpaired UTF-16 surrogate (not valid Unicode)',
  number_out_of_range: 'is out of range',
  too_deep: `is nested deeper than ${MAX_DEPTH} levels`,
}

function issue(field: string, code: string, detail?: string): FieldIssue {
  return { field, code, message: detail ?? MESSAGES[code] ?? 'is invalid' }
}

/** The first problem in a parsed value (depth-first), with the dotted path of the field at fault. */
export function findInputProblem(
  value: unknown,
  path: string,
  options: { multiline: boolean; key?: string; depth?: number },
): FieldIssue | undefined {
  const depth = options.depth ?? 0
  if (typeof value === 'string') {
    const multiline = options.multiline && !(options.key !== undefined && SINGLE_LINE.has(options.key))
    const code = stringProblem(value, multiline)
    return code ? issue(path, code) : undefined
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER)
      return issue(path, 'number_out_of_range', `is out of range (at most ${Number.MAX_SAFE_INTEGER} in magnitude)`)
    const cap = options.key !== undefined ? COUNT_CAPS[options.key] : undefined
    if (cap !== undefined && Math.abs(value) > cap)
      return issue(path, 'number_out_of_range', `is out of range (at most ${cap})`)
    return undefined
  }
  if (value === null || typeof value !== 'object') return undefined
  if (depth >= MAX_DEPTH) return issue(path, 'too_deep')
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      // An array's items are named by their parent key.
      const found = findInputProblem(value[i], `${path}.${i}`, {
        multiline: options.multiline,
        key: options.key,
        depth: depth + 1,
      })
      if (found) return found
    }
    return undefined
  }
  // Only plain parsed objects: buffers, streams and multipart parts are someone else's to check.
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) return undefined
  for (const key of Object.keys(value)) {
    const keyCode = stringProblem(key, false)
    if (keyCode)
      return issue(`${path}.${JSON.stringify(key).slice(1, -1)}`, keyCode, `has a key that ${MESSAGES[keyCode]}`)
    const found = findInputProblem((value as Record<string, unknown>)[key], `${path}.${key}`, {
      multiline: options.multiline,
      key,
      depth: depth + 1,
    })
    if (found) return found
  }
  return undefined
}

/** Throws a 400 `validation_failed` naming the first field at fault in params, query or body. */
export function assertCleanInput(request: Pick<FastifyRequest, 'params' | 'query' | 'body'>): void {
  const found =
    findInputProblem(request.params, 'params', { multiline: false }) ??
    findInputProblem(request.query, 'querystring', { multiline: false }) ??
    findInputProblem(request.body, 'body', { multiline: true })
  if (found) throw new ValidationError([found])
}

/**
 * Registers the layer on the root instance: it runs for every route, before each route's schema
 * validation, and the error reaches whichever error handler the route's scope has (so `/v1`
 * answers in OpenAI's shape).
 */
export function registerInputSanitizing(app: FastifyInstance) {
  app.addHook('preValidation', async (request) => {
    assertCleanInput(request)
  })
}
