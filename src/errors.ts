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

/** The database's own message of a driver error, unwrapped from Drizzle's `cause`. */
export function pgErrorMessage(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause
  return cause instanceof Error ? cause.message : error instanceof Error ? error.message : undefined
}
