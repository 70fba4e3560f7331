/**
 * bench/realtime: 1,000 SSE clients on one process.
 *   - commit → receipt latency (p50, p99) of per-user events, one stream per user;
 *   - fan-out time of one admin event to 1,000 admin streams.
 * Loopback only; server and clients share this process (and its 2 cores), so the figures include
 * the clients' own parsing. Usage: node bench/realtime.ts [--backend postgres|pglite] [--clients 1000]
 */
import http from 'node:http'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { createTokenService } from '../src/auth/tokens.ts'
import { loadConfig } from '../src/config/env.ts'
import { openDatabase, type Database } from '../src/data/db.ts'
import { migrate } from '../src/data/migrate.ts'
import { createUser } from '../src/data/repositories/users.ts'
import { publish } from '../src/events/publish.ts'
import { buildApp } from '../src/http/app.ts'
import { createContainer } from '../src/main/container.ts'

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789'

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'postgres' }, clients: { type: 'string', default: '1000' }, samples: { type: 'string', default: '2000' } } })
const CLIENTS = Number(values.clients)
const SAMPLES = Number(values.samples)
const backend = values.backend === 'pglite' ? 'pglite' : 'postgres'

async function adminQuery(text: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
const ms = (n: number) => `${n.toFixed(2)} ms`

async function main() {
  const dbName = `oq_bench_rt_${Date.now().toString(36)}`
  let db: Database
  if (backend === 'postgres') {
    await adminQuery(`create database ${dbName}`)
    db = await openDatabase({ kind: 'postgres', url: ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`), poolSize: 20 })
  } else {
    db = await openDatabase({ kind: 'pglite' })
  }
  const started = Date.now()
  try {
    await migrate(db)
    const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', JWT_SECRET: SECRET, OPTIMALIQ_DATA_DIR: '/tmp/optimaliq-bench', REALTIME_MAX_STREAMS_PER_USER: '2' })
    const container = await createContainer(config, { db, migrate: false })
    const app = await buildApp(container)
    const base = await app.listen({ host: '127.0.0.1', port: 0 })
    const tokens = createTokenService({ secret: SECRET, expiresInSeconds: 3600 })

    // Users and admins straight into the table (sign-up's scrypt would dominate the set-up time).
    const users: Array<{ id: string; token: string }> = []
    const admins: Array<{ id: string; token: string }> = []
    for (let i = 0; i < CLIENTS * 2; i++) {
      const role = i < CLIENTS ? ('user' as const) : ('admin' as const)
      const row = await createUser(db.orm, { email: `bench.${i}.${started}@example.com`, passwordHash: null, role })
      const { token } = await tokens.issue({ id: row.id, email: row.email, role, tier: 'free' })
      ;(role === 'user' ? users : admins).push({ id: row.id, token })
    }

    const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })
    /** Receipt time of each event id, per stream. */
    const receipts = new Map<number, number[]>()
    let readyCount = 0
    function open(token: string, query = '') {
      return new Promise<http.ClientRequest>((resolve, reject) => {
        const req = http.get(`${base}/api/realtime/stream${query}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`stream status ${res.statusCode}`))
          res.setEncoding('utf8')
          let buffer = ''
          res.on('data', (chunk: string) => {
            const now = performance.now()
            buffer += chunk
            let end: number
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end)
              buffer = buffer.slice(end + 2)
              if (block.startsWith('id: ')) {
                const id = Number(block.slice(4, block.indexOf('\n')))
                const list = receipts.get(id) ?? []
                list.push(now)
                receipts.set(id, list)
              } else if (block.includes('event: ready')) readyCount++
            }
          })
          resolve(req)
        })
        req.on('error', reject)
      })
    }
    const openAll = async (list: Array<{ token: string }>, query: string) => {
      const requests: http.ClientRequest[] = []
      for (let i = 0; i < list.length; i += 100) requests.push(...(await Promise.all(list.slice(i, i + 100).map((u) => open(u.token, query)))))
      return requests
    }
    const userStreams = await openAll(users, '')
    const adminStreams = await openAll(admins, '?admin=1')
    while (readyCount < CLIENTS * 2) await new Promise((r) => setTimeout(r, 10))

    // 1. Per-user events: publish (commit) → receipt on that user's stream.
    const sent = new Map<number, number>()
    const committed = new Map<number, number>()
    let next = 0
    const publishOne = async () => {
      const user = users[next++ % users.length]!
      const t0 = performance.now()
      const id = await db.transaction((tx) => publish(tx, { type: 'dashboard.updated', userId: user.id, payload: { provider: 'rules' } }))
      committed.set(id, performance.now())
      sent.set(id, t0)
    }
    const tStart = performance.now()
    // Four concurrent publishers: a steady stream of commits rather than one at a time.
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < SAMPLES) await publishOne()
    }))
    const publishSeconds = (performance.now() - tStart) / 1000
    const deadline = Date.now() + 15_000
    while ([...sent.keys()].some((id) => !receipts.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    const latencies = [...sent].map(([id, t0]) => (receipts.get(id)?.[0] ?? Number.POSITIVE_INFINITY) - t0).sort((a, b) => a - b)
    const lost = latencies.filter((l) => !Number.isFinite(l)).length
    // From the moment COMMIT returned to the publisher (receipt can even precede it: NOTIFY and the
    // commit acknowledgement race), clamped at 0.
    const afterCommit = [...committed].map(([id, t1]) => Math.max(0, (receipts.get(id)?.[0] ?? Number.POSITIVE_INFINITY) - t1)).sort((a, b) => a - b)

    // 2. Fan-out: one admin event to every admin stream.
    const fanouts: number[] = []
    const fanP50: number[] = []
    for (let round = 0; round < 5; round++) {
      const t0 = performance.now()
      const id = await db.transaction((tx) =>
        publish(tx, { type: 'alert.fired', userId: null, audience: 'admin', payload: { alertId: crypto.randomUUID(), ruleId: 'bench', scope: 'all', value: round, message: 'bench alert' } }),
      )
      const until = Date.now() + 15_000
      while ((receipts.get(id)?.length ?? 0) < CLIENTS && Date.now() < until) await new Promise((r) => setImmediate(r))
      const times = (receipts.get(id) ?? []).map((t) => t - t0).sort((a, b) => a - b)
      fanouts.push(times.at(-1) ?? Number.POSITIVE_INFINITY)
      fanP50.push(percentile(times, 50))
      if (times.length < CLIENTS) console.error(`fan-out round ${round}: only ${times.length}/${CLIENTS} admin streams received the event`)
      await new Promise((r) => setTimeout(r, 50))
    }
    fanouts.sort((a, b) => a - b)

    const p50 = percentile(latencies, 50)
    const p99 = percentile(latencies, 99)
    console.log(`\nbench/realtime — ${backend}, ${CLIENTS} user streams + ${CLIENTS} admin streams on one process, ${SAMPLES} per-user events (${(SAMPLES / publishSeconds).toFixed(0)} commits/s)\n`)
    console.log('| figure | measured | target |')
    console.log('|---|---|---|')
    console.log(`| per-user event, commit → receipt p50 | ${ms(percentile(afterCommit, 50))} | ≤ 5 ms |`)
    console.log(`| per-user event, commit → receipt p99 | ${ms(percentile(afterCommit, 99))} | ≤ 50 ms |`)
    console.log(`| per-user event, publish() start (insert + commit) → receipt p50 | ${ms(p50)} | — |`)
    console.log(`| per-user event, publish() start → receipt p99 | ${ms(p99)} | — |`)
    console.log(`| per-user events lost | ${lost} of ${SAMPLES} | 0 |`)
    console.log(`| admin event fan-out to ${CLIENTS} streams, all received (median of 5) | ${ms(percentile(fanouts, 50))} | — |`)
    console.log(`| admin event fan-out, median stream receipt (median of 5) | ${ms(fanP50.sort((a, b) => a - b)[2]!)} | — |`)
    console.log(`\nreceipt = the client's socket read in this process; setup ${((Date.now() - started) / 1000).toFixed(1)} s total, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`)

    for (const req of [...userStreams, ...adminStreams]) req.destroy()
    agent.destroy()
    await app.close()
    await container.close()
  } finally {
    await db.close()
    if (backend === 'postgres') await adminQuery(`drop database if exists ${dbName} with (force)`)
  }
}

await main()
