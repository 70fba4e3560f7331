// `npm run soak`: a real `optimaliq serve` under mixed load for SOAK_MINUTES (default 30) against the
// provider simulator: sign-ups and logins, profile and dashboard reads, assessments, simulations,
// AI features, queued tasks, /v1 chat (JSON and streams), with live SSE streams open throughout.
// Every SOAK_INTERVAL_SECONDS it records the server's RSS and heap (its own /metrics) and the
// interval's p50/p99, then says whether memory and p99 stayed flat (issue 17, docs/RELIABILITY.md).
// Env: SOAK_MINUTES, SOAK_INTERVAL_SECONDS, SOAK_CONCURRENCY (8), SOAK_BACKEND (postgres if it answers,
// else pglite). Results: bench/results/soak-<time>.json. Exit code 1 when not flat.
import { mkdir, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { createSimulator } from '../src/simulator/index.ts'
import { percentile, postgresAvailable, printTable, signupToken, startServer } from './lib/server.ts'
import { growthAnswers } from '../test/helpers/growth.ts'

const MINUTES = Number(process.env.SOAK_MINUTES ?? 30)
const INTERVAL_S = Number(process.env.SOAK_INTERVAL_SECONDS ?? Math.max(5, Math.min(60, (MINUTES * 60) / 12)))
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 8)
const STREAMS = 5
const USERS = 20
/** Growth beyond these ratios (last third vs first third, the warm-up interval left out) is "not flat". */
const MAX_MEMORY_GROWTH = 1.25
const MAX_P99_GROWTH = 1.5

const backend = (process.env.SOAK_BACKEND ?? ((await postgresAvailable()) ? 'postgres' : 'pglite')) as
  'postgres' | 'pglite'
const sim = await createSimulator({ port: 0, host: '127.0.0.1' })
const server = await startServer(backend, {
  ...sim.env(['openai']),
  AI_PROVIDER: 'openai',
  AI_RATE_LIMITS: JSON.stringify({
    free: { perMinute: 1_000_000, perHour: 1_000_000, perDay: 1_000_000, tokensPerDay: 1_000_000_000 },
  }),
  AUTH_LOGIN_ADDRESS_FAILURES: '1000000',
  TASK_SIMULATED_DELAY_MS: '0',
})
const base = server.url

const GROWTH = growthAnswers()
type User = { email: string; auth: Record<string, string>; v1: Record<string, string> }
const users: User[] = []
for (let i = 0; i < USERS; i++) {
  const email = `soak.${Date.now().toString(36)}.${i}@example.com`
  const token = await signupToken(base, email)
  const auth = { authorization: `Bearer ${token}` }
  const key = await fetch(`${base}/api/keys`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'soak' }),
  })
  const v1 = { authorization: `Bearer ${((await key.json()) as { key: string }).key}` }
  await fetch(`${base}/api/growth-assessment`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(GROWTH),
  })
  users.push({ email, auth, v1 })
}

// Live streams for the whole run (they receive every event of their users).
let streamed = 0
const streams = users
  .slice(0, STREAMS)
  .map((u) =>
    http.get(`${base}/api/realtime/stream`, { headers: { ...u.auth, accept: 'text/event-stream' } }, (res) =>
      res.on('data', (chunk: Buffer) => (streamed += (chunk.toString().match(/^id: /gm) ?? []).length)),
    ),
  )

type Op = { name: string; weight: number; run(u: User): Promise<Response> }
const json = (u: User, method: string, path: string, body?: unknown, headers = u.auth) =>
  fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
const chat = (u: User, stream: boolean, n: number) =>
  json(
    u,
    'POST',
    '/v1/chat/completions',
    { model: 'default', stream, messages: [{ role: 'user', content: `One growth tip, variant ${n % 50}` }] },
    u.v1,
  )
