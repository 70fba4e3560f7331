/**
 * Worker thread for bench/realtime: opens SSE streams and reports, for every event, when each
 * stream read it. Clients run on their own thread so their parsing does not sit in the server's
 * event loop. Timestamps are `performance.timeOrigin + performance.now()` (comparable across threads).
 */
import http from 'node:http'
import { parentPort, workerData } from 'node:worker_threads'

const { base, streams } = workerData as { base: string; streams: Array<{ token: string; query: string }> }
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })
const now = () => performance.timeOrigin + performance.now()
let pending: Array<[number, number]> = []
let ready = 0

function open(token: string, query: string) {
  return new Promise<void>((resolve, reject) => {
    const req = http.get(
      `${base}/api/realtime/stream${query}`,
      { agent, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream status ${res.statusCode}`))
        res.setEncoding('utf8')
        let buffer = ''
        res.on('data', (chunk: string) => {
          const t = now()
          buffer += chunk
          let end: number
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            if (block.startsWith('id: ')) pending.push([Number(block.slice(4, block.indexOf('\n'))), t])
            else if (block.includes('event: ready')) ready++
          }
        })
        resolve()
      },
    )
    req.on('error', reject)
  })
}

for (let i = 0; i < streams.length; i += 100)
  await Promise.all(streams.slice(i, i + 100).map((s) => open(s.token, s.query)))
while (ready < streams.length) await new Promise((r) => setTimeout(r, 10))
parentPort!.postMessage({ kind: 'ready' })
setInterval(() => {
  if (pending.length === 0) return
  parentPort!.postMessage({ kind: 'receipts', receipts: pending })
  pending = []
}, 5)
parentPort!.on('message', (m: { kind: string }) => {
  if (m.kind === 'stop') process.exit(0)
})
