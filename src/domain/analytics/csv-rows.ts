import { KPI_METRICS, METRIC_INFO, type KpiMetric, type KpiMonth } from './kpis.ts'
import { MONTH_PATTERN } from './months.ts'

/**
 * Validation of KPI rows read from a CSV file (the parsing itself is the caller's: this module
 * does no I/O). Every problem is reported with the file's line number and the column at fault,
 * and a file with any problem yields no rows, so nothing is half-imported.
 */

export type CsvRecord = { line: number; cells: string[] }
export type CsvIssue = { line: number; column: string | null; message: string }
export type CsvValidation = { ok: true; months: KpiMonth[] } | { ok: false; errors: CsvIssue[] }

export const MAX_IMPORT_ROWS = 600
const MAX_ERRORS = 200

/** Header spellings accepted for each column (case, spaces, dashes and underscores ignored). */
const ALIASES: Record<string, KpiMetric | 'month'> = { month: 'month', date: 'month', period: 'month' }
for (const metric of KPI_METRICS) {
  ALIASES[squash(metric)] = metric
  ALIASES[squash(METRIC_INFO[metric].column)] = metric
}
ALIASES.churned = 'churnedCustomers'
ALIASES.new = 'newCustomers'
ALIASES.cost = 'costs'

function squash(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '')
}

/** Accepts 1234.5, 1,234.50, "1 234", $1234 and (12) for −12; returns NaN for anything else. */
export function parseNumber(raw: string): number {
  let text = raw
    .trim()
    .replace(/^[$€£]/, '')
    .replace(/[\s\u00a0]/g, '')
  let negative = false
  if (/^\(.*\)$/.test(text)) {
    negative = true
    text = text.slice(1, -1)
  }
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) text = text.replace(/,/g, '')
  if (!/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number.NaN
  const value = Number(text)
  return negative ? -value : value
}

/** Validate the header and rows of a KPI CSV file. */
export function validateKpiRows(records: readonly CsvRecord[]): CsvValidation {
  const errors: CsvIssue[] = []
  const push = (issue: CsvIssue) => {
    if (errors.length < MAX_ERRORS) errors.push(issue)
  }
  const header = records[0]
  if (!header)
    return {
      ok: false,
      errors: [
        {
          line: 1,
          column: null,
          message:
            'the file is empty: expected a header line such as month,revenue,costs,customers,new_customers,churned_customers,leads,cash',
        },
      ],
    }
  const columns: (KpiMetric | 'month' | null)[] = []
  const seen = new Set<string>()
  header.cells.forEach((cell, i) => {
    const name = cell.trim()
    const key = ALIASES[squash(name)]
    if (!key)
      push({
        line: header.line,
        column: name || `column ${i + 1}`,
        message: `unknown column "${name}"; expected month and any of ${KPI_METRICS.map((m) => METRIC_INFO[m].column).join(', ')}`,
      })
    else if (seen.has(key)) push({ line: header.line, column: name, message: `column "${name}" appears twice` })
    seen.add(key ?? '')
    columns.push(key ?? null)
  })
  if (!columns.includes('month'))
    push({ line: header.line, column: 'month', message: 'the header has no month column' })
  if (!columns.some((c) => c !== null && c !== 'month'))
    push({ line: header.line, column: null, message: 'the header names no KPI column' })
  if (errors.length > 0) return { ok: false, errors }

  const rows = records.slice(1)
  if (rows.length === 0)
    return { ok: false, errors: [{ line: header.line, column: null, message: 'the file has a header but no rows' }] }
  if (rows.length > MAX_IMPORT_ROWS)
    return {
      ok: false,
      errors: [
        { line: rows[MAX_IMPORT_ROWS]!.line, column: null, message: `at most ${MAX_IMPORT_ROWS} months per file` },
      ],
    }

  const months: KpiMonth[] = []
  const firstLine = new Map<string, number>()
  for (const row of rows) {
    if (row.cells.every((c) => c.trim() === '')) continue
    if (row.cells.length !== columns.length) {
      push({ line: row.line, column: null, message: `expected ${columns.length} values, found ${row.cells.length}` })
      continue
    }
    const month = { month: '' } as KpiMonth
    for (const metric of KPI_METRICS) month[metric] = null
    let anyMetric = false
    const before = errors.length
    columns.forEach((key, i) => {
      const raw = row.cells[i]!.trim()
      const column = header.cells[i]!.trim()
      if (key === 'month') {
        const normalized = /^\d{4}-\d{1,2}(-\d{1,2})?$/.test(raw)
          ? `${raw.slice(0, 4)}-${raw.split('-')[1]!.padStart(2, '0')}`
          : raw
        if (!MONTH_PATTERN.test(normalized))
          push({
            line: row.line,
            column,
            message: raw === '' ? 'the month is missing' : `"${raw}" is not a month; write it as YYYY-MM, e.g. 2026-03`,
          })
        else if (firstLine.has(normalized))
          push({
            line: row.line,
            column,
            message: `${normalized} already appears on line ${firstLine.get(normalized)}`,
          })
        else firstLine.set(normalized, row.line)
        month.month = normalized
        return
      }
      if (key === null || raw === '') return
      const info = METRIC_INFO[key]
      const value = parseNumber(raw)
      if (Number.isNaN(value)) return push({ line: row.line, column, message: `"${raw}" is not a number` })
      if (info.min !== null && value < info.min)
        return push({ line: row.line, column, message: `${info.label} cannot be negative (found ${raw})` })
      if (info.integer && !Number.isInteger(value))
        return push({ line: row.line, column, message: `${info.label} must be a whole number (found ${raw})` })
      if (Math.abs(value) > 1e13) return push({ line: row.line, column, message: `${raw} is too large` })
      month[key] = value
      anyMetric = true
    })
    if (!anyMetric && errors.length === before)
      push({ line: row.line, column: null, message: 'the row records no metric' })
    months.push(month)
  }
  if (errors.length > 0) return { ok: false, errors }
  return { ok: true, months }
}
