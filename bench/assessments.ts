// Assessments: (1) score computations per second of the pure functions; (2) submissions per second
// and latency at 50 concurrent users through the real HTTP server (`optimaliq serve`, a child
// process) on PostgreSQL. Targets: ≥ 500 submissions/s, p99 ≤ 50 ms.
//
// Usage: node bench/assessments.ts [--duration 10] [--connections 50] [--pool 20]  (pool: DATABASE_POOL_SIZE, default as shipped)
//
// Every virtual user is its own account (one per connection). ASSESSMENT_RETAKE_DAYS=0 for this
// run, so each user can submit again and again (with the default 30 days every repeat would be a
// cheap 409). Question set: the test fixture `sales` config (5 questions: select, multi-select,
// rank, text, optional select), at the bracket the user's score leads to.
import { readdirSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { validateAnswers } from '../src/domain/assessments/answers.ts'
import { loadAssessmentCatalogue } from '../src/app/assessments/load-configs.ts'
import { parseAssessmentConfig } from '../src/domain/assessments/assessment-configs.ts'
import type { QuestionSet } from '../src/domain/assessments/config-schema.ts'
import { scoreAnswers } from '../src/domain/assessments/scoring.ts'
import { postgresAvailable, printTable, signupToken, startServer } from './lib/server.ts'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    pool: { type: 'string', default: '20' },
  },
})
const duration = Number(values.duration)
const connections = Number(values.connections)
const FIXTURES = new URL('../test/fixtures/assessments/', import.meta.url).pathname
const ANSWERS = {
  crm_usage: 'basic_crm',
  practices: ['playbook', 'forecasting'],
  priority_rank: ['referrals', 'retention', 'discounting'],
  biggest_blocker: 'Leads go cold after the first call.',
}
const loadAtStart = loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')

type Row = Record<string, string | number>

/** A plausible answer to every question: the middle option, half the options, the options as listed, some text. */
function middleAnswers(set: QuestionSet): Record<string, string | string[]> {
  const answers: Record<string, string | string[]> = {}
  for (const q of set.groups.flatMap((g) => g.questions)) {
    const options = (q.options ?? []).map((o) => o.value)
    if (q.type === 'text_area') answers[q.key] = 'We track this monthly but not consistently across teams.'
    else if (q.type === 'select') answers[q.key] = options[Math.floor(options.length / 2)]!
    else if (q.type === 'rank') answers[q.key] = options
    else answers[q.key] = options.slice(0, Math.min(q.maxSelections ?? options.length, Math.ceil(options.length / 2)))
  }
  return answers
}

/** Calls per second of fn over ~1.5 s, after a warm-up. */
function perSecond(fn: () => void, ms = 1500): number {
  for (let i = 0; i < 20_000; i++) fn()
  let n = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    for (let i = 0; i < 1000; i++) fn()
    n += 1000
  }
  return n / ((performance.now() - start) / 1000)
}

// 1. The pure functions.
const pure: Row[] = []
{
  let sink = 0
  const fixture = parseAssessmentConfig('sales.json', readFileSync(`${FIXTURES}sales.json`, 'utf8')).brackets.score_3
  const sets: Array<[string, QuestionSet, Record<string, unknown>]> = [
    ['fixture sales (5 questions)', fixture, ANSWERS],
  ]
  // The real content when present: the largest set (reassessment, about twenty questions).
  const real = await loadAssessmentCatalogue().catch(() => undefined)
  const big = real?.get('reassessment')?.brackets.score_3
  if (big)
    sets.push([
      `reassessment (${big.groups.reduce((k, g) => k + g.questions.length, 0)} questions)`,
      big,
      middleAnswers(big),
    ])
  for (const [name, set, answers] of sets) {
    const valid = validateAnswers(set, answers)
    if (!valid.ok) throw new Error(`bench answers for ${name} are invalid: ${JSON.stringify(valid.issues)}`)
    const score = perSecond(() => {
      sink += scoreAnswers(set, valid.answers)
    })
    const both = perSecond(() => {
      const v = validateAnswers(set, answers)
      if (v.ok) sink += scoreAnswers(set, v.answers)
    })
    pure.push({
      'question set': name,
      'scoreAnswers / s': Math.round(score).toLocaleString('en'),
      'validate + score / s': Math.round(both).toLocaleString('en'),
    })
  }
  if (sink === 0) throw new Error('unreachable')
}

/** CPU seconds (user + system) used so far by these processes, from /proc (Linux only; 0 elsewhere). */
function cpuSeconds(pids: number[]): number {
  let ticks = 0
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // gone, or not Linux
    }
  }
  return ticks / 100
}
function postgresPids(): number[] {
  try {
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
  } catch {
    return []
  }
}

// 2. Submissions through the HTTP server on PostgreSQL.
const http: Row[] = []
if (!(await postgresAvailable())) {
  console.error('PostgreSQL is not reachable: skipping the submission benchmark')
} else {
  const server = await startServer('postgres', {
    NODE_ENV: 'production',
    ASSESSMENT_CONFIG_DIR: FIXTURES,
    ASSESSMENT_RETAKE_DAYS: '0',
    DATABASE_POOL_SIZE: values.pool,
  })
  try {
    const tokens = await Promise.all(Array.from({ length: connections }, () => signupToken(server.url)))
    const run = (seconds: number, users = connections) => {
      let next = 0
      return autocannon({
        url: `${server.url}/api/assessments/sales`,
        method: 'POST',
        connections: users,
        duration: seconds,
        body: JSON.stringify({ answers: ANSWERS }),
        headers: { 'content-type': 'application/json' },
        // One account per connection: each connection is one user submitting again and again.
        setupClient: (client) =>
          client.setHeaders({
            'content-type': 'application/json',
            authorization: `Bearer ${tokens[next++ % tokens.length]}`,
          }),
      })
    }
    await run(2) // warm-up: JIT, pool connections, plans
    // The target load, then a lighter one (a fifth of the users) to show latency below saturation.
    for (const users of [connections, Math.max(1, Math.round(connections / 5))]) {
      const serverPid = server.process.pid!
      const before = { server: cpuSeconds([serverPid]), postgres: cpuSeconds(postgresPids()) }
      const result = await run(duration, users)
      const used = {
        server: cpuSeconds([serverPid]) - before.server,
        postgres: cpuSeconds(postgresPids()) - before.postgres,
      }
      const ok = result['2xx']
      const rate = ok / duration
      const perSubmission = (seconds: number) => ((seconds * 1000) / Math.max(ok, 1)).toFixed(2)
      const isTarget = users === connections
      http.push({
        backend: 'postgres',
        users,
        'submissions / s': Math.round(rate),
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        'non-2xx + errors': result.non2xx + result.errors + result.timeouts,
        'CPU ms / submission (server, postgres)': `${perSubmission(used.server)}, ${perSubmission(used.postgres)}`,
        target: isTarget ? '≥ 500 /s, p99 ≤ 50 ms' : '—',
        met: isTarget ? (rate >= 500 && result.latency.p99 <= 50 ? 'yes' : 'no') : '',
      })
    }
  } finally {
    await server.stop()
  }
}

printTable('Score computation (pure functions, one core)', pure)
printTable(
  `Submissions through HTTP on PostgreSQL, ${duration} s per row (ASSESSMENT_RETAKE_DAYS=0, one account per user)`,
  http,
)
console.log(
  `\nload average at start: ${loadAtStart} (2 cores shared with other work; "postgres" CPU counts every postgres process on the machine)`,
)
