/**
 * bench/queue: pg-boss through `src/queue/queue.ts`, as the app uses it.
 *   - throughput: no-op jobs completed per second, draining a backlog with the in-process worker;
 *   - pickup: enqueue → handler start p50/p99 for single jobs sent to an idle worker (LISTEN/NOTIFY wake-up).
 * Usage: node bench/queue.ts [--backend postgres|pglite|both] [--jobs 10000] [--samples 200]
 */
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import pino from 'pino'
import { z } from 'zod'
import { openDatabase, type Database } from '../src/data/db.ts'
import { createQueue } from '../src/queue/queue.ts'
import { ADMIN_URL, admin as adminQuery, percentile } from './lib/server.ts'

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'both' },
    jobs: { type: 'string', default: '10000' },
    samples: { type: 'string', default: '200' },
  },
})
const JOBS = Number(values.jobs)
const SAMPLES = Number(values.samples)
const backends =
  values.backend === 'both'
    ? (['postgres', 'pglite'] as const)
    : ([values.backend === 'pglite' ? 'pglite' : 'postgres'] as const)

const now = () => performance.timeOrigin + performance.now()

type Result = {
  backend: string
  jobsPerSecond: number
  pickupP50: number
  pickupP99: number
  sendP50: number
  afterSendP50: number
}

async function run(backend: 'postgres' | 'pglite'): Promise<Result> {
  const dbName = `oq_bench_q_${Date.now().toString(36)}`
  let db: Database
  if (backend === 'postgres') {
    await adminQuery(`create database ${dbName}`)
    db = await openDatabase({ kind: 'postgres', url: ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`), poolSize: 4 })
  } else {
    db = await openDatabase({ kind: 'pglite' })
  }
  const logger = pino({ level: 'warn' })
  const queue = createQueue({ db, logger, batchSize: 100, concurrency: 4 })
  try {
    // 1. Throughput: a backlog of no-op jobs, then the worker drains it.
    let done = 0
    let allDone!: () => void
    const finished = new Promise<void>((r) => (allDone = r))
    queue.register('bench.noop', z.object({ n: z.number() }), async () => {
      if (++done === JOBS) allDone()
    })
    const boss = await queue.boss()
    await queue.ready('bench.noop')
    for (let i = 0; i < JOBS; i += 1000)
      await boss.insert(
        'bench.noop',
        Array.from({ length: Math.min(1000, JOBS - i) }, (_, k) => ({ data: { n: i + k } })),
      )
    if (backend === 'postgres') await db.exec('analyze pgboss.job') // DESIGN §3: ANALYZE after bulk loads
    const t0 = performance.now()
    await queue.startWorkers()
    await finished
    const jobsPerSecond = JOBS / ((performance.now() - t0) / 1000)

    // 2. Pickup latency: one job at a time to an idle worker.
    const pickups: number[] = []
    const sends: number[] = []
    const afterSend: number[] = []
    let sendDone = 0
    let waiting: (() => void) | undefined
    queue.register(
      'bench.ping',
      z.object({ sentAt: z.number() }),
      async ({ sentAt }) => {
        const t = now()
        pickups.push(t - sentAt)
        if (sendDone) afterSend.push(t - sendDone)
        waiting?.()
      },
      { batchSize: 1, concurrency: 1 },
    )
    await queue.ready('bench.ping')
    await new Promise((r) => setTimeout(r, 500)) // the worker registered on start has begun waiting
    for (let i = 0; i < SAMPLES; i++) {
      const got = new Promise<void>((r) => (waiting = r))
      const sentAt = now()
      sendDone = 0
      await queue.enqueue('bench.ping', { sentAt })
      sendDone = now()
      sends.push(sendDone - sentAt)
      await Promise.race([got, new Promise((r) => setTimeout(r, 5_000))])
      await new Promise((r) => setTimeout(r, 5))
    }
    pickups.sort((a, b) => a - b)
    sends.sort((a, b) => a - b)
    afterSend.sort((a, b) => a - b)
    return {
      backend,
      jobsPerSecond,
      pickupP50: percentile(pickups, 50),
      pickupP99: percentile(pickups, 99),
      sendP50: percentile(sends, 50),
      afterSendP50: afterSend.length ? percentile(afterSend, 50) : NaN,
    }
  } finally {
    await queue.stop(2_000)
    await db.close()
    if (backend === 'postgres') await adminQuery(`drop database if exists ${dbName} with (force)`)
  }
}

const results: Result[] = []
for (const backend of backends) results.push(await run(backend))
console.log(
  `\nbench/queue — pg-boss 12, LISTEN/NOTIFY on, batch 100 × 4 fetch loops, ${JOBS} no-op jobs, ${SAMPLES} pickup samples\n`,
)
console.log('| backend | no-op jobs/s | target | enqueue → handler start p50 | p99 | target p50 |')
console.log('|---|---|---|---|---|---|')
for (const r of results) {
  const target = r.backend === 'postgres'
  console.log(
    `| ${r.backend} | ${r.jobsPerSecond.toFixed(0)} | ${target ? '≥ 2,000' : '—'} | ${r.pickupP50.toFixed(2)} ms | ${r.pickupP99.toFixed(2)} ms | ${target ? '≤ 10 ms' : '—'} |`,
  )
}
console.log(
  '\nbreakdown of the pickup (p50): enqueue call (pg-boss insert + NOTIFY, committed) | enqueue returned → handler start',
)
for (const r of results)
  console.log(
    `  ${r.backend}: ${r.sendP50.toFixed(2)} ms | ${Number.isNaN(r.afterSendP50) ? 'handler started before enqueue returned' : `${r.afterSendP50.toFixed(2)} ms`}`,
  )
console.log(
  `\nload average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)
