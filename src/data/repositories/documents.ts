import { sql } from 'drizzle-orm'
import { writeWithEvents } from './events.ts'
import type { NewEvent } from '../../contracts/events.ts'
import type { DocumentMediaType } from '../../domain/documents/files.ts'
import { rows, type Executor } from '../db.ts'
import { iso } from '../row-values.ts'

/** Uploaded documents: metadata, extracted text and analysis in `documents`, bytes in `document_files`. */

export type DocumentStatus = 'queued' | 'processing' | 'analysed' | 'failed'

export type DocumentRecord = {
  id: string
  filename: string
  mediaType: DocumentMediaType
  sizeBytes: number
  sha256: string
  pages: number | null
  width: number | null
  height: number | null
  status: DocumentStatus
  provider: string | null
  taskId: string | null
  error: string | null
  textChars: number
  createdAt: string
  analysedAt: string | null
}

export type DocumentDetail = DocumentRecord & { text: string | null; analysis: Record<string, unknown> | null }

type Row = {
  id: string
  filename: string
  media_type: DocumentMediaType
  size_bytes: number
  sha256: string
  pages: number | null
  width: number | null
  height: number | null
  status: DocumentStatus
  provider: string | null
  task_id: string | null
  error: string | null
  text_chars: number | string | null
  created_at: string | Date
  analysed_at: string | Date | null
  text?: string | null
  analysis?: Record<string, unknown> | null
}

function toRecord(r: Row): DocumentRecord {
  return {
    id: r.id,
    filename: r.filename,
    mediaType: r.media_type,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    pages: r.pages,
    width: r.width,
    height: r.height,
    status: r.status,
    provider: r.provider,
    taskId: r.task_id,
    error: r.error,
    textChars: Number(r.text_chars ?? 0),
    createdAt: iso(r.created_at),
    analysedAt: r.analysed_at ? iso(r.analysed_at) : null,
  }
}

const COLUMNS = sql`id, filename, media_type, size_bytes, sha256, pages, width, height, status, provider, task_id, error,
  coalesce(length(text), 0) as text_chars, created_at, analysed_at`

export type NewDocument = {
  userId: string
  filename: string
  mediaType: DocumentMediaType
  sizeBytes: number
  sha256: string
  pages: number | null
  width: number | null
  height: number | null
  text: string | null
}

/** Store a document and its bytes (under the caller's RLS transaction). */
export async function insertDocument(tx: Executor, doc: NewDocument, content: Uint8Array): Promise<DocumentRecord> {
  const [row] = await rows<Row>(
    tx,
    sql`insert into documents (user_id, filename, media_type, size_bytes, sha256, pages, width, height, text)
        values (${doc.userId}, ${doc.filename}, ${doc.mediaType}, ${doc.sizeBytes}, ${doc.sha256}, ${doc.pages}, ${doc.width}, ${doc.height}, ${doc.text})
        returning ${COLUMNS}`,
  )
  await tx.execute(
    sql`insert into document_files (document_id, content) values (${row!.id}, ${Buffer.from(content.buffer, content.byteOffset, content.byteLength)})`,
  )
  return toRecord(row!)
}

export async function listDocuments(tx: Executor, userId: string): Promise<DocumentRecord[]> {
  return (
    await rows<Row>(tx, sql`select ${COLUMNS} from documents where user_id = ${userId} order by created_at desc, id`)
  ).map(toRecord)
}

export async function getDocument(tx: Executor, userId: string, id: string): Promise<DocumentDetail | undefined> {
  const [row] = await rows<Row>(
    tx,
    sql`select ${COLUMNS}, text, analysis from documents where id = ${id} and user_id = ${userId}`,
  )
  return row ? { ...toRecord(row), text: row.text ?? null, analysis: row.analysis ?? null } : undefined
}

/** Delete a document (its bytes go with it). Returns whether one was deleted. */
export async function deleteDocument(tx: Executor, userId: string, id: string): Promise<boolean> {
  const deleted = await rows<{ id: string }>(
    tx,
    sql`delete from documents where id = ${id} and user_id = ${userId} returning id`,
  )
  return deleted.length > 0
}

/** The document, its text and its bytes, for the analysis job (run as the owner). */
export async function loadForAnalysis(
  db: Executor,
  id: string,
): Promise<{ doc: DocumentDetail & { userId: string }; content: Uint8Array } | undefined> {
  const [row] = await rows<Row & { user_id: string; content: Uint8Array | null }>(
    db,
    sql`select ${COLUMNS}, d.user_id, d.text, d.analysis, f.content from documents d left join document_files f on f.document_id = d.id where d.id = ${id}`,
  )
  if (!row) return undefined
  return {
    doc: { ...toRecord(row), userId: row.user_id, text: row.text ?? null, analysis: row.analysis ?? null },
    content: row.content ?? new Uint8Array(),
  }
}

/** Link the queued task to its document. */
export async function setDocumentTask(db: Executor, id: string, taskId: string): Promise<void> {
  await db.execute(sql`update documents set task_id = ${taskId} where id = ${id}`)
}

/**
 * Move a document to a status and announce it (`document.updated`, with a stage and progress)
 * in the same statement. The event is appended even if the document was deleted meanwhile
 * (the job then ends without a result; the user saw the delete).
 */
export async function updateDocumentStatus(
  db: Executor,
  userId: string,
  id: string,
  change: {
    status: DocumentStatus
    stage: string
    progress: number
    analysis?: Record<string, unknown>
    provider?: string
    error?: string
  },
): Promise<void> {
  const event: NewEvent<'document.updated'> = {
    type: 'document.updated',
    userId,
    payload: {
      documentId: id,
      status: change.status,
      stage: change.stage,
      progress: change.progress,
      ...(change.error ? { error: change.error } : {}),
    },
  }
  await writeWithEvents(
    db,
    sql`update documents set status = ${change.status},
          analysis = coalesce(${change.analysis ? JSON.stringify(change.analysis) : null}::jsonb, analysis),
          provider = coalesce(${change.provider ?? null}, provider),
          error = ${change.error ?? null},
          analysed_at = case when ${change.status} = 'analysed' then now() else analysed_at end
        where id = ${id}`,
    [event],
  )
}
