// Assessments benchmark: (1) score computations per second of the pure functions; (2) submissions
// per second and latency at 50 concurrent users through the real HTTP server on PostgreSQL.
//
// Usage: node bench/assessments.ts [--seconds 10] [--connections 50]
// Needs PostgreSQL at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); a
// fresh database is created and dropped. The server runs as a child process (`optimaliq serve`),
// so the load generator does not share its event loop. Every virtual user is its own account;
// ASSESSMENT_RETAKE_DAYS=0 so that each can submit again and again (with the default 30 days every
// repeat would be a cheap 409). Question set: the test fixture `sales` config (5 questions).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import pg from 'pg'
import { validateAnswers } from '../src/domain/assessments/answers.ts'
import { parseAssessmentConfig } from '../src/domain/assessments/catalogue.ts'
import { scoreAnswers } from '../src/domain/assessments/scoring.ts'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' } } })
const SECONDS = Number(values.seconds)
const CONNECTIONS = Number(values.connections)
const ROOT = new URL('../', import.meta.url)
const FIXTURES = new URL('test/fixtures/assessments/', ROOT).pathname
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const ANSWERS = { crm_usage: 'basic_crm', practices: ['playbook', 'forecasting'], priority_rank: ['referrals', 'retention', 'discounting'], biggest_blocker: 'Leads go cold after the first call.' }

type Row = { figure: string; value: string; target: string; ok: string }
const table: Row[] = []

// 1. The pure functions.
{
  const set = parseAssessmentConfig('sales.json', readFileSync(new URL('sales.json', `file://${FIXTURES}`), 'utf8')).brackets.score_3
  const measure = (fn: () => void, ms = 1500) => {
    for (let i = 0; i < 20_000; i++) fn() // warm-up
    let n = 0
    const start = performance.now()
    while (performance.now() - start < ms) {
      for (let i = 0; i < 1000; i++) fn()
      n += 1000
    }
    return n / ((performance.now() - start) / 1000)
  }
  let sink = 0
  const validated = validateAnswers(set, ANSWERS)
  if (!validated.ok) throw new Error('bench answers are invalid')
  const scoreOnly = measure(() => {
    sink += scoreAnswers(set, validated.answers)
  })
  const validateAndScore = measure(() => {
    const v = validateAnswers(set, ANSWERS)
    if (v.ok) sink += scoreAnswers(set, v.answers)
  })
  if (sink === 0) throw new Error('unreachable')
  table.push({ figure: 'scoreAnswers / s (pure, 5 questions)', value: Math.round(scoreOnly).toLocaleString('en'), target: '—', ok: '' })
  table.push({ figure: 'validate + score / s (pure)', value: Math.round(validateAndScore).toLocaleString('en'), target: '—', ok: '' })
}

// 2. Submissions through the HTTP server on PostgreSQL.
const dbName = `oq_bench_assess_${randomBytes(4).toString('hex')}`
const admin = async (text: string) => {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })

/** CPU seconds (user + system) used so far by these processes, from /proc (Linux). */
function cpuSeconds(pids: number[]): number {
  let ticks = 0
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // gone
    }
  }
  return ticks / 100
}
function postgresPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres'
      } catch {
        return false
      }
    })
    .map(Number)
}

