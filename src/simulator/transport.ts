import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FaultPlan } from './faults.ts'
import type { StreamEvent } from './formats/wire.ts'

/** The simulator's HTTP transport: reading requests, JSON and text answers, SSE and binary streams with their faults. */

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v.join(',') : v
}

export function hasCredentials(req: IncomingMessage, url: URL): boolean {
  const h = req.headers
  // Bedrock clients sign with SigV4 (an Authorization header) or send a Bedrock API key as a bearer.
  return Boolean(
    h.authorization || h['x-api-key'] || h['x-goog-api-key'] || h['api-key'] || url.searchParams.get('key'),
  )
}

/** A binary event stream (Bedrock): frames as they come, with the same faults as SSE. */
export async function streamFrames(
  res: ServerResponse,
  stream: { contentType: string; frames: Buffer[] },
  plan: FaultPlan,
): Promise<void> {
  const { frames } = stream
  res.writeHead(200, { 'content-type': stream.contentType, 'x-request-id': `sim-${Date.now().toString(36)}` })
  const half = frames.slice(0, Math.max(2, Math.floor(frames.length / 2)))
  switch (plan.failure.kind) {
    case 'truncate':
      res.write(Buffer.concat(half), () => res.socket?.destroy())
      return
    case 'stall':
      res.write(Buffer.concat(half))
      return
    case 'malformed': {
      // The first frame, then one whose checksum does not match its bytes.
      const broken = Buffer.from(frames[1] ?? frames[0] ?? Buffer.alloc(16))
      broken.writeUInt32BE((broken.readUInt32BE(broken.length - 4) + 1) >>> 0, broken.length - 4)
      res.end(Buffer.concat([frames[0] ?? Buffer.alloc(0), broken]))
      return
    }
  }
  if (plan.chunkDelayMs <= 0) {
    res.end(Buffer.concat(frames))
    return
  }
  for (const f of frames) {
    if (res.destroyed) return
    res.write(f)
    await sleep(plan.chunkDelayMs)
  }
  res.end()
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendText(res, status, 'application/json', JSON.stringify(body), headers)
}

export function sendText(
  res: ServerResponse,
  status: number,
  type: string,
  text: string,
  headers: Record<string, string> = {},
): void {
  const body = Buffer.from(text)
  res.writeHead(status, {
    'content-type': type,
    'content-length': body.length,
    'x-request-id': `sim-${Date.now().toString(36)}`,
    ...headers,
  })
  res.end(body)
}

/** Announce the full length, send half, then cut the connection. */
export function sendTruncated(res: ServerResponse, type: string, text: string): void {
  const body = Buffer.from(text)
  res.writeHead(200, { 'content-type': type, 'content-length': body.length })
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy())
}

export async function streamEvents(
  res: ServerResponse,
  events: StreamEvent[],
  separator: string,
  plan: FaultPlan,
): Promise<void> {
  const encode = (e: StreamEvent) => `${e.event ? `event: ${e.event}\n` : ''}data: ${e.data}${separator}`
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': `sim-${Date.now().toString(36)}`,
  })
  const kind = plan.failure.kind
  if (kind === 'truncate') {
    // Half the events, then the connection drops: no terminal event ever arrives.
    const half = events.slice(0, Math.max(2, Math.floor(events.length / 2)))
    res.write(half.map(encode).join(''), () => res.socket?.destroy())
    return
  }
  if (kind === 'stall') {
    // Half the events, then silence on an open connection (a stuck upstream mid-stream).
    res.write(
      events
        .slice(0, Math.max(2, Math.floor(events.length / 2)))
        .map(encode)
        .join(''),
    )
    return
  }
  if (kind === 'malformed') {
    // The first event, then the next one (under its own event name) with broken JSON.
    const [first, second] = events
    res.end(
      `${first ? encode(first) : ''}${second?.event ? `event: ${second.event}\n` : ''}data: {"choices":[{"delta":{"content":"bro${separator}`,
    )
    return
  }
  if (plan.chunkDelayMs <= 0) {
    res.end(events.map(encode).join(''))
    return
  }
  for (const event of events) {
    if (res.destroyed) return
    res.write(encode(event))
    await sleep(plan.chunkDelayMs)
  }
  res.end()
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
