import { z } from 'zod'
import { DEEP_ASSESSMENT_TYPES } from '../domain/assessments/types.ts'
import { extractKeyFigures, findRisks, leadSentences, suggestAssessments } from '../domain/documents/text-analysis.ts'
import type { AiFeature } from '../gateway/types.ts'
import { DATA_SAFETY, dataBlock } from './shared.ts'

/**
 * Analysis of an uploaded document or image: a summary, key figures with where they were found,
 * risks, and the assessments worth taking next. The text was extracted in code (PDF); the rules
 * fallback reads that text (figures, risk phrases, topics). An image has no text to read: the
 * fallback says so instead of guessing.
 */

export const MAX_PROMPT_TEXT = 24_000
/** Images sent with one analysis (page scans beyond this are left out, and the summary is of those pages). */
export const MAX_IMAGES = 4

export const documentAnalysisInput = z.object({
  filename: z.string().max(200),
  mediaType: z.enum(['application/pdf', 'image/png', 'image/jpeg', 'image/webp']),
  pages: z.number().int().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /** Extracted text per page (PDF), trimmed to fit the prompt. */
  pageTexts: z.array(z.object({ page: z.number().int(), text: z.string() })),
  /**
   * Images for a vision-capable model (base64): an uploaded image itself, or the page scans of a
   * PDF without a text layer. The upload limit bounds them.
   */
  images: z
    .array(
      z.object({ mediaType: z.enum(['image/png', 'image/jpeg', 'image/webp']), base64: z.base64().max(14_000_000) }),
    )
    .max(MAX_IMAGES)
    .optional(),
})
export type DocumentAnalysisInput = z.infer<typeof documentAnalysisInput>

export const documentAnalysisOutput = z.object({
  summary: z.string().min(10).max(2000),
  keyFigures: z
    .array(
      z.object({
        label: z.string().max(120),
        value: z.string().max(60),
        page: z.number().int().nullable(),
        context: z.string().max(400),
      }),
    )
    .max(15),
  risks: z
    .array(z.object({ risk: z.string().max(200), page: z.number().int().nullable(), evidence: z.string().max(400) }))
    .max(10),
  nextAssessments: z
    .array(
      z.object({
        assessment: z.enum(DEEP_ASSESSMENT_TYPES as unknown as [string, ...string[]]),
        reason: z.string().max(400),
      }),
    )
    .max(3),
})
export type DocumentAnalysisOutput = z.infer<typeof documentAnalysisOutput>

/** The rules fallback: an extractive summary and what the text itself shows. */
export function analyseDocumentText(input: DocumentAnalysisInput): DocumentAnalysisOutput {
  const text = input.pageTexts.map((p) => p.text).join('\n')
  if (input.mediaType !== 'application/pdf') {
    return {
      summary: `An image (${input.width}×${input.height} pixels). Reading images needs a vision-capable AI model, and none answered, so no figures or risks could be taken from it.`,
      keyFigures: [],
      risks: [],
      nextAssessments: [],
    }
  }
  if (text.trim().length < 20) {
    return {
      summary: `A ${input.pages ?? 0}-page PDF with no extractable text (probably scanned). Reading scans needs a vision-capable AI model, and none answered.`,
      keyFigures: [],
      risks: [],
      nextAssessments: [],
    }
  }
  const risks = findRisks(input.pageTexts)
  const figures = extractKeyFigures(input.pageTexts).map((f) => ({
    ...f,
    label: f.label.slice(0, 120),
    value: f.value.slice(0, 60),
    context: f.context.slice(0, 400),
  }))
  const lead = leadSentences(text, 500)
  return {
    summary:
      `${input.pages === 1 ? 'A one-page' : `A ${input.pages}-page`} document. It begins: "${lead}"${figures.length > 0 ? ` It states ${figures.length} figure${figures.length === 1 ? '' : 's'}` : ''}${risks.length > 0 ? `${figures.length > 0 ? ' and' : ' It'} raises ${risks.length} risk${risks.length === 1 ? '' : 's'} (${risks.map((r) => r.risk.toLowerCase()).join('; ')})` : ''}.`.slice(
        0,
        2000,
      ),
    keyFigures: figures,
    risks: risks.map((r) => ({ ...r, evidence: r.evidence.slice(0, 400) })),
    nextAssessments: suggestAssessments(text, risks).filter((s) =>
      (DEEP_ASSESSMENT_TYPES as readonly string[]).includes(s.assessment),
    ),
  }
}

/** The pages as the prompt shows them, within the prompt's text budget. */
export function promptPages(pageTexts: DocumentAnalysisInput['pageTexts']): DocumentAnalysisInput['pageTexts'] {
  let budget = MAX_PROMPT_TEXT
  const out: DocumentAnalysisInput['pageTexts'] = []
  for (const p of pageTexts) {
    if (budget <= 0) break
    const text = p.text.slice(0, budget)
    budget -= text.length
    out.push({ page: p.page, text })
  }
  return out
}

export const documentAnalysis: AiFeature<DocumentAnalysisInput, DocumentAnalysisOutput> = {
  name: 'document_analysis',
  description: 'Summary, key figures with their page, risks and next assessments from an uploaded document or image.',
  input: documentAnalysisInput,
  output: documentAnalysisOutput,
  prompt: {
    version: 'document_analysis@2',
    system: `You analyse a business document (report, statement, contract, plan) for its owner. From its text (given page by page) or the attached image, write a summary, list the key figures with a short label, the value as written, the page and the sentence it came from, the risks it shows with their evidence and page, and up to three of these assessments worth taking next with a reason: ${DEEP_ASSESSMENT_TYPES.join(', ')}. Quote figures exactly as written; never invent one. ${DATA_SAFETY}`,
    render: (input) =>
      [
        `File: ${dataBlock('file', { filename: input.filename, mediaType: input.mediaType, pages: input.pages, width: input.width, height: input.height })}`,
        input.images && input.images.length > 0
          ? `${input.mediaType === 'application/pdf' ? `The PDF has no text layer: its first ${input.images.length} page scan(s) are attached` : 'The image is attached'} after this message: read its text, figures and charts.`
          : `Text: ${dataBlock('pages', promptPages(input.pageTexts))}`,
      ].join('\n'),
    images: (input) => input.images ?? [],
  },
  route: 'default',
  temperature: 0.2,
  maxTokens: 1500,
  cacheTtlSeconds: 0,
  rules: analyseDocumentText,
}
