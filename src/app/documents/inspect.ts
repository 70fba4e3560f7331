import { createHash } from 'node:crypto'
import { imageSize } from 'image-size'
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib'
import { extractText, getDocumentProxy } from 'unpdf'
import {
  DOCUMENT_LIMITS,
  pdfDeclaresEncryption,
  sniffMediaType,
  type DocumentMediaType,
} from '../../domain/documents/files.ts'
import type { PageText } from '../../domain/documents/text-analysis.ts'
import { OptimaliqError } from '../../errors.ts'

/**
 * What an upload is and what it says: its type from its bytes, its size in pages or pixels, and
 * (for a PDF) its text page by page, extracted in pure JavaScript (unpdf: PDF.js without a
 * canvas). Refusals are typed: 415 for a type we do not take, 422 for a PDF we cannot read,
 * 413 for one past the limits.
 */

export class UnsupportedDocumentTypeError extends OptimaliqError {
  constructor(declared: string | undefined) {
    super(
      'unsupported_media_type',
      `Only PDF, PNG, JPEG and WebP files are accepted; the file's content is none of these${declared ? ` (it was sent as ${declared})` : ''}.`,
      {
        status: 415,
        details: { field: 'file', accepted: ['application/pdf', 'image/png', 'image/jpeg', 'image/webp'] },
      },
    )
  }
}

export class UnreadableDocumentError extends OptimaliqError {
  constructor(code: 'document_encrypted' | 'document_unreadable', message: string) {
    super(code, message, { status: 422, details: { field: 'file' } })
  }
}

export class DocumentTooLargeError extends OptimaliqError {
  constructor(code: 'file_too_large' | 'too_many_pages' | 'too_many_pixels', message: string, limit: number) {
    super(code, message, { status: 413, details: { field: 'file', limit } })
  }
}

export type InspectedDocument = {
  mediaType: DocumentMediaType
  sizeBytes: number
  sha256: string
  pages: number | null
  width: number | null
  height: number | null
  /** Text per page (PDF only), trimmed to the text limit overall. */
  pageTexts: PageText[]
}

async function readPdf(bytes: Uint8Array): Promise<{ pages: number; pageTexts: PageText[] }> {
  if (pdfDeclaresEncryption(bytes))
    throw new UnreadableDocumentError(
      'document_encrypted',
      'The PDF is encrypted or password-protected; upload a copy without protection.',
    )
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>
  try {
    // PDF.js takes ownership of the buffer it is given: hand it a copy.
    pdf = await getDocumentProxy(new Uint8Array(bytes), { isEvalSupported: false, stopAtErrors: true })
  } catch (error) {
    if ((error as { name?: string }).name === 'PasswordException')
      throw new UnreadableDocumentError(
        'document_encrypted',
        'The PDF is encrypted or password-protected; upload a copy without protection.',
      )
    throw new UnreadableDocumentError(
      'document_unreadable',
      'The PDF could not be read: it is damaged or not a complete PDF file.',
    )
  }
  try {
    if (pdf.numPages > DOCUMENT_LIMITS.maxPages)
      throw new DocumentTooLargeError(
        'too_many_pages',
        `The PDF has ${pdf.numPages} pages; at most ${DOCUMENT_LIMITS.maxPages} are accepted.`,
        DOCUMENT_LIMITS.maxPages,
      )
    let texts: string[]
    try {
      texts = (await extractText(pdf, { mergePages: false })).text
    } catch {
      throw new UnreadableDocumentError(
        'document_unreadable',
        'The text of the PDF could not be extracted: the file is damaged.',
      )
    }
    let budget: number = DOCUMENT_LIMITS.maxTextChars
    const pageTexts: PageText[] = []
    texts.forEach((text, i) => {
      if (budget <= 0) return
      const kept = text.slice(0, budget)
      budget -= kept.length
      pageTexts.push({ page: i + 1, text: kept })
    })
    return { pages: pdf.numPages, pageTexts }
  } finally {
    await pdf.destroy().catch(() => undefined)
  }
}

/** Inspect an upload's bytes; throws a typed 413, 415 or 422 when it cannot be taken. */
export async function inspectDocument(bytes: Uint8Array, declaredType?: string): Promise<InspectedDocument> {
  if (bytes.length > DOCUMENT_LIMITS.maxBytes)
    throw new DocumentTooLargeError(
      'file_too_large',
      `The file is larger than ${DOCUMENT_LIMITS.maxBytes / 1024 / 1024} MB.`,
      DOCUMENT_LIMITS.maxBytes,
    )
  const mediaType = sniffMediaType(bytes)
  if (!mediaType) throw new UnsupportedDocumentTypeError(declaredType)
  const base = { mediaType, sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }
  if (mediaType === 'application/pdf') {
    const { pages, pageTexts } = await readPdf(bytes)
    return { ...base, pages, width: null, height: null, pageTexts }
  }
  let size: { width: number; height: number }
  try {
    size = imageSize(bytes)
  } catch {
    throw new UnreadableDocumentError('document_unreadable', 'The image could not be read: it is damaged or truncated.')
  }
  if (size.width * size.height > DOCUMENT_LIMITS.maxPixels) {
    throw new DocumentTooLargeError(
      'too_many_pixels',
      `The image is ${size.width}×${size.height} pixels; at most ${DOCUMENT_LIMITS.maxPixels / 1_000_000} megapixels are accepted.`,
      DOCUMENT_LIMITS.maxPixels,
    )
  }
  return { ...base, pages: null, width: size.width, height: size.height, pageTexts: [] }
}

/** Pages joined with form feeds, as stored (the page of a figure can be recovered from it). */
export function joinPages(pageTexts: readonly PageText[]): string {
  return pageTexts.map((p) => p.text).join('\f')
}

/** The stored text back into pages. */
export function splitPages(text: string | null): PageText[] {
  if (!text) return []
  return text.split('\f').map((t, i) => ({ page: i + 1, text: t }))
}

/**
 * The JPEG images embedded in a PDF, in file order, up to `max`: a scanned PDF is usually one JPEG
 * (DCTDecode) per page, which a vision model reads as it is. Other image encodings are skipped
 * (they would need decoding and re-encoding); an unreadable PDF gives none.
 */
export async function scannedPageImages(
  bytes: Uint8Array,
  max: number,
): Promise<Array<{ mediaType: 'image/jpeg'; base64: string }>> {
  let pdf: PDFDocument
  try {
    // A copy: pdf-lib reads from the start of the underlying buffer, and a Buffer may sit inside a pool.
    pdf = await PDFDocument.load(new Uint8Array(bytes), { ignoreEncryption: true, updateMetadata: false })
  } catch {
    return []
  }
  const images: Array<{ mediaType: 'image/jpeg'; base64: string }> = []
  for (const [, object] of pdf.context.enumerateIndirectObjects()) {
    if (images.length >= max) break
    if (!(object instanceof PDFRawStream)) continue
    if (object.dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue
    if (object.dict.get(PDFName.of('Filter')) !== PDFName.of('DCTDecode')) continue
    images.push({ mediaType: 'image/jpeg', base64: Buffer.from(object.contents).toString('base64') })
  }
  return images
}