let n = 0
const OPS: Op[] = [
  { name: 'profile', weight: 15, run: (u) => json(u, 'GET', '/api/profile') },
  { name: 'dashboard', weight: 10, run: (u) => json(u, 'GET', '/api/dashboard') },
  { name: 'scores', weight: 10, run: (u) => json(u, 'GET', '/api/scores') },
  {
    name: 'login',
    weight: 3,
    run: (u) => json(u, 'POST', '/api/auth/login', { email: u.email, password: 'bench password 123' }, {}),
  },
  { name: 'growth-assessment', weight: 4, run: (u) => json(u, 'POST', '/api/growth-assessment', GROWTH) },
  { name: 'insights', weight: 5, run: (u) => json(u, 'POST', '/api/growthAssessment/getInsights', {}) },
  {
    name: 'simulation',
    weight: 8,
    run: (u) =>
      json(u, 'POST', '/api/growth_studio/simulation', {
        strategyChange: (n % 4) * 0.5,
        processChange: 0,
        technologyChange: 0.5,
        revenue: 1_000_000,
        costs: 700_000,
        efficiency: 50,
      }),
  },
  {
    name: 'task',
    weight: 4,
    run: (u) =>
      json(u, 'POST', '/api/ai/process', {
        type: 'assessment_analysis',
        input: { assessmentType: 'growth', scores: { strategy: (n % 8) * 0.5 + 1, process: 2 } },
      }),
  },
  { name: 'v1 chat', weight: 20, run: (u) => chat(u, false, n) },
  { name: 'v1 stream', weight: 6, run: (u) => chat(u, true, n) },
  { name: 'keys', weight: 3, run: (u) => json(u, 'GET', '/api/keys') },
  { name: 'usage', weight: 3, run: (u) => json(u, 'GET', '/api/me/ai-usage') },
]
const totalWeight = OPS.reduce((s, o) => s + o.weight, 0)
const pick = () => {
  let r = Math.random() * totalWeight
  for (const op of OPS) if ((r -= op.weight) < 0) return op
  return OPS[0]!
}

type Sample = {
  minute: number
  requests: number
  rps: number
  p50: number
  p99: number
  fiveXX: number
  otherErrors: number
  rssMb: number
  /** The lowest heap seen in the interval (sampled every second): the floor after collections, where a leak shows. */
  heapFloorMb: number
  heapMaxMb: number
}
const samples: Sample[] = []
let latencies: number[] = []
let fiveXX = 0
let otherErrors = 0
const errorsByOp = new Map<string, number>()
const started = Date.now()
const deadline = started + MINUTES * 60_000

async function metricsOf(): Promise<{ rssMb: number; heapMb: number }> {
  const text = await (await fetch(`${base}/metrics`)).text()
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)
  return {
    rssMb: value('optimaliq_process_resident_memory_bytes') / 1_048_576,
    heapMb: value('optimaliq_nodejs_heap_size_used_bytes') / 1_048_576,
  }
}

async function loop() {
  while (Date.now() < deadline) {
    const op = pick()
    const user = users[n++ % users.length]!
    const t0 = performance.now()
    try {
      const response = await op.run(user)
      await response.arrayBuffer()
      if (response.status >= 500) fiveXX += 1
      else if (response.status >= 400) {
        otherErrors += 1
        errorsByOp.set(`${op.name} ${response.status}`, (errorsByOp.get(`${op.name} ${response.status}`) ?? 0) + 1)
      }
    } catch {
      fiveXX += 1
    }
    latencies.push(performance.now() - t0)
  }
}

// The heap is a sawtooth between collections: poll it every second and keep each interval's floor and peak.
let heapSeen: number[] = []
const heapPoller = setInterval(() => {
  void metricsOf()
    .then((m) => heapSeen.push(m.heapMb))
    .catch(() => undefined)
}, 1000)

