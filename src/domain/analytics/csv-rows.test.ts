import { describe, expect, it } from 'vitest'
import { parseNumber, validateKpiRows, type CsvRecord } from './csv-rows.ts'

const rows = (...lines: string[][]): CsvRecord[] => lines.map((cells, i) => ({ line: i + 1, cells }))

describe('validateKpiRows', () => {
  it('reads a good file with aliases, blanks and formatted numbers', () => {
    const result = validateKpiRows(
      rows(
        ['Month', 'Revenue', 'Costs', 'New Customers', 'churned', 'Cash'],
        ['2026-01', '12,500.50', '9000', '4', '1', '(300)'],
        ['2026-2', '$13000', '', '5', '0', '1200'],
      ),
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.months).toEqual([
      {
        month: '2026-01',
        revenue: 12500.5,
        costs: 9000,
        customers: null,
        newCustomers: 4,
        churnedCustomers: 1,
        leads: null,
        cash: -300,
      },
      {
        month: '2026-02',
        revenue: 13000,
        costs: null,
        customers: null,
        newCustomers: 5,
        churnedCustomers: 0,
        leads: null,
        cash: 1200,
      },
    ])
  })

  it('reports every bad cell with its line and column, and returns no rows', () => {
    const result = validateKpiRows(
      rows(
        ['month', 'revenue', 'customers', 'leads'],
        ['2026-01', '100', '10', '5'],
        ['2026-13', 'abc', '10.5', '-1'],
        ['2026-01', '100', '10', '5'],
        ['2026-03', '100'],
        ['', '1', '1', '1'],
      ),
    )
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors).toEqual([
      { line: 3, column: 'month', message: expect.stringContaining('"2026-13" is not a month') },
      { line: 3, column: 'revenue', message: '"abc" is not a number' },
      { line: 3, column: 'customers', message: expect.stringContaining('whole number') },
      { line: 3, column: 'leads', message: expect.stringContaining('cannot be negative') },
      { line: 4, column: 'month', message: '2026-01 already appears on line 2' },
      { line: 5, column: null, message: 'expected 4 values, found 2' },
      { line: 6, column: 'month', message: 'the month is missing' },
    ])
  })

  it('rejects a bad header: unknown and repeated columns, no month', () => {
    const result = validateKpiRows(rows(['revenue', 'profit', 'Revenue'], ['1', '2', '3']))
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors.map((e) => [e.line, e.column])).toEqual([
      [1, 'profit'],
      [1, 'Revenue'],
      [1, 'month'],
    ])
  })

  it('rejects an empty file and a header without rows', () => {
    expect(validateKpiRows([])).toMatchObject({ ok: false, errors: [{ line: 1 }] })
    expect(validateKpiRows(rows(['month', 'revenue']))).toMatchObject({
      ok: false,
      errors: [{ line: 1, message: 'the file has a header but no rows' }],
    })
  })

  it('parses the number formats people export', () => {
    expect(parseNumber('1,234,567.89')).toBe(1234567.89)
    expect(parseNumber(' 1 234 ')).toBe(1234)
    expect(parseNumber('(12)')).toBe(-12)
    expect(parseNumber('€5')).toBe(5)
    expect(parseNumber('1e3')).toBe(1000)
    expect(parseNumber('12,34')).toBeNaN()
    expect(parseNumber('ten')).toBeNaN()
  })
})
