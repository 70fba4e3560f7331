import type { Logger } from 'pino'
import type { Database } from '../../data/db.ts'
import { insertAiLogBatch, type AiLogInsert } from '../../data/repositories/ai-log.ts'
import type { AiAttempt } from '../types.ts'

/** One request as it lands in `ai_log`: the row, with the attempts typed (unknown tokens stay null). */
export type LedgerEntry = Omit<AiLogInsert, 'attempts'> & { attempts: AiAttempt[] }

export type Ledger = {
  /** Buffer one row; never blocks the request. */
  record(entry: LedgerEntry): void
  /** Write everything buffered now. */
  flush(): Promise<void>
  /** Stop the timer and flush (graceful shutdown). */
  close(): Promise<void>
  readonly buffered: number
}

export type LedgerOptions = {
  db: Database
  logger?: Logger | undefined
  flushIntervalMs?: number | undefined
  batchSize?: number | undefined
  maxBuffered?: number | undefined
}

/**
 * `ai_log` writer: rows are buffered and inserted in batches off the request path, when the
 * buffer reaches `batchSize` or every `flushIntervalMs`, and on close.
 */
export function createLedger(options: LedgerOptions): Ledger {
  const batchSize = options.batchSize ?? 200
  const maxBuffered = options.maxBuffered ?? 100_000
  let buffer: LedgerEntry[] = []
  let writing: Promise<void> = Promise.resolve()
  let closed = false
  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 1_000)
  timer.unref()

  async function insert(entries: LedgerEntry[]) {
    try {
      await insertAiLogBatch(options.db, entries)
    } catch (error) {
      // One bad row (e.g. a user deleted meanwhile) must not lose the batch: write row by row.
      for (const entry of entries) {
        try {
          await insertAiLogBatch(options.db, [entry])
        } catch {
          try {
            await insertAiLogBatch(options.db, [entry], { withoutUser: true })
          } catch (rowError) {
            options.logger?.error(
              { err: rowError, requestId: entry.requestId, cause: error },
              'ai_log row could not be written',
            )
          }
        }
      }
    }
  }

  function flush(): Promise<void> {
    if (buffer.length === 0) return writing
    const entries = buffer
    buffer = []
    writing = writing.then(async () => {
      for (let i = 0; i < entries.length; i += batchSize) await insert(entries.slice(i, i + batchSize))
    })
    return writing
  }

  return {
    record(entry) {
      if (buffer.length >= maxBuffered) {
        options.logger?.error({ requestId: entry.requestId }, 'ai_log buffer full: dropping a row')
        return
      }
      buffer.push(entry)
      if (buffer.length >= batchSize) void flush()
      if (closed) void flush()
    },
    flush,
    async close() {
      closed = true
      clearInterval(timer)
      await flush()
    },
    get buffered() {
      return buffer.length
    },
  }
}
