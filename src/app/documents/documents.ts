import type { Claims, Database } from '../../data/db.ts'
import {
  deleteDocument,
  getDocument,
  insertDocument,
  listDocuments,
  setDocumentTask,
  type DocumentDetail,
  type DocumentRecord,
} from '../../data/repositories/documents.ts'
import { cleanFilename } from '../../domain/documents/files.ts'
import { documentAnalysisOutput, type DocumentAnalysisOutput } from '../../features/document-analysis.ts'
import type { TaskService } from '../tasks/task-service.ts'
import { inspectDocument, joinPages } from './inspect.ts'

/**
 * Documents: an upload is checked by its content, its text extracted, stored under the owner's
 * RLS, and its analysis queued as a `document_analysis` task (progress as `document.updated` and
 * `task.updated` events). Reading and deleting go through RLS too.
 */

export type DocumentService = ReturnType<typeof createDocumentService>

export function createDocumentService({ db, tasks }: { db: Database; tasks: Pick<TaskService, 'submit'> }) {
  return {
    async upload(
      claims: Claims,
      file: { bytes: Uint8Array; filename: string | undefined; declaredType: string | undefined },
    ): Promise<DocumentRecord> {
      const inspected = await inspectDocument(file.bytes, file.declaredType)
      const doc = await db.asUser(claims, (tx) =>
        insertDocument(
          tx,
          {
            userId: claims.sub,
            filename: cleanFilename(file.filename),
            mediaType: inspected.mediaType,
            sizeBytes: inspected.sizeBytes,
            sha256: inspected.sha256,
            pages: inspected.pages,
            width: inspected.width,
            height: inspected.height,
            text: inspected.mediaType === 'application/pdf' ? joinPages(inspected.pageTexts) : null,
          },
          file.bytes,
        ),
      )
      const { task } = await tasks.submit(claims.sub, {
        type: 'document_analysis',
        input: { documentId: doc.id },
        idempotencyKey: `document:${doc.id}`,
      })
      await setDocumentTask(db.orm, doc.id, task.id)
      return { ...doc, taskId: task.id }
    },

    list(claims: Claims): Promise<DocumentRecord[]> {
      return db.asUser(claims, (tx) => listDocuments(tx, claims.sub))
    },

    async get(
      claims: Claims,
      id: string,
    ): Promise<(Omit<DocumentDetail, 'analysis'> & { analysis: DocumentAnalysisOutput | null }) | undefined> {
      const doc = await db.asUser(claims, (tx) => getDocument(tx, claims.sub, id))
      if (!doc) return undefined
      const parsed = documentAnalysisOutput.safeParse(doc.analysis)
      return { ...doc, analysis: parsed.success ? parsed.data : null }
    },

    remove(claims: Claims, id: string): Promise<boolean> {
      return db.asUser(claims, (tx) => deleteDocument(tx, claims.sub, id))
    },
  }
}
