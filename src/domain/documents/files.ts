/**
 * What an uploaded file is, judged by its bytes (never by its name or declared type), and the
 * limits a file must keep. No I/O.
 */

export const DOCUMENT_MEDIA_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/webp'] as const
export type DocumentMediaType = (typeof DOCUMENT_MEDIA_TYPES)[number]

export const DOCUMENT_LIMITS = {
  /** Bytes per file. */
  maxBytes: 10 * 1024 * 1024,
  /** Pages per PDF. */
  maxPages: 100,
  /** Pixels per image (width × height): 40 megapixels. */
  maxPixels: 40_000_000,
  /** Characters of extracted text kept and analysed. */
  maxTextChars: 200_000,
} as const

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0) =>
  signature.every((b, i) => bytes[offset + i] === b)

/** The media type by magic bytes, or null for anything else (executables, archives, text…). */
export function sniffMediaType(bytes: Uint8Array): DocumentMediaType | null {
  // "%PDF-" may follow up to 1 KB of junk, as PDF readers accept.
  const head = Math.min(bytes.length, 1024)
  for (let i = 0; i + 5 <= head; i++) {
    if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d], i)) return 'application/pdf'
    if (i === 0 && bytes[0] !== 0x25 && bytes[0] !== 0x0a && bytes[0] !== 0x0d && bytes[0] !== 0x20) break
  }
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp'
  return null
}

/**
 * Whether a PDF declares encryption: an `/Encrypt` entry in a trailer or cross-reference stream
 * dictionary. Scanned over the raw bytes (dictionaries are not compressed), so it also catches a
 * file whose encryption would only surface later inside a text extractor.
 */
export function pdfDeclaresEncryption(bytes: Uint8Array): boolean {
  const text = latin1(bytes)
  return /\/Encrypt\s*(\d+\s+\d+\s+R|<<)/.test(text)
}

function latin1(bytes: Uint8Array): string {
  let out = ''
  const chunk = 65_536
  for (let i = 0; i < bytes.length; i += chunk) out += String.fromCharCode(...bytes.subarray(i, i + chunk))
  return out
}

/** A safe display name: the last path segment, control and markup characters removed, at most 200 characters. */
export function cleanFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? ''
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f<>"`]/g, '').trim()
  return (clean || 'upload').slice(0, 200)
}
