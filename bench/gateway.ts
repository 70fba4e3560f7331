// Gateway overhead, side by side in one run against the same loopback simulator (no added latency):
// the simulator direct, Portkey OSS (`@portkey-ai/gateway`, its `--headless` server with
// `x-portkey-provider`/`x-portkey-custom-host`) and our POST /v1/chat/completions with the whole
// pipeline (API-key auth, limits and budgets on, versions, breaker, router, ledger; cache miss), the
// three measured in alternation (`--rounds` rounds each), JSON and streams, at 1 and 50 connections;
// plus cache hits, POST /v1/responses, /v1/messages and /v1/embeddings (issue 13) against the
// simulator's own endpoints, and the server's RSS. Targets (2 cores, issue 12): ≥ 7,500 RPS at 50 connections and ≥ 5.5× Portkey, added p50
// ≤ 0.25 ms and p99 ≤ 3 ms at 1 connection; cache-hit p99 ≤ 1 ms added; RSS ≤ 200 MB.
// Usage: node bench/gateway.ts [--duration 5] [--rounds 2] [--backend pglite|postgres] [--limits on|off]
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'
import { printTable, startServer } from './lib/server.ts'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'pglite' },
    limits: { type: 'string', default: 'on' },
  },
})
const durationMs = Number(values.duration) * 1000
const rounds = Math.max(1, Number(values.rounds))
const backend = values.backend === 'postgres' ? 'postgres' : 'pglite'

const SIMULATOR = new URL('../src/simulator/index.ts', import.meta.url).pathname

/** The simulator in its own process, so it does not share an event loop with the load or the gateway. */
async function startSimulator(): Promise<{ url: string; pid: number | undefined; stop(): Promise<void> }> {
  const port = 40_000 + Math.floor(Math.random() * 10_000)
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { createSimulator } = await import(${JSON.stringify(SIMULATOR)}); await createSimulator({ port: ${port}, host: '127.0.0.1' }); console.log('ready')`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve())
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    },
  }
}

const PORTKEY = new URL('../node_modules/@portkey-ai/gateway/build/start-server.js', import.meta.url).pathname

/** Portkey's OSS gateway (the devDependency) in its own process, headless, on a loopback port. */
async function startPortkey(): Promise<{ url: string; pid: number | undefined; stop(): Promise<void> }> {
  const port = 30_000 + Math.floor(Math.random() * 10_000)
  const child = spawn(process.execPath, [PORTKEY, '--headless', `--port=${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  })
  // Portkey logs a stack for every failed stream (see the stream rows): keep its last words for a
  // failed start instead of flooding the table.
  let said = ''
  child.stderr.on('data', (d: Buffer) => (said = (said + d.toString()).slice(-4000)))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`portkey exited with ${child.exitCode}: ${said}`)
    try {
      if ((await fetch(url)).ok) break
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error('portkey did not start in 30 s')
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    },
  }
}

type Measure = {
  ok: number
  /** CPU time (user + system) the measured process spent in the run, in ms. */
  cpuMs: number
  elapsed: number
  latencies: number[]
  errors: number
  headers: Record<string, string>
}

/**
 * CPU time (user + system, ms) a process has used: on a machine where the load generator, the
 * upstream and the gateway share two cores, a gateway's CPU per request is its own cost, which
 * RPS mixes with everyone else's.
 */
async function cpuMs(pid: number | undefined): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 // utime + stime, in clock ticks of 10 ms
}

/** `connections` closed loops for `durationMs`; latency per request in ms with µs precision. */
async function load(
  pid: number | undefined,
  url: string,
  path: string,
  headers: Record<string, string>,
  body: string,
  connections: number,
  ms: number,
): Promise<Measure> {
  const pool = new Pool(url, { connections, pipelining: 1 })
  const latencies: number[] = []
  let errors = 0
  let lastHeaders: Record<string, string> = {}
  const end = performance.now() + ms
  const loop = async () => {
    while (performance.now() < end) {
      const started = performance.now()
      try {
        const response = await pool.request({
          path,
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        })
        await response.body.text()
        if (response.statusCode !== 200) errors += 1
        else latencies.push(performance.now() - started)
        lastHeaders = response.headers as Record<string, string>
      } catch {
        errors += 1
      }
    }
  }
  const cpuBefore = await cpuMs(pid)
  const started = performance.now()
  await Promise.all(Array.from({ length: connections }, loop))
  const elapsed = performance.now() - started
  const cpu = (await cpuMs(pid)) - cpuBefore
  await pool.close()
  return { ok: latencies.length, cpuMs: cpu, elapsed, latencies, errors, headers: lastHeaders }
}

