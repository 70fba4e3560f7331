/**
 * bench/realtime: 1,000 SSE clients on one process.
 *   - commit → receipt latency (p50, p99) of per-user events, one stream per user;
 *   - fan-out time of one admin event to 1,000 admin streams.
 * Loopback only; the clients run on a worker thread of this process (bench/lib/sse-clients.ts). Usage: node bench/realtime.ts [--backend postgres|pglite] [--clients 1000] [--rate 200]
 */
import { Worker } from 'node:worker_threads'
import { parseArgs } from 'node:util'
import { createTokenService } from '../src/auth/tokens.ts'
import { loadConfig } from '../src/config/env.ts'
import { openDatabase, type Database } from '../src/data/db.ts'
import { migrate } from '../src/data/migrate.ts'
import { createUser } from '../src/data/repositories/users.ts'
import { publish } from '../src/events/publish.ts'
import { buildApp } from '../src/http/app.ts'
import { createContainer } from '../src/main/container.ts'
import { ADMIN_URL, admin as adminQuery, percentile } from './lib/server.ts'

const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789'

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'postgres' },
    clients: { type: 'string', default: '1000' },
    samples: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '200' },
  },
})
const RATE = Number(values.rate)
const CLIENTS = Number(values.clients)
const SAMPLES = Number(values.samples)
const backend = values.backend === 'pglite' ? 'pglite' : 'postgres'