await admin(`create database ${dbName}`)
const port = await freePort()
const base = `http://127.0.0.1:${port}`
const server = spawn(process.execPath, ['src/main/cli.ts', 'serve', '--no-worker'], {
  cwd: ROOT.pathname,
  env: {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`),
    DATABASE_POOL_SIZE: String(Math.max(CONNECTIONS, 10)),
    JWT_SECRET: randomBytes(32).toString('hex'),
    OPTIMALIQ_DATA_DIR: `/tmp/${dbName}`,
    ASSESSMENT_CONFIG_DIR: FIXTURES,
    ASSESSMENT_RETAKE_DAYS: '0',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
})

try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break
    } catch {
      // not up yet
    }
    if (i > 300) throw new Error('server did not start')
    await new Promise((r) => setTimeout(r, 100))
  }
  const tokens: string[] = []
  for (let i = 0; i < CONNECTIONS; i++) {
    const res = await fetch(`${base}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `bench.${i}.${dbName}@example.com`, password: 'correct horse battery' }) })
    if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`)
    tokens.push(((await res.json()) as { token: string }).token)
  }

  const run = (seconds: number) => {
    let next = 0
    return autocannon({
      url: `${base}/api/assessments/sales`,
      method: 'POST',
      connections: CONNECTIONS,
      duration: seconds,
      body: JSON.stringify({ answers: ANSWERS }),
      headers: { 'content-type': 'application/json' },
      // One account per connection: each connection is one user submitting again and again.
      setupClient: (client) => client.setHeaders({ 'content-type': 'application/json', authorization: `Bearer ${tokens[next++ % tokens.length]}` }),
    })
  }
  await run(2) // warm-up: JIT, pool connections, plans
  const cpu0 = { server: cpuSeconds([server.pid!]), postgres: cpuSeconds(postgresPids()), bench: process.cpuUsage() }
  const result = await run(SECONDS)
  const benchCpu = process.cpuUsage(cpu0.bench)
  const cpu = { server: cpuSeconds([server.pid!]) - cpu0.server, postgres: cpuSeconds(postgresPids()) - cpu0.postgres, bench: (benchCpu.user + benchCpu.system) / 1e6 }
  const ok = result['2xx']
  const perSecond = ok / (result.duration || SECONDS)
  table.push({ figure: `submissions / s (${CONNECTIONS} users, PostgreSQL)`, value: Math.round(perSecond).toLocaleString('en'), target: '≥ 500', ok: perSecond >= 500 ? '✓' : '✗' })
  table.push({ figure: 'latency p50 (ms)', value: String(result.latency.p50), target: '—', ok: '' })
  table.push({ figure: 'latency p99 (ms)', value: String(result.latency.p99), target: '≤ 50', ok: result.latency.p99 <= 50 ? '✓' : '✗' })
  table.push({ figure: 'non-2xx / errors / timeouts', value: `${result.non2xx} / ${result.errors} / ${result.timeouts}`, target: '0 / 0 / 0', ok: result.non2xx + result.errors + result.timeouts === 0 ? '✓' : '✗' })
  const per = (seconds: number) => ((seconds * 1000) / Math.max(ok, 1)).toFixed(2)
  table.push({ figure: 'CPU ms per submission: server / postgres / load gen', value: `${per(cpu.server)} / ${per(cpu.postgres)} / ${per(cpu.bench)}`, target: '—', ok: '' })
  const check = new pg.Client({ connectionString: ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`) })
  await check.connect()
  const { rows } = await check.query<{ n: number; e: number }>("select (select count(*)::int from assessment_submissions) as n, (select count(*)::int from events where type = 'assessment.completed') as e")
  await check.end()
  table.push({ figure: 'rows written (submissions / completed events)', value: `${rows[0]!.n} / ${rows[0]!.e}`, target: 'equal', ok: rows[0]!.n === rows[0]!.e ? '✓' : '✗' })
} finally {
  server.kill('SIGTERM')
  await new Promise((r) => server.once('exit', r))
  await admin(`drop database if exists ${dbName} with (force)`)
}

const width = (k: keyof Row) => Math.max(k.length, ...table.map((r) => r[k].length))
const line = (r: Row) => `| ${(['figure', 'value', 'target', 'ok'] as const).map((k) => r[k].padEnd(width(k))).join(' | ')} |`
console.log(line({ figure: 'figure', value: 'value', target: 'target', ok: 'ok' }))
console.log(`|${(['figure', 'value', 'target', 'ok'] as const).map((k) => '-'.repeat(width(k) + 2)).join('|')}|`)
for (const r of table) console.log(line(r))
console.log(`\n${new Date().toISOString()} · node ${process.version} · ${(await import('node:os')).cpus().length} cores · ${SECONDS}s at ${CONNECTIONS} connections`)
