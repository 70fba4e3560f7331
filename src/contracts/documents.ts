import { z } from 'zod'

/** Uploaded documents and images with their analysis. */

export const documentStatus = z.enum(['queued', 'processing', 'analysed', 'failed'])

export const documentSummary = z
  .object({
    id: z.uuid(),
    filename: z.string(),
    mediaType: z.enum(['application/pdf', 'image/png', 'image/jpeg', 'image/webp']),
    sizeBytes: z.number().int(),
    sha256: z.string(),
    pages: z.number().int().nullable(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    status: documentStatus,
    provider: z.string().nullable(),
    taskId: z.uuid().nullable(),
    error: z.string().nullable(),
    textChars: z.number().int(),
    createdAt: z.string(),
    analysedAt: z.string().nullable(),
  })
  .meta({ id: 'Document' })

export const documentAnalysis = z
  .object({
    summary: z.string(),
    keyFigures: z.array(
      z.object({ label: z.string(), value: z.string(), page: z.number().int().nullable(), context: z.string() }),
    ),
    risks: z.array(z.object({ risk: z.string(), page: z.number().int().nullable(), evidence: z.string() })),
    nextAssessments: z.array(z.object({ assessment: z.string(), reason: z.string() })),
  })
  .meta({ id: 'DocumentAnalysis' })

export const documentDetail = documentSummary.extend({
  analysis: documentAnalysis.nullable(),
  text: z.string().nullable().describe('Extracted text (PDF), pages separated by form feeds'),
})

export const documentList = z.object({ documents: z.array(documentSummary) })
