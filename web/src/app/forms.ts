import { zodResolver } from '@hookform/resolvers/zod'
import type { FieldValues, Path, UseFormSetError } from 'react-hook-form'
import { ApiError } from '../api/client.ts'
import { plainIssue } from '../api/errors.ts'

/** A React Hook Form resolver over a contract's zod schema, its messages in plain words. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function plainResolver<S extends Parameters<typeof zodResolver>[0]>(schema: S): any {
  return zodResolver(schema as never, { error: (issue) => plainIssue(issue as never) })
}

/** First letter up: schema messages such as "must be at least 8 characters". */
export const sentence = (text: string | undefined) => (text ? text.charAt(0).toUpperCase() + text.slice(1) : undefined)

/**
 * Put the server's field errors under their fields. Returns what is left for a banner: the message
 * of an error that names no known field (or `undefined` when every error found its field).
 */
export function applyServerErrors<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
  fields: ReadonlyArray<string>,
  rename: (field: string) => string = (f) => f,
): string | undefined {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.'
  const entries = Object.entries(error.fieldErrors)
  let placed = 0
  let first = true
  for (const [raw, message] of entries) {
    const field = rename(raw)
    if (!fields.includes(field)) continue
    setError(field as Path<T>, { type: 'server', message: sentence(message) }, { shouldFocus: first })
    first = false
    placed++
  }
  if (placed > 0 && placed === entries.length) return undefined
  return error.code === 'validation_failed' && placed > 0 ? 'Some answers need another look.' : error.message
}