const sampler = setInterval(() => {
  const sorted = latencies.sort((a, b) => a - b)
  const requests = sorted.length
  const sample = { requests, fiveXX, otherErrors }
  latencies = []
  fiveXX = 0
  otherErrors = 0
  const heaps = heapSeen
  heapSeen = []
  void metricsOf().then((m) => {
    const row: Sample = {
      minute: Math.round(((Date.now() - started) / 60_000) * 10) / 10,
      requests: sample.requests,
      rps: Math.round(sample.requests / INTERVAL_S),
      p50: Math.round((percentile(sorted, 50) ?? 0) * 10) / 10,
      p99: Math.round((percentile(sorted, 99) ?? 0) * 10) / 10,
      fiveXX: sample.fiveXX,
      otherErrors: sample.otherErrors,
      rssMb: Math.round(m.rssMb),
      heapFloorMb: Math.round(Math.min(m.heapMb, ...heaps)),
      heapMaxMb: Math.round(Math.max(m.heapMb, ...heaps)),
    }
    samples.push(row)
    console.log(
      `  ${row.minute} min: ${row.rps} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, 5xx ${row.fiveXX}, RSS ${row.rssMb} MB, heap ${row.heapFloorMb}–${row.heapMaxMb} MB`,
    )
  })
}, INTERVAL_S * 1000)

console.log(
  `soak: ${MINUTES} min on ${backend}, ${CONCURRENCY} concurrent clients, ${STREAMS} live streams, a sample every ${INTERVAL_S} s`,
)
await Promise.all(Array.from({ length: CONCURRENCY }, loop))
clearInterval(sampler)
clearInterval(heapPoller)
await new Promise((r) => setTimeout(r, 500))
for (const s of streams) s.destroy()
await server.stop()
await sim.close()

printTable(
  'Soak samples',
  samples.map((s) => ({ ...s })),
)
// Flat: the last third against the first third, the first (warm-up) sample left out.
const steady = samples.slice(1)
const third = Math.max(1, Math.floor(steady.length / 3))
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
const first = steady.slice(0, third)
const last = steady.slice(-third)
const growth = (key: 'rssMb' | 'heapFloorMb' | 'p99') =>
  mean(last.map((s) => s[key])) / Math.max(1e-9, mean(first.map((s) => s[key])))
const verdict = {
  rssGrowth: Math.round(growth('rssMb') * 100) / 100,
  heapGrowth: Math.round(growth('heapFloorMb') * 100) / 100,
  p99Growth: Math.round(growth('p99') * 100) / 100,
  total5xx: samples.reduce((s, x) => s + x.fiveXX, 0),
  totalRequests: samples.reduce((s, x) => s + x.requests, 0),
  eventsStreamed: streamed,
}
const flat =
  steady.length >= 3 &&
  verdict.rssGrowth <= MAX_MEMORY_GROWTH &&
  verdict.heapGrowth <= MAX_MEMORY_GROWTH &&
  verdict.p99Growth <= MAX_P99_GROWTH
console.log(
  `\nsoak ${flat ? 'FLAT' : steady.length < 3 ? 'TOO SHORT TO TELL' : 'NOT FLAT'}: RSS ×${verdict.rssGrowth}, heap floor ×${verdict.heapGrowth}, p99 ×${verdict.p99Growth} (last third vs first third; limits ×${MAX_MEMORY_GROWTH} memory, ×${MAX_P99_GROWTH} p99); ${verdict.totalRequests} requests, ${verdict.total5xx} 5xx, ${verdict.eventsStreamed} events streamed`,
)
if (errorsByOp.size > 0) console.log(`4xx by operation: ${[...errorsByOp].map(([k, v]) => `${k}: ${v}`).join(', ')}`)
await mkdir(new URL('results/', import.meta.url), { recursive: true })
await writeFile(
  new URL(`results/soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url),
  JSON.stringify({ minutes: MINUTES, backend, concurrency: CONCURRENCY, samples, verdict, flat }, null, 2),
)
process.exit(flat && verdict.total5xx === 0 ? 0 : 1)
