import { z } from 'zod'

/** A calendar month as `YYYY-MM`; series are indexed by whole months. */
export type MonthKey = string

export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/
export const monthKey = z.string().regex(MONTH_PATTERN, 'a month as YYYY-MM, e.g. 2026-03')

/** Months since year 0 (so consecutive months differ by one). */
export function monthIndex(month: MonthKey): number {
  const m = MONTH_PATTERN.exec(month)
  if (!m) throw new RangeError(`not a month: ${month}`)
  return Number(m[1]) * 12 + Number(m[2]) - 1
}

export function monthFromIndex(index: number): MonthKey {
  const year = Math.floor(index / 12)
  const month = index - year * 12 + 1
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`
}

export function addMonths(month: MonthKey, count: number): MonthKey {
  return monthFromIndex(monthIndex(month) + count)
}

/** 0 = January … 11 = December. */
export function monthOfYear(month: MonthKey): number {
  return monthIndex(month) % 12
}

const NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]

/** "March 2026". */
export function monthName(month: MonthKey): string {
  return `${NAMES[monthOfYear(month)]} ${Math.floor(monthIndex(month) / 12)}`
}

/** One observation of a monthly series. */
export type MonthlyPoint = { month: MonthKey; value: number }

/**
 * The longest run of consecutive months that ends at the last observed month, and the months
 * missing between the first observation and the last (what a user would have to fill in to use
 * their whole history).
 */
export function contiguousTail(points: readonly MonthlyPoint[]): { run: MonthlyPoint[]; gaps: MonthKey[] } {
  const sorted = points
    .filter((p) => Number.isFinite(p.value))
    .sort((a, b) => monthIndex(a.month) - monthIndex(b.month))
  if (sorted.length === 0) return { run: [], gaps: [] }
  const gaps: MonthKey[] = []
  let start = 0
  for (let i = 1; i < sorted.length; i++) {
    const prev = monthIndex(sorted[i - 1]!.month)
    const cur = monthIndex(sorted[i]!.month)
    if (cur - prev > 1) {
      for (let k = prev + 1; k < cur; k++) gaps.push(monthFromIndex(k))
      start = i
    }
  }
  return { run: sorted.slice(start), gaps }
}
