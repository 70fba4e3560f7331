import { crc32, deflateSync } from 'node:zlib'
import { PDFDocument } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts'
import { BACKENDS } from '../../helpers/backends.ts'
import { createRecordingUpstream, type RecordingUpstream } from '../../helpers/recording-upstream.ts'
import { eventually } from '../../helpers/sse.ts'
import { createSimulator, simulatorEnv, type Simulator } from '../../../src/simulator/index.ts'

/**
 * An uploaded image, or the page scans of a PDF without text, go to a vision-capable model as
 * images (issue 15, item 6): the provider
 * receives it as an image part beside the prompt text; a route whose models cannot read images is
 * never called, and the rules engine answers, saying why.
 */

/** A valid 1×1 RGB PNG (CRC32 from zlib). */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type), data])
    const sum = Buffer.alloc(4)
    sum.writeUInt32BE(crc32(body))
    return Buffer.concat([len, body, sum])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(1, 0)
  ihdr.writeUInt32BE(1, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, 10, 200, 30]))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}
/** A valid 1×1 baseline JPEG. */
const JPEG_1X1 = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
)

const backend = BACKENDS.includes('postgres') ? 'postgres' : 'pglite'

describe.skipIf(BACKENDS.length === 0)('documents: images to a vision-capable model', () => {
  let sim: Simulator
  let upstream: RecordingUpstream
  const apps: TestApp[] = []

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' })
    upstream = await createRecordingUpstream(sim.url)
  })
  afterAll(async () => {
    for (const app of apps) await app.close()
    await upstream?.close()
    await sim?.close()
  })

  async function analyse(
    env: Record<string, string>,
    file: { name: string; type: string; bytes: Buffer } = { name: 'chart.png', type: 'image/png', bytes: png() },
  ) {
    const t = await startTestApp(backend, { TASK_RETRY_DELAY_SECONDS: '0', TASK_RETRY_LIMIT: '1', ...env })
    apps.push(t)
    await t.container.queue.startWorkers()
    const user = await signUp(t.app)
    const image = file.bytes
    const boundary = '----oqvision'
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
      ),
      image,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    const uploaded = await t.app.inject({
      method: 'POST',
      url: '/api/documents',
      headers: { ...user.auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    })
    expect(uploaded.statusCode, uploaded.body).toBe(201)
    const id = (uploaded.json() as { id: string }).id
    const doc = await eventually(async () => {
      const d = (await t.app.inject({ method: 'GET', url: `/api/documents/${id}`, headers: user.auth })).json() as {
        status: string
        provider: string | null
        analysis: { summary: string } | null
      }
      return d.status === 'analysed' || d.status === 'failed' ? d : undefined
    }, 30_000)
    return { doc, image }
  }

  it('sends the image itself to a model whose catalog says it can read images', async () => {
    upstream.clear()
    const { doc, image } = await analyse({ ...simulatorEnv(upstream.url, ['openai']), AI_PROVIDER: 'openai' })
    expect(doc).toMatchObject({ status: 'analysed', provider: 'openai' })
    const sent = upstream.to('/openai/')
    expect(sent).toHaveLength(1)
    const body = sent[0]!.body as { model: string; messages: Array<{ role: string; content: unknown }> }
    expect(body.model).toBe('gpt-4.1-mini')
    const user = body.messages.find((m) => m.role === 'user')!
    expect(Array.isArray(user.content)).toBe(true)
    const parts = user.content as Array<{ type: string; text?: string; image_url?: { url: string } }>
    expect(parts[0]).toMatchObject({ type: 'text' })
    expect(parts[0]!.text).toContain('The image is attached')
    expect(parts[1]).toEqual({
      type: 'image_url',
      image_url: { url: `data:image/png;base64,${image.toString('base64')}` },
    })
  })

  it('sends the page scans of a PDF without a text layer as images', async () => {
    upstream.clear()
    const pdf = await PDFDocument.create()
    // A copy: pdf-lib reads the JPEG from its buffer's start, and a small Buffer lives inside a shared pool.
    const scan = await pdf.embedJpg(new Uint8Array(JPEG_1X1))
    pdf.addPage([200, 200]).drawImage(scan, { x: 0, y: 0, width: 200, height: 200 })
    const bytes = Buffer.from(await pdf.save())
    const { doc } = await analyse(
      { ...simulatorEnv(upstream.url, ['openai']), AI_PROVIDER: 'openai' },
      { name: 'scan.pdf', type: 'application/pdf', bytes },
    )
    expect(doc).toMatchObject({ status: 'analysed', provider: 'openai' })
    const body = upstream.to('/openai/')[0]!.body as { messages: Array<{ role: string; content: unknown }> }
    const parts = body.messages.find((m) => m.role === 'user')!.content as Array<{
      type: string
      text?: string
      image_url?: { url: string }
    }>
    expect(parts[0]!.text).toContain('no text layer')
    expect(parts.slice(1)).toEqual([
      { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${JPEG_1X1.toString('base64')}` } },
    ])
  })

  it('never calls a model that cannot read images: the rules answer says a vision model is needed', async () => {
    upstream.clear()
    const { doc } = await analyse({
      ...simulatorEnv(upstream.url, ['bedrock']),
      AI_PROVIDER: 'bedrock',
      AI_MODEL: 'meta.llama3-1-8b-instruct-v1:0',
    })
    expect(doc).toMatchObject({ status: 'analysed', provider: 'rules' })
    expect(doc.analysis!.summary).toContain('vision-capable')
    expect(upstream.to('/bedrock/')).toHaveLength(0)
  })
})
