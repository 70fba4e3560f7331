// Provider simulator throughput: the upstream for bench/gateway must not be the bottleneck.
// autocannon (this process) against `optimaliq simulate` (a child process), 50 connections.
// Target: ≥ 10,000 RPS for OpenAI-format non-streaming (twice the gateway's 5,000 RPS target).
// Usage: node bench/simulator.ts [--duration 5] [--connections 50]
import autocannon from 'autocannon'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { printTable } from './lib/server.ts'

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '5' }, connections: { type: 'string', default: '50' } },
})
const duration = Number(values.duration)
const connections = Number(values.connections)

const child = spawn(
  process.execPath,
  [new URL('../src/main/cli.ts', import.meta.url).pathname, 'simulate', '--port', '0'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
)
let output = ''
child.stdout.setEncoding('utf8')
const url = await new Promise<string>((resolve, reject) => {
  child.stdout.on('data', (chunk: string) => {
    output += chunk
    const match = /listening on (http:\/\/\S+)/.exec(output)
    if (match) resolve(match[1] as string)
  })
  child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)))
})

const messages = [
  { role: 'system', content: 'You are a growth advisor.' },
  { role: 'user', content: 'How do I grow revenue next quarter?' },
]
const schema = {
  type: 'object',
  properties: {
    score: { type: 'number', minimum: 1, maximum: 5 },
    insights: { type: 'array', items: { type: 'string' }, minItems: 3, maxItems: 3 },
  },
  required: ['score', 'insights'],
  additionalProperties: false,
}
const cases = [
  {
    name: 'openai chat, JSON',
    path: '/openai/v1/chat/completions',
    body: { model: 'gpt-4.1-mini', messages },
    target: '≥ 10,000 RPS',
  },
  {
    name: 'openai chat, SSE',
    path: '/openai/v1/chat/completions',
    body: { model: 'gpt-4.1-mini', messages, stream: true, stream_options: { include_usage: true } },
    target: '—',
  },
  {
    name: 'openai chat, json_schema',
    path: '/openai/v1/chat/completions',
    body: {
      model: 'gpt-4.1-mini',
      messages,
      response_format: { type: 'json_schema', json_schema: { name: 's', schema } },
    },
    target: '—',
  },
  {
    name: 'anthropic messages',
    path: '/anthropic/v1/messages',
    body: { model: 'claude-sonnet-4-20250514', max_tokens: 500, messages: messages.slice(1) },
    target: '—',
  },
  {
    name: 'gemini generateContent',
    path: '/google/v1beta/models/gemini-2.5-flash:generateContent',
    body: { contents: [{ role: 'user', parts: [{ text: 'How do I grow?' }] }] },
    target: '—',
  },
]

// CPU time of the simulator process (user + system, in clock ticks of 10 ms): a figure that holds
// up on a shared, loaded machine better than RPS does.
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) * 10
}

const rows: Array<Record<string, string | number>> = []
try {
  for (const c of cases) {
    const options = {
      url: `${url}${c.path}`,
      method: 'POST' as const,
      connections,
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer bench',
        'x-api-key': 'bench',
        'x-goog-api-key': 'bench',
      },
      body: JSON.stringify(c.body),
    }
    await autocannon({ ...options, duration: 1 })
    const cpuBefore = cpuMs(child.pid as number)
    const result = await autocannon({ ...options, duration })
    const cpu = cpuMs(child.pid as number) - cpuBefore
    rows.push({
      case: c.name,
      rps: Math.round(result.requests.average),
      'p50 ms': result.latency.p50,
      'p99 ms': result.latency.p99,
      'sim CPU µs/req': Math.round((cpu * 1000) / Math.max(1, result.requests.total)),
      errors: result.errors + result.non2xx,
      target: c.target,
    })
  }
} finally {
  child.kill('SIGTERM')
  await once(child, 'exit')
}
printTable(`Provider simulator, ${connections} connections, ${duration} s per case (separate process)`, rows)
