import http from 'node:http'

/** One parsed SSE message. */
export type SseMessage = { id?: string; event: string; data: string; json: Record<string, unknown> }

/**
 * A Server-Sent Events reader over a real HTTP connection (node:http), as a browser EventSource
 * would open it: `next(predicate)` waits for a matching message, `messages` keeps all of them.
 */
export type SseClient = {
  status: number
  messages: SseMessage[]
  /** Events only (messages with an id), in arrival order. */
  events(): SseMessage[]
  next(predicate?: (m: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>
  /** Resolves when the server ends the stream. */
  ended: Promise<void>
  close(): void
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      const messages: SseMessage[] = []
      const waiters: Array<{ predicate: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void; from: number }> =
        []
      let buffer = ''
      let endResolve!: () => void
      const ended = new Promise<void>((r) => (endResolve = r))
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        buffer += chunk
        let index: number
        while ((index = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, index)
          buffer = buffer.slice(index + 2)
          const message: SseMessage = { event: 'message', data: '', json: {} }
          let hasData = false
          for (const line of block.split('\n')) {
            if (line.startsWith(':') || line === '') continue
            const colon = line.indexOf(':')
            const field = colon < 0 ? line : line.slice(0, colon)
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
            if (field === 'id') message.id = value
            else if (field === 'event') message.event = value
            else if (field === 'data') {
              message.data += (hasData ? '\n' : '') + value
              hasData = true
            }
          }
          if (!hasData) continue
          try {
            message.json = JSON.parse(message.data) as Record<string, unknown>
          } catch {
            message.json = {}
          }
          messages.push(message)
          for (const waiter of [...waiters]) {
            if (waiter.predicate(message)) {
              waiters.splice(waiters.indexOf(waiter), 1)
              waiter.resolve(message)
            }
          }
        }
      })
      response.on('end', () => endResolve())
      response.on('close', () => endResolve())
      response.on('error', () => endResolve())
      let cursor = 0
      resolve({
        status: response.statusCode ?? 0,
        messages,
        events: () => messages.filter((m) => m.id !== undefined),
        next(predicate = () => true, timeoutMs = 15_000) {
          // Consume in order: a message matched once is not returned again.
          for (let i = cursor; i < messages.length; i++) {
            if (predicate(messages[i]!)) {
              cursor = i + 1
              return Promise.resolve(messages[i]!)
            }
          }
          return new Promise((res, rej) => {
            const timer = setTimeout(
              () => rej(new Error(`no matching SSE message within ${timeoutMs} ms (got ${messages.length})`)),
              timeoutMs,
            )
            waiters.push({
              predicate,
              from: cursor,
              resolve: (m) => {
                clearTimeout(timer)
                cursor = messages.indexOf(m) + 1
                res(m)
              },
            })
          })
        },
        ended,
        close: () => request.destroy(),
      })
    })
    request.on('error', reject)
  })
}

/** Wait until `check` returns a truthy value (polling), or fail after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
