import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useState } from 'react'
import { ApiError, postRaw } from '../../api/client.ts'
import type { KpiImport } from '../../api/types.ts'
import { keys } from '../../app/query.ts'
import { TableWrap } from '../../components/ui.tsx'
import { monthName } from './metrics.ts'

type RowError = { line: number; column: string | null; message: string }

/** The server's row problems (`details: [{line, column, message}]`), whatever their exact shape. */
export function rowErrorsOf(error: unknown): RowError[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return []
  return (error.details as Array<Record<string, unknown>>)
    .filter((d) => typeof d?.line === 'number')
    .map((d) => ({
      line: d.line as number,
      column: typeof d.column === 'string' ? d.column : null,
      message: String(d.message ?? 'This row is not right'),
    }))
}

const MAX_BYTES = 1_000_000

/** A CSV of months: every row problem listed with its line and column; nothing imported unless all are right. */
export function CsvImport() {
  const id = useId()
  const client = useQueryClient()
  const [file, setFile] = useState<File>()
  const [tooBig, setTooBig] = useState(false)
  const upload = useMutation({
    mutationFn: async (f: File) => postRaw<KpiImport>('/api/kpis/import', await f.text(), 'text/csv'),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.kpis }),
  })
  const rows = rowErrorsOf(upload.error)
  const describedBy = [`${id}-hint`, upload.error || tooBig ? `${id}-error` : ''].filter(Boolean).join(' ')
  return (
    <form
      noValidate
      className="stack"
      aria-label="Import months from a CSV file"
      onSubmit={(e) => {
        e.preventDefault()
        if (file && !tooBig) upload.mutate(file)
      }}
    >
      <div className={`field${upload.error || tooBig ? ' has-error' : ''}`}>
        <label htmlFor={id}>CSV file</label>
        <input
          id={id}
          type="file"
          accept=".csv,text/csv"
          aria-describedby={describedBy}
          aria-invalid={upload.error || tooBig ? true : undefined}
          onChange={(e) => {
            const f = e.target.files?.[0]
            setFile(f)
            setTooBig(!!f && f.size > MAX_BYTES)
            upload.reset()
          }}
        />
        <div className="hint" id={`${id}-hint`}>
          A header row with <code>month</code> and any of{' '}
          <code>revenue, costs, customers, new_customers, churned_customers, leads, cash</code>; one row per month (
          <code>2026-03</code>). At most 1 MB.
        </div>
        {tooBig && (
          <div className="field-error" id={`${id}-error`}>
            This file is larger than 1 MB.
          </div>
        )}
        {upload.error && (
          <div className="field-error" id={`${id}-error`} data-testid="csv-error">
            {rows.length
              ? `Nothing was imported: ${rows.length} problem${rows.length === 1 ? '' : 's'} to fix in the file.`
              : upload.error.message}
          </div>
        )}
      </div>
      {rows.length > 0 && (
        <TableWrap label="Problems in the file">
          <table className="table" data-testid="csv-row-errors">
            <caption className="sr-only">Problems in the file, by line</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Line
                </th>
                <th scope="col">Column</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, 50).map((r, i) => (
                <tr key={i}>
                  <td className="num">{r.line}</td>
                  <td>{r.column ?? '—'}</td>
                  <td>{r.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length > 50 && <p className="muted small">…and {rows.length - 50} more.</p>}
        </TableWrap>
      )}
      {upload.data && (
        <p className="banner info" role="status" data-testid="csv-imported">
          Imported {upload.data.imported} month{upload.data.imported === 1 ? '' : 's'},{' '}
          {monthName(upload.data.months.from)} to {monthName(upload.data.months.to)}.
          {upload.data.newAnomalies.length > 0 &&
            ` ${upload.data.newAnomalies.length} unusual value${upload.data.newAnomalies.length === 1 ? '' : 's'} found.`}
        </p>
      )}
      <div className="row end">
        <button type="submit" className="btn primary" disabled={!file || tooBig || upload.isPending}>
          {upload.isPending ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  )
}
