/**
 * One error family with stable codes. HTTP maps each code to a status in one place
 * (`http/plugins/errors.ts`); everything else throws these and never a string.
 */
export type ErrorDetails = Record<string, unknown> | ReadonlyArray<unknown>

export class OptimaliqError extends Error {
  readonly code: string
  readonly status: number
  readonly details: ErrorDetails | undefined
  readonly headers: Record<string, string> | undefined

  constructor(
    code: string,
    message: string,
    options: { status?: number; details?: ErrorDetails; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.status = options.status ?? 500
    this.details = options.details
    this.headers = options.headers
  }
}

/** One field at fault, as listed under `details` of a `validation_failed` error. */
export type FieldIssue = { field: string; message: string; code?: string }

export class ValidationError extends OptimaliqError {
  readonly issues: FieldIssue[]
  constructor(issues: FieldIssue[], message = describeIssues(issues)) {
    super('validation_failed', message, { status: 400, details: issues })
    this.issues = issues
  }
}

function describeIssues(issues: FieldIssue[]): string {
  const fields = [...new Set(issues.map((i) => i.field))]
  return fields.length === 1
    ? `Invalid value for ${fields[0]}: ${issues[0]?.message ?? 'invalid'}`
    : `Invalid values for ${fields.length} fields: ${fields.join(', ')}`
}

export class NotFoundError extends OptimaliqError {
  constructor(what: string, code = 'not_found') {
    super(code, `${what} not found`, { status: 404 })
  }
}

export class UnauthorizedError extends OptimaliqError {
  constructor(message = 'Authentication required', code = 'unauthorized') {
    super(code, message, { status: 401 })
  }
}

export class ForbiddenError extends OptimaliqError {
  constructor(message = 'You do not have access to this resource') {
    super('forbidden', message, { status: 403 })
  }
}

export class ConflictError extends OptimaliqError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(code, message, { status: 409, ...(details ? { details } : {}) })
  }
}

/** Postgres SQLSTATE codes we branch on, by name. */
export const PG_ERROR = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
  CHECK_VIOLATION: '23514',
  INSUFFICIENT_PRIVILEGE: '42501',
  SERIALIZATION_FAILURE: '40001',
  LOCK_NOT_AVAILABLE: '55P03',
  NUMERIC_VALUE_OUT_OF_RANGE: '22003',
  CHARACTER_NOT_IN_REPERTOIRE: '22021',
  UNTRANSLATABLE_CHARACTER: '22P05',
  INVALID_TEXT_REPRESENTATION: '22P02',
  STRING_DATA_RIGHT_TRUNCATION: '22001',
} as const

/** The SQLSTATE of a driver error (pg and PGlite expose `code`; Drizzle wraps them in `cause`). */
export function pgErrorCode(error: unknown): string | undefined {
  for (
    let e = error, depth = 0;
    typeof e === 'object' && e !== null && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
  }
  return undefined
}

/** The database's own message of a driver error, unwrapped from Drizzle's `cause`. */
export function pgErrorMessage(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause
  return cause instanceof Error ? cause.message : error instanceof Error ? error.message : undefined
}
