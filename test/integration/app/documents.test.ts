import { deflateSync } from 'node:zlib'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { errorOf, signUp, startTestApp, type TestApp } from '../../helpers/app.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { eventually, openSse } from '../../helpers/sse.ts'

/** A multipart/form-data body with one file field. */
function multipart(filename: string, type: string, content: Uint8Array) {
  const boundary = `----oq${Math.random().toString(16).slice(2)}`
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  return {
    payload: Buffer.concat([head, Buffer.from(content), tail]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  }
}

async function reportPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  const font = await doc.embedFont(StandardFonts.Helvetica)
  const page1 = doc.addPage()
  page1.drawText('Quarterly report for Acme Ltd.', { x: 50, y: 750, size: 14, font })
  page1.drawText('Revenue: $1,250,000 in Q3.', { x: 50, y: 720, size: 12, font })
  page1.drawText('Gross margin 42% this quarter.', { x: 50, y: 700, size: 12, font })
  const page2 = doc.addPage()
  page2.drawText('Sales declined 8% in the north region. Two invoices are overdue.', { x: 50, y: 750, size: 12, font })
  return doc.save()
}

/** A valid 2×1 RGB PNG. */
function png(): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (buf: Buffer) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type), data])
    const sum = Buffer.alloc(4)
    sum.writeUInt32BE(crc(body))
    return Buffer.concat([len, body, sum])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(2, 0)
  ihdr.writeUInt32BE(1, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  const raw = Buffer.from([0, 255, 0, 0, 0, 0, 255])
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** A minimal PDF whose trailer declares encryption. */
const ENCRYPTED_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
    '3 0 obj << /Filter /Standard /V 1 /R 2 /O (xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx) /U (xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx) /P -4 >> endobj\n' +
    'trailer << /Size 4 /Root 1 0 R /Encrypt 3 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] >>\n%%EOF\n',
)

