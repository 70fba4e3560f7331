import { z } from 'zod'
import type { Database } from '../../data/db.ts'
import { loadForAnalysis, updateDocumentStatus } from '../../data/repositories/documents.ts'
import { documentAnalysis, MAX_IMAGES } from '../../features/document-analysis.ts'
import { runFeature } from '../../features/run.ts'
import type { AiClient } from '../../gateway/types.ts'
import type { TaskService } from '../tasks/task-service.ts'
import { scannedPageImages, splitPages } from './inspect.ts'

export const documentAnalysisTaskInput = z.object({ documentId: z.uuid() }).strict()

/**
 * The queued `document_analysis`: the document moves queued → processing → analysed (or failed),
 * each step a `document.updated` event with its stage and progress, beside the task's own
 * `task.updated` events. A document deleted before its turn ends the task without a result.
 */
export function defineDocumentTasks(tasks: Pick<TaskService, 'define'>, deps: { db: Database; ai: AiClient }) {
  tasks.define({
    type: 'document_analysis',
    input: documentAnalysisTaskInput,
    async run(input, context) {
      const loaded = await loadForAnalysis(deps.db.orm, input.documentId)
      if (!loaded || loaded.doc.userId !== context.userId) return { documentId: input.documentId, skipped: 'deleted' }
      const { doc, content } = loaded
      await updateDocumentStatus(deps.db.orm, doc.userId, doc.id, {
        status: 'processing',
        stage: 'analysing',
        progress: 50,
      })
      try {
        const { object, meta } = await runFeature(
          deps.ai,
          documentAnalysis,
          {
            filename: doc.filename,
            mediaType: doc.mediaType,
            pages: doc.pages,
            width: doc.width,
            height: doc.height,
            pageTexts: splitPages(doc.text),
            // An image goes to a vision-capable model as it is; a PDF's text is enough, unless it has
            // none (a scan): then its page images go.
            ...(doc.mediaType !== 'application/pdf'
              ? { images: [{ mediaType: doc.mediaType, base64: Buffer.from(content).toString('base64') }] }
              : (doc.text ?? '').trim().length < 20
                ? { images: await scannedPageImages(content, MAX_IMAGES) }
                : {}),
          },
          { userId: context.userId },
          { signal: context.signal },
        )
        await updateDocumentStatus(deps.db.orm, doc.userId, doc.id, {
          status: 'analysed',
          stage: 'done',
          progress: 100,
          analysis: object,
          provider: meta.provider,
        })
        return { documentId: doc.id, provider: meta.provider, requestId: meta.requestId }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        await updateDocumentStatus(deps.db.orm, doc.userId, doc.id, {
          status: 'failed',
          stage: 'failed',
          progress: 100,
          error: message.slice(0, 500),
        })
        throw error
      }
    },
  })
}
