import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What a provider received: the path (e.g. `/openai/v1/chat/completions`), headers and the JSON body. */
export type RecordedRequest = { method: string; path: string; headers: IncomingMessage['headers']; body: unknown }

export type RecordingUpstream = {
  /** This proxy's origin: point `simulatorEnv(url, …)` at it. */
  url: string
  requests: RecordedRequest[]
  /** Requests whose path contains this text (e.g. `/anthropic/`). */
  to(pathPart: string): RecordedRequest[]
  clear(): void
  /** Answer a request here instead of forwarding it (return true when answered). */
  script: ((request: RecordedRequest, res: ServerResponse) => boolean) | undefined
  close(): Promise<void>
}

/**
 * A proxy in front of the simulator that records what each provider received, so a test can
 * assert what the gateway sent upstream (parameters carried, not dropped). It forwards everything
 * as is, or answers by `script`.
 */
export async function createRecordingUpstream(target: string): Promise<RecordingUpstream> {
  const targetUrl = new URL(target)
  const requests: RecordedRequest[] = []
  const recorder: RecordingUpstream = {
    url: '',
    requests,
    to: (part) => requests.filter((r) => r.path.includes(part)),
    clear: () => void requests.splice(0),
    script: undefined,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      let body: unknown
      try {
        body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined
      } catch {
        body = raw.toString('utf8')
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body,
      }
      requests.push(recorded)
      if (recorder.script?.(recorded, res)) return
      const upstream = httpRequest(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: targetUrl.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          // An upstream that drops the connection drops ours too (a cut-off stream stays cut off).
          answer.on('aborted', () => res.destroy())
          answer.on('error', () => res.destroy())
          answer.pipe(res)
        },
      )
      upstream.on('error', () => res.destroy())
      res.on('close', () => upstream.destroy())
      upstream.end(raw)
    })
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  recorder.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return recorder
}