type Summary = {
  rps: number
  cpuUs: number
  p50: number
  p90: number
  p99: number
  errors: number
  headers: Record<string, string>
}

/** Rounds of one target merged: requests over time, and percentiles over every latency. */
function summarise(measures: Measure[]): Summary {
  const latencies = measures.flatMap((m) => m.latencies).sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN
  const ok = measures.reduce((n, m) => n + m.ok, 0)
  const elapsed = measures.reduce((n, m) => n + m.elapsed, 0)
  return {
    rps: Math.round((ok / elapsed) * 1000),
    cpuUs: ok > 0 ? Math.round((measures.reduce((n, m) => n + m.cpuMs, 0) * 1000) / ok) : NaN,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    errors: measures.reduce((n, m) => n + m.errors, 0),
    headers: measures.at(-1)?.headers ?? {},
  }
}

/** VmRSS (now) and VmHWM (peak since start, PGlite's initdb included) of a process, in MB. */
async function memory(pid: number | undefined): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const mb = (field: string) => Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024)
  return { rss: mb('VmRSS'), hwm: mb('VmHWM') }
}

const simulator = await startSimulator()
const portkey = await startPortkey()
const server = await startServer(backend, {
  AI_PROVIDER: 'openai',
  OPENAI_API_KEY: 'sim-openai-key',
  OPENAI_BASE_URL: `${simulator.url}/openai/v1`,
  // Anthropic for the /v1/messages rows (the same-format pass-through), behind OpenAI in the default route.
  ANTHROPIC_API_KEY: 'sim-anthropic-key',
  ANTHROPIC_BASE_URL: `${simulator.url}/anthropic/v1`,
  // Limits and budgets stay on by default (their cost is part of the figure), raised so the load is
  // never refused; `--limits off` measures the gateway without governance guards.
  AI_LIMITS_ENABLED: values.limits === 'off' ? 'false' : 'true',
  AI_RATE_LIMITS: JSON.stringify({
    free: { perMinute: 100_000_000, perHour: 100_000_000, perDay: 100_000_000, tokensPerDay: 1_000_000_000 },
  }),
  AI_BUDGETS: JSON.stringify({
    user: { free: { dailyUsd: 1_000_000, monthlyUsd: 1_000_000 } },
    global: { dailyUsd: 1_000_000, monthlyUsd: 1_000_000 },
  }),
})
try {
  const signup = await fetch(`${server.url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench.${Date.now()}@example.com`, password: 'bench password 123' }),
  })
  const { token } = (await signup.json()) as { token: string }
  const created = await fetch(`${server.url}/api/keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'bench' }),
  })
  const { key } = (await created.json()) as { key: string }

  const messages = [{ role: 'user', content: 'Give one growth tip for a ten-person agency.' }]
  type Target = {
    name: string
    url: string
    path: string
    headers: Record<string, string>
    body(stream: boolean): string
    /** The process whose CPU per request is reported: the simulator for direct rows, else the gateway. */
    pid: number | undefined
  }
  const direct: Target = {
    name: 'direct simulator',
    url: simulator.url,
    pid: simulator.pid,
    path: '/openai/v1/chat/completions',
    headers: { authorization: 'Bearer sim-openai-key' },
    body: (stream) => JSON.stringify({ model: 'gpt-4.1-mini', messages, stream }),
  }
  const viaPortkey: Target = {
    name: 'Portkey OSS 1.15.2',
    url: portkey.url,
    pid: portkey.pid,
    path: '/v1/chat/completions',
    headers: {
      authorization: 'Bearer sim-openai-key',
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${simulator.url}/openai/v1`,
    },
    body: (stream) => JSON.stringify({ model: 'gpt-4.1-mini', messages, stream }),
  }
  const gateway: Target = {
    name: `OptimaliQ /v1 (limits ${values.limits})`,
    url: server.url,
    pid: server.process.pid,
    path: '/v1/chat/completions',
    headers: { authorization: `Bearer ${key}` },
    body: (stream) => JSON.stringify({ model: 'default', messages, stream }),
  }
  const run = (t: Target, stream: boolean, connections: number, ms: number, headers: Record<string, string> = {}) =>
    load(t.pid, t.url, t.path, { ...t.headers, ...headers }, t.body(stream), connections, ms)

  const idle = await memory(server.process.pid)
  // The largest RSS seen while the load runs (sampled), apart from the start-up peak.
  let underLoad = idle.rss
  const sampler = setInterval(
    () =>
      void memory(server.process.pid).then(
        (m) => (underLoad = Math.max(underLoad, m.rss)),
        () => undefined,
      ),
    100,
  )
  const rows: Array<Record<string, string | number>> = []
  const fmt = (n: number) => n.toFixed(3)
  const targets = [direct, viaPortkey, gateway]
  for (const stream of [false, true]) {
    for (const connections of [1, 50]) {
      // Warm every path (JIT, pools, key cache), then measure them in alternation, round by round.
      for (const t of targets) await run(t, stream, connections, 1000)
      const measured = new Map<Target, Measure[]>(targets.map((t) => [t, []]))
      for (let round = 0; round < rounds; round++)
        for (const t of targets) measured.get(t)!.push(await run(t, stream, connections, durationMs / rounds))
      const [d, p, g] = targets.map((t) => summarise(measured.get(t)!)) as [Summary, Summary, Summary]
      if (!stream && g.headers['x-optimaliq-cache'] !== 'miss') throw new Error('the miss run hit the cache')
      const kind = stream ? 'stream' : 'json'
      const row = (t: Target, m: Summary, target: string) => ({
        run: t.name,
        kind,
        conns: connections,
        rps: m.rps,
        'CPU µs/req': m.cpuUs,
        'p50 ms': fmt(m.p50),
        'p99 ms': fmt(m.p99),
        'added p50': t === direct ? '—' : fmt(m.p50 - d.p50),
        'added p99': t === direct ? '—' : fmt(m.p99 - d.p99),
        errors: m.errors,
        target,
      })
      rows.push(row(direct, d, '—'))
      rows.push(row(viaPortkey, p, '—'))
      // Portkey 1.15.2 answers every stream 500 here (its updateHeaders appends to a fetch
      // Response's immutable headers, on Node 20 and 24 alike): no ratio then.
      // Two ratios: throughput (shares the two cores with the load and the upstream) and the
      // gateway process's own CPU per request (what it costs, whoever else runs).
      const ratio =
        p.rps > 0
          ? `${(g.rps / p.rps).toFixed(1)}× Portkey RPS, ${(p.cpuUs / g.cpuUs).toFixed(1)}× less CPU/req`
          : 'Portkey failed every request'
      rows.push(
        row(
          gateway,
          g,
          stream
            ? `${ratio} (no target)`
            : connections === 1
              ? `added p50 ≤ 0.25, p99 ≤ 3 (${ratio})`
              : `rps ≥ 7,500 and ≥ 5.5× Portkey (${ratio})`,
        ),
      )
    }
  }
  for (const connections of [1, 50]) {
    const d = summarise([await run(direct, false, connections, durationMs / 2)])
    const cacheHeaders = { 'x-optimaliq-cache-ttl': '600' }
    await run(gateway, false, connections, 500, cacheHeaders)
    const c = summarise([await run(gateway, false, connections, durationMs / 2, cacheHeaders)])
    if (c.headers['x-optimaliq-cache'] !== 'hit') throw new Error('the hit run missed the cache')
    rows.push({
      run: 'OptimaliQ /v1 (cache hit)',
      kind: 'json',
      conns: connections,
      rps: c.rps,
      'CPU µs/req': c.cpuUs,
      'p50 ms': fmt(c.p50),
      'p99 ms': fmt(c.p99),
      'added p50': fmt(c.p50 - d.p50),
      'added p99': fmt(c.p99 - d.p99),
      errors: c.errors,
      target: connections === 1 ? 'added p99 ≤ 1' : '—',
    })
  }
  /** One endpoint of issue 13 against its upstream called directly, alternated, JSON and (where it streams) SSE. */
  const sideBySide = async (directTarget: Target, ours: Target[], streams: boolean[]) => {
    const targets = [directTarget, ...ours]
    for (const stream of streams) {
      for (const connections of [1, 50]) {
        for (const t of targets) await run(t, stream, connections, 1000)
        const measured = new Map<Target, Measure[]>(targets.map((t) => [t, []]))
        for (let round = 0; round < rounds; round++)
          for (const t of targets) measured.get(t)!.push(await run(t, stream, connections, durationMs / rounds))
        const [d, ...mine] = targets.map((t) => summarise(measured.get(t)!)) as [Summary, ...Summary[]]
        targets.forEach((t, i) => {
          const m = i === 0 ? d : (mine[i - 1] as Summary)
          rows.push({
            run: t.name,
            kind: stream ? 'stream' : 'json',
            conns: connections,
            rps: m.rps,
            'CPU µs/req': m.cpuUs,
            'p50 ms': fmt(m.p50),
            'p99 ms': fmt(m.p99),
            'added p50': i === 0 ? '—' : fmt(m.p50 - d.p50),
            'added p99': i === 0 ? '—' : fmt(m.p99 - d.p99),
            errors: m.errors,
            target: '—',
          })
        })
      }
    }
  }
  const ours = (name: string, path: string, body: Target['body'], headers?: Record<string, string>): Target => ({
    name,
    url: server.url,
    pid: server.process.pid,
    path,
    headers: headers ?? { authorization: `Bearer ${key}` },
    body,
  })
  const upstream = (name: string, path: string, body: Target['body'], headers?: Record<string, string>): Target => ({
    name,
    url: simulator.url,
    pid: simulator.pid,
    path,
    headers: headers ?? { authorization: 'Bearer sim-openai-key' },
    body,
  })
  // /v1/responses (issue 13): the same-format pass-through (whole pipeline, plus the store's insert
  // with the default `store: true`) against the simulator's /responses direct.
  const input = 'Give one growth tip for a ten-person agency.'
  await sideBySide(
    upstream('direct simulator /responses', '/openai/v1/responses', (stream) =>
      JSON.stringify({ model: 'gpt-4.1-mini', input, stream }),
    ),
    [true, false].map((store) =>
      ours(`OptimaliQ /v1/responses (store: ${store})`, '/v1/responses', (stream) =>
        JSON.stringify({ model: 'default', input, stream, store }),
      ),
    ),
    [false, true],
  )
  // /v1/messages (issue 13): Anthropic's format, passed through to the simulator's Anthropic.
  const anthropicMessages = [{ role: 'user', content: input }]
  await sideBySide(
    upstream(
      'direct simulator /messages',
      '/anthropic/v1/messages',
      (stream) => JSON.stringify({ model: 'claude-sonnet-4-0', max_tokens: 256, messages: anthropicMessages, stream }),
      { 'x-api-key': 'sim-anthropic-key', 'anthropic-version': '2023-06-01' },
    ),
    [
      ours(
        'OptimaliQ /v1/messages',
        '/v1/messages',
        (stream) =>
          JSON.stringify({
            model: 'anthropic/claude-sonnet-4-0',
            max_tokens: 256,
            messages: anthropicMessages,
            stream,
          }),
        { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      ),
    ],
    [false, true],
  )
  // /v1/embeddings (issue 13): a batch of 8 inputs, passed through to the simulator's OpenAI.
  const batch = Array.from({ length: 8 }, (_, i) => `Growth tip number ${i} for a ten-person agency.`)
  await sideBySide(
    upstream('direct simulator /embeddings', '/openai/v1/embeddings', () =>
      JSON.stringify({ model: 'text-embedding-3-small', input: batch }),
    ),
    [
      ours('OptimaliQ /v1/embeddings', '/v1/embeddings', () =>
        JSON.stringify({ model: 'openai/text-embedding-3-small', input: batch }),
      ),
    ],
    [false],
  )
  printTable(
    `Gateway /v1 vs Portkey OSS vs direct simulator (${backend}, limits ${values.limits}, ${durationMs / 1000} s per target and row in ${rounds} alternating rounds, Node ${process.version})`,
    rows,
  )
  clearInterval(sampler)
  const end = await memory(server.process.pid)
  printTable('Server memory (MB)', [
    {
      'RSS idle before load': idle.rss,
      'max RSS under load': underLoad,
      'peak since start (VmHWM)': end.hwm,
      target: 'under load ≤ 200',
    },
  ])
} finally {
  await server.stop()
  await portkey.stop()
  await simulator.stop()
}
