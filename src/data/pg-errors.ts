/** Postgres SQLSTATE codes we branch on, by name (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
export const PG_ERROR = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
  CHECK_VIOLATION: '23514',
  INSUFFICIENT_PRIVILEGE: '42501',
  SERIALIZATION_FAILURE: '40001',
  DEADLOCK_DETECTED: '40P01',
  LOCK_NOT_AVAILABLE: '55P03',
  QUERY_CANCELED: '57014',
  NUMERIC_VALUE_OUT_OF_RANGE: '22003',
  CHARACTER_NOT_IN_REPERTOIRE: '22021',
  UNTRANSLATABLE_CHARACTER: '22P05',
  INVALID_TEXT_REPRESENTATION: '22P02',
  STRING_DATA_RIGHT_TRUNCATION: '22001',
} as const

export type PgErrorCode = (typeof PG_ERROR)[keyof typeof PG_ERROR]

const SQLSTATE = /^[0-9A-Z]{5}$/

/** The SQLSTATE of a driver error (pg and PGlite expose `code`; Drizzle wraps them in `cause`). */
export function pgErrorCode(error: unknown): string | undefined {
  for (
    let e = error, depth = 0;
    typeof e === 'object' && e !== null && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && SQLSTATE.test(code)) return code
  }
  return undefined
}

/**
 * Whether the database itself answered with an error (any SQLSTATE), so the statement's
 * transaction rolled back and changed nothing. A connection lost mid-call has no SQLSTATE: it may
 * have committed.
 */
export const rejectedByDatabase = (error: unknown): boolean => pgErrorCode(error) !== undefined
