/**
 * Column values as the drivers return them, turned into what the app uses: pg returns bigint,
 * numeric and aggregates as strings and timestamps as Date; PGlite may return either. One module,
 * used by every repository.
 */

/** An instant as ISO 8601 (UTC). */
export const iso = (v: string | Date | number): string => new Date(v).toISOString()

/** An instant as ISO 8601, or null. */
export const isoOrNull = (v: string | Date | number | null | undefined): string | null =>
  v === null || v === undefined ? null : new Date(v).toISOString()

/** A number from a numeric, bigint or aggregate column; null (no rows) counts as 0. */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v))

/** A number from a numeric column, keeping null. */
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))
