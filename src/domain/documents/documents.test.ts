import { describe, expect, it } from 'vitest'
import { cleanFilename, pdfDeclaresEncryption, sniffMediaType } from './files.ts'
import { extractKeyFigures, findRisks, leadSentences, suggestAssessments } from './text-analysis.ts'

const bytes = (...values: number[]) => Uint8Array.from(values)
const ascii = (text: string) => new TextEncoder().encode(text)

describe('sniffMediaType', () => {
  it('knows PDF, PNG, JPEG and WebP by their bytes', () => {
    expect(sniffMediaType(ascii('%PDF-1.7\n'))).toBe('application/pdf')
    expect(sniffMediaType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0))).toBe('image/png')
    expect(sniffMediaType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg')
    expect(sniffMediaType(ascii('RIFF\u0000\u0000\u0000\u0000WEBPVP8 '))).toBe('image/webp')
  })

  it('refuses executables, archives, text and RIFF files that are not WebP', () => {
    expect(sniffMediaType(ascii('MZ\u0090\u0000 this program cannot be run in DOS mode'))).toBeNull()
    expect(sniffMediaType(bytes(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1))).toBeNull() // ELF
    expect(sniffMediaType(bytes(0x50, 0x4b, 0x03, 0x04))).toBeNull() // zip
    expect(sniffMediaType(ascii('hello %PDF-1.4'))).toBeNull()
    expect(sniffMediaType(ascii('RIFF\u0000\u0000\u0000\u0000WAVEfmt '))).toBeNull()
    expect(sniffMediaType(new Uint8Array())).toBeNull()
  })
})

describe('pdfDeclaresEncryption', () => {
  it('finds /Encrypt in a trailer or an xref stream dictionary', () => {
    expect(pdfDeclaresEncryption(ascii('%PDF-1.4\ntrailer\n<< /Size 5 /Root 1 0 R /Encrypt 4 0 R >>\n%%EOF'))).toBe(
      true,
    )
    expect(pdfDeclaresEncryption(ascii('%PDF-1.7\n5 0 obj << /Type /XRef /Encrypt << /Filter /Standard >> >>'))).toBe(
      true,
    )
    expect(pdfDeclaresEncryption(ascii('%PDF-1.4\ntrailer\n<< /Size 5 /Root 1 0 R >>\n%%EOF'))).toBe(false)
  })
})

describe('cleanFilename', () => {
  it('keeps the last path segment without control or markup characters', () => {
    expect(cleanFilename('C:\\Users\\me\\report<1>.pdf')).toBe('report1.pdf')
    expect(cleanFilename('../../etc/passwd\u0000')).toBe('passwd')
    expect(cleanFilename(undefined)).toBe('upload')
  })
})

describe('text analysis', () => {
  const pages = [
    { page: 1, text: 'Quarterly report. Revenue: $1,250,000 in Q3.\nGross margin 42% this quarter.' },
    {
      page: 2,
      text: 'Sales declined 8% in the north region. Two invoices are overdue.\nWe lost our largest customer in August.',
    },
  ]

  it('extracts figures with their label, page and sentence', () => {
    const figures = extractKeyFigures(pages)
    expect(figures).toContainEqual({
      label: 'Revenue',
      value: '$1,250,000',
      page: 1,
      context: 'Revenue: $1,250,000 in Q3.',
    })
    expect(figures).toContainEqual(expect.objectContaining({ label: 'Gross margin', value: '42%', page: 1 }))
    expect(figures).toContainEqual(expect.objectContaining({ value: '8%', page: 2 }))
  })

  it('finds risks with their evidence and page', () => {
    const risks = findRisks(pages)
    expect(risks.map((r) => r.risk)).toEqual([
      'Falling revenue or sales',
      'Debt and late payments',
      'Customer churn or concentration',
    ])
    expect(risks[1]).toMatchObject({ page: 2, evidence: 'Two invoices are overdue.' })
  })

  it('suggests assessments from what the text is about', () => {
    const text = pages.map((p) => p.text).join('\n')
    const suggested = suggestAssessments(text, findRisks(pages))
    expect(suggested[0]!.assessment).toBe('sales')
    expect(suggested.map((s) => s.assessment)).toContain('customer_experience')
    expect(suggestAssessments('', [])).toEqual([{ assessment: 'strategic_maturity', reason: expect.any(String) }])
  })

  it('summarises with the first whole sentences', () => {
    expect(leadSentences('One. Two two. Three three three.', 14)).toBe('One. Two two.')
  })
})