const ms = (n: number) => `${n.toFixed(2)} ms`
const now = () => performance.timeOrigin + performance.now()

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
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      JWT_SECRET: SECRET,
      OPTIMALIQ_DATA_DIR: '/tmp/optimaliq-bench',
      REALTIME_MAX_STREAMS_PER_USER: '2',
    })
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

    /** Receipt times (epoch ms, high resolution) of each event id, one per stream that read it. */
    const receipts = new Map<number, number[]>()
    const clients = new Worker(new URL('./lib/sse-clients.ts', import.meta.url), {
      workerData: {
        base,
        streams: [
          ...users.map((u) => ({ token: u.token, query: '' })),
          ...admins.map((u) => ({ token: u.token, query: '?admin=1' })),
        ],
      },
    })
    await new Promise<void>((resolve, reject) => {
      clients.on('error', reject)
      clients.on('message', (m: { kind: string; receipts?: Array<[number, number]> }) => {
        if (m.kind === 'ready') resolve()
        for (const [id, t] of m.receipts ?? []) {
          const list = receipts.get(id) ?? []
          list.push(t)
          receipts.set(id, list)
        }
      })
    })

    // 1. Per-user events: publish (commit) → receipt on that user's stream.
    const sent = new Map<number, number>()
    const committed = new Map<number, number>()
    let next = 0
    const publishOne = async () => {
      const user = users[next++ % users.length]!
      const t0 = now()
      const id = await db.transaction((tx) =>
        publish(tx, { type: 'dashboard.updated', userId: user.id, payload: { provider: 'rules' } }),
      )
      committed.set(id, now())
      sent.set(id, t0)
    }
    const tStart = now()
    // An offered load of RATE events/s (commits overlap when one takes longer than the interval):
    // latency at a given load, not the queueing delay of a saturated single PGlite connection.
    const inFlight: Array<Promise<void>> = []
    for (let i = 0; i < SAMPLES; i++) {
      const due = tStart + (i * 1000) / RATE
      const wait = due - now()
      if (wait > 1) await new Promise((r) => setTimeout(r, wait))
      inFlight.push(publishOne())
    }
    await Promise.all(inFlight)
    const publishSeconds = (now() - tStart) / 1000
    const deadline = Date.now() + 15_000
    while ([...sent.keys()].some((id) => !receipts.has(id)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10))
    const latencies = [...sent]
      .map(([id, t0]) => (receipts.get(id)?.[0] ?? Number.POSITIVE_INFINITY) - t0)
      .sort((a, b) => a - b)
    const lost = latencies.filter((l) => !Number.isFinite(l)).length
    // From the moment COMMIT returned to the publisher (receipt can even precede it: NOTIFY and the
    // commit acknowledgement race), clamped at 0.
    const afterCommit = [...committed]
      .map(([id, t1]) => Math.max(0, (receipts.get(id)?.[0] ?? Number.POSITIVE_INFINITY) - t1))
      .sort((a, b) => a - b)

    // 2. Fan-out: one admin event to every admin stream. A sink added after the realtime hub's runs
    // once the hub has written the frame to every stream: the server-side part of the fan-out.
    const written = new Map<number, number>()
    container.events.addSink((batch) => {
      const t = now()
      for (const e of batch) written.set(e.id, t)
    })
    const serverSide: number[] = []
    const fanouts: number[] = []
    const fanP50: number[] = []
    for (let round = 0; round < 5; round++) {
      const t0 = now()
      const id = await db.transaction((tx) =>
        publish(tx, {
          type: 'alert.fired',
          userId: null,
          audience: 'admin',
          payload: {
            alertId: crypto.randomUUID(),
            ruleId: 'bench',
            scope: 'all',
            value: round,
            message: 'bench alert',
          },
        }),
      )
      const until = Date.now() + 15_000
      while ((receipts.get(id)?.length ?? 0) < CLIENTS && Date.now() < until) await new Promise((r) => setTimeout(r, 1))
      const times = (receipts.get(id) ?? []).map((t) => t - t0).sort((a, b) => a - b)
      fanouts.push(times.at(-1) ?? Number.POSITIVE_INFINITY)
      serverSide.push((written.get(id) ?? Number.POSITIVE_INFINITY) - t0)
      fanP50.push(percentile(times, 50))
      if (times.length < CLIENTS)
        console.error(`fan-out round ${round}: only ${times.length}/${CLIENTS} admin streams received the event`)
      await new Promise((r) => setTimeout(r, 50))
    }
    fanouts.sort((a, b) => a - b)

    const p50 = percentile(latencies, 50)
    const p99 = percentile(latencies, 99)
    console.log(
      `\nbench/realtime — ${backend}, ${CLIENTS} user streams + ${CLIENTS} admin streams on one process, ${SAMPLES} per-user events offered at ${RATE}/s (achieved ${(SAMPLES / publishSeconds).toFixed(0)}/s)\n`,
    )
    console.log('| figure | measured | target |')
    console.log('|---|---|---|')
    console.log(`| per-user event, commit → receipt p50 | ${ms(percentile(afterCommit, 50))} | ≤ 5 ms |`)
    console.log(`| per-user event, commit → receipt p99 | ${ms(percentile(afterCommit, 99))} | ≤ 50 ms |`)
    console.log(`| per-user event, publish() start (insert + commit) → receipt p50 | ${ms(p50)} | — |`)
    console.log(`| per-user event, publish() start → receipt p99 | ${ms(p99)} | — |`)
    console.log(`| per-user events lost | ${lost} of ${SAMPLES} | 0 |`)
    console.log(
      `| admin event fan-out to ${CLIENTS} streams, all received (median of 5) | ${ms(percentile(fanouts, 50))} | — |`,
    )
    console.log(
      `| admin event fan-out, median stream receipt (median of 5) | ${ms(fanP50.sort((a, b) => a - b)[2]!)} | — |`,
    )
    console.log(
      `| admin event fan-out, server side: publish() start → written to all ${CLIENTS} streams (median of 5) | ${ms(serverSide.sort((a, b) => a - b)[2]!)} | — |`,
    )
    console.log(
      `\nreceipt = the client's socket read (client thread); receipts are batched to the main thread every 5 ms, which does not change the timestamps; setup ${((Date.now() - started) / 1000).toFixed(1)} s total, load average ${(
        await import('node:os')
      )
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    )

    clients.postMessage({ kind: 'stop' })
    await new Promise((r) => clients.once('exit', r))
    await app.close()
    await container.close()
  } finally {
    await db.close()
    if (backend === 'postgres') await adminQuery(`drop database if exists ${dbName} with (force)`)
  }
}

await main()