describeBackends('documents', (backend) => {
  let t: TestApp
  let base: string
  beforeAll(async () => {
    t = await startTestApp(backend, { TASK_RETRY_DELAY_SECONDS: '0', TASK_RETRY_LIMIT: '1' })
    await t.container.queue.startWorkers()
    base = await t.app.listen({ host: '127.0.0.1', port: 0 })
  })
  afterAll(async () => {
    await t.close()
  })

  const upload = (auth: Record<string, string>, filename: string, type: string, content: Uint8Array) => {
    const body = multipart(filename, type, content)
    return t.app.inject({
      method: 'POST',
      url: '/api/documents',
      headers: { ...auth, ...body.headers },
      payload: body.payload,
    })
  }
  const get = (auth: Record<string, string>, id: string) =>
    t.app.inject({ method: 'GET', url: `/api/documents/${id}`, headers: auth })

  it('extracts a PDF, analyses it as a queued task with progress on the stream, and finds its figures', async () => {
    const user = await signUp(t.app)
    const stream = await openSse(`${base}/api/realtime/stream`, user.auth)
    await stream.next((m) => m.event === 'ready')
    const response = await upload(user.auth, 'q3-report.pdf', 'application/pdf', await reportPdf())
    expect(response.statusCode).toBe(201)
    const doc = response.json() as {
      id: string
      mediaType: string
      pages: number
      status: string
      taskId: string
      textChars: number
    }
    expect(doc).toMatchObject({ mediaType: 'application/pdf', pages: 2, status: 'queued' })
    expect(doc.textChars).toBeGreaterThan(50)
    const done = await stream.next(
      (m) => m.event === 'document.updated' && (m.json.payload as { status: string }).status === 'analysed',
    )
    expect(done.json.payload).toMatchObject({ documentId: doc.id, progress: 100 })
    const stages = stream
      .events()
      .filter((m) => m.event === 'document.updated')
      .map((m) => (m.json.payload as { status: string }).status)
    expect(stages).toEqual(['processing', 'analysed'])
    stream.close()

    const detail = (await get(user.auth, doc.id)).json() as {
      status: string
      provider: string
      text: string
      analysis: {
        summary: string
        keyFigures: Array<{ label: string; value: string; page: number }>
        risks: Array<{ risk: string; page: number }>
        nextAssessments: Array<{ assessment: string }>
      }
    }
    expect(detail).toMatchObject({ status: 'analysed', provider: 'rules' })
    expect(detail.text).toContain('Revenue: $1,250,000')
    expect(detail.analysis.keyFigures).toContainEqual(
      expect.objectContaining({ label: 'Revenue', value: '$1,250,000', page: 1 }),
    )
    expect(detail.analysis.keyFigures).toContainEqual(expect.objectContaining({ value: '42%', page: 1 }))
    expect(detail.analysis.risks).toContainEqual(expect.objectContaining({ risk: 'Debt and late payments', page: 2 }))
    expect(detail.analysis.nextAssessments[0]!.assessment).toBe('sales')
    const task = (
      await t.app.inject({ method: 'GET', url: `/api/ai/tasks/${doc.taskId}`, headers: user.auth })
    ).json() as { status: string; type: string }
    expect(task).toMatchObject({ status: 'completed', type: 'document_analysis' })
  })

  it('takes an image by its bytes, whatever its name', async () => {
    const user = await signUp(t.app)
    const response = await upload(user.auth, 'photo.jpg', 'image/jpeg', png())
    expect(response.statusCode).toBe(201)
    expect(response.json()).toMatchObject({ mediaType: 'image/png', width: 2, height: 1, pages: null, textChars: 0 })
    const id = (response.json() as { id: string }).id
    const analysed = await eventually(async () => {
      const d = (await get(user.auth, id)).json() as { status: string; analysis: { summary: string } | null }
      return d.status === 'analysed' ? d : undefined
    })
    expect(analysed.analysis!.summary).toContain('2×1 pixels')
  })

  it('refuses a renamed executable (415), an encrypted PDF and a broken one (422), and an oversized file (413)', async () => {
    const user = await signUp(t.app)
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(200, 0x41)])
    const renamed = await upload(user.auth, 'invoice.pdf', 'application/pdf', exe)
    expect(renamed.statusCode).toBe(415)
    expect(errorOf(renamed).error.code).toBe('unsupported_media_type')
    const encrypted = await upload(user.auth, 'secret.pdf', 'application/pdf', ENCRYPTED_PDF)
    expect(encrypted.statusCode).toBe(422)
    expect(errorOf(encrypted).error.code).toBe('document_encrypted')
    const broken = await upload(
      user.auth,
      'broken.pdf',
      'application/pdf',
      Buffer.from('%PDF-1.4\nthis is not a pdf body at all'),
    )
    expect(broken.statusCode).toBe(422)
    expect(errorOf(broken).error.code).toBe('document_unreadable')
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20)
    big.write('%PDF-1.4\n')
    const oversized = await upload(user.auth, 'big.pdf', 'application/pdf', big)
    expect(oversized.statusCode).toBe(413)
    expect(errorOf(oversized).error.code).toBe('file_too_large')
    const listed = (await t.app.inject({ method: 'GET', url: '/api/documents', headers: user.auth })).json() as {
      documents: unknown[]
    }
    expect(listed.documents).toEqual([])
  })

  it("keeps one user's documents from another, exports them, and deletes them with their file", async () => {
    const a = await signUp(t.app)
    const b = await signUp(t.app)
    const id = ((await upload(a.auth, 'report.pdf', 'application/pdf', await reportPdf())).json() as { id: string }).id
    expect((await get(b.auth, id)).statusCode).toBe(404)
    expect(
      (
        (await t.app.inject({ method: 'GET', url: '/api/documents', headers: b.auth })).json() as {
          documents: unknown[]
        }
      ).documents,
    ).toEqual([])
    expect((await t.app.inject({ method: 'DELETE', url: `/api/documents/${id}`, headers: b.auth })).statusCode).toBe(
      404,
    )
    expect((await get(a.auth, id)).statusCode).toBe(200)

    const exported = (await t.app.inject({ method: 'GET', url: '/api/me/export', headers: a.auth })).json() as {
      tables: Record<string, Array<{ id: string }>>
    }
    expect(exported.tables.documents!.map((d) => d.id)).toEqual([id])

    expect((await t.app.inject({ method: 'DELETE', url: `/api/documents/${id}`, headers: a.auth })).statusCode).toBe(
      204,
    )
    expect((await get(a.auth, id)).statusCode).toBe(404)
    const [files] = await t.container.db.query<{ n: number }>(
      'select count(*)::int as n from document_files where document_id = $1',
      [id],
    )
    expect(files!.n).toBe(0)

    const other = ((await upload(a.auth, 'again.pdf', 'application/pdf', await reportPdf())).json() as { id: string })
      .id
    const deleted = await t.app.inject({ method: 'DELETE', url: '/api/me', headers: a.auth })
    expect((deleted.json() as { deleted: Record<string, number> }).deleted.documents).toBe(1)
    const [left] = await t.container.db.query<{ n: number }>(
      'select count(*)::int as n from document_files where document_id = $1',
      [other],
    )
    expect(left!.n).toBe(0)
  })
})
