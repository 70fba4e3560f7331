// Routing cost (issue 13, the seed's "30 % reduction in AI costs through provider optimisation"):
// one mixed /v1 chat workload — plain chat, tools, images, JSON schema, long contexts, images with
// tools — replayed through the gateway's pipeline against the simulator twice, on a route with the
// same five candidates: once `ordered` (today's behaviour: the first that answers) and once `cost`
// (the cheapest healthy candidate whose catalog capabilities and context window fit each call).
// Costs are read back from the ledger (`ai_log.cost_usd`, catalog list prices); every request must
// be answered. Target: the cost route ≥ 30 % cheaper.
// Usage: node bench/routing.ts [--requests 200] [--seed 13]
import { parseArgs } from 'node:util'
import { loadConfig } from '../src/config/env.ts'
import { openDatabase } from '../src/data/db.ts'
import { migrate } from '../src/data/migrate.ts'
import { createGateway } from '../src/gateway/create-gateway.ts'
import { chatCompletionBody } from '../src/gateway/wire/openai-chat.ts'
import { createSimulator } from '../src/simulator/index.ts'
import { printTable } from './lib/server.ts'

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '200' }, seed: { type: 'string', default: '13' } },
})
const total = Number(values.requests)
let seed = Number(values.seed)
/** A deterministic workload: the same requests for both strategies. */
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31

const CANDIDATES = [
  'openai/gpt-4.1-mini',
  'anthropic/claude-3-5-haiku-latest',
  'google/gemini-2.0-flash-lite',
  'bedrock/nova-micro',
  'mistral/mistral-small-latest',
]
const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'lookup_kpi',
      description: 'Read one KPI for the month',
      parameters: { type: 'object', properties: { kpi: { type: 'string' } }, required: ['kpi'] },
    },
  },
]
const SCHEMA = {
  type: 'json_schema',
  json_schema: {
    name: 'advice',
    strict: true,
    schema: {
      type: 'object',
      properties: { title: { type: 'string' }, steps: { type: 'array', items: { type: 'string' } } },
      required: ['title', 'steps'],
      additionalProperties: false,
    },
  },
}
const words = (n: number) =>
  Array.from({ length: n }, (_, i) => ['growth', 'revenue', 'team', 'market'][i % 4]).join(' ')

type Kind = 'chat' | 'tools' | 'image' | 'json_schema' | 'long_context' | 'image_tools'
/** The mix: share of each kind. */
const MIX: Array<[Kind, number]> = [
  ['chat', 0.5],
  ['tools', 0.15],
  ['image', 0.1],
  ['json_schema', 0.1],
  ['long_context', 0.05],
  ['image_tools', 0.1],
]

function request(kind: Kind): Record<string, unknown> {
  const prompt = `Advise a small business. ${words(40 + Math.floor(random() * 400))}`
  const image = [
    { type: 'text', text: prompt },
    { type: 'image_url', image_url: { url: PIXEL } },
  ]
  const base = { max_tokens: 300 }
  switch (kind) {
    case 'chat':
      return { ...base, messages: [{ role: 'user', content: prompt }] }
    case 'tools':
      return { ...base, messages: [{ role: 'user', content: prompt }], tools: TOOLS }
    case 'image':
      return { ...base, messages: [{ role: 'user', content: image }] }
    case 'json_schema':
      return { ...base, messages: [{ role: 'user', content: prompt }], response_format: SCHEMA }
    case 'long_context':
      // ~140,000 tokens: more than Nova Micro's 128k window.
      return { ...base, messages: [{ role: 'user', content: `${prompt} ${words(140_000)}` }] }
    case 'image_tools':
      return { ...base, messages: [{ role: 'user', content: image }], tools: TOOLS }
  }
}

const workload: Array<{ kind: Kind; body: Record<string, unknown> }> = []
for (const [kind, share] of MIX)
  for (let i = 0; i < Math.round(total * share); i++) workload.push({ kind, body: request(kind) })

const sim = await createSimulator({ port: 0, host: '127.0.0.1' })
const db = await openDatabase({ kind: 'pglite' })
await migrate(db)
const config = loadConfig({
  NODE_ENV: 'production',
  LOG_LEVEL: 'silent',
  JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-0123456789',
  ...sim.env(['openai', 'anthropic', 'google', 'bedrock', 'mistral']),
  AI_PROVIDER: 'openai',
  AI_LEDGER_FLUSH_MS: '100',
})
const ai = createGateway({
  config,
  db,
  routesPollMs: 0,
  routes: {
    'bench-ordered': { strategy: 'ordered', candidates: CANDIDATES },
    'bench-cost': { strategy: 'cost', candidates: CANDIDATES },
  },
})

const failures: Record<string, number> = {}
const byKind = new Map<string, Map<string, string>>()
for (const route of ['bench-ordered', 'bench-cost']) {
  for (const { kind, body } of workload) {
    try {
      const answer = await ai.chatCompletion({
        body: chatCompletionBody.parse({ ...body, model: route }),
        caller: { requestId: `${route}-${kind}-${Math.random()}` },
        cacheTtlSeconds: 0,
      })
      await answer.settled
      const seen = byKind.get(kind) ?? new Map<string, string>()
      seen.set(route, `${answer.provider}/${answer.model}`)
      byKind.set(kind, seen)
    } catch (error) {
      failures[route] = (failures[route] ?? 0) + 1
      if ((failures[route] ?? 0) <= 3) console.error(route, kind, error instanceof Error ? error.message : error)
    }
  }
}
await ai.ledger?.flush()

const rows = await db.query<{ route: string; requests: string; cost: string | null; unpriced: string }>(
  `select route, count(*)::text as requests, sum(cost_usd)::text as cost,
          count(*) filter (where cost_usd is null)::text as unpriced
     from ai_log where route like 'bench-%' and error is null group by route`,
)
const costOf = (route: string) => Number(rows.find((r) => r.route === route)?.cost ?? Number.NaN)
const ordered = costOf('bench-ordered')
const cost = costOf('bench-cost')
const saving = ((ordered - cost) / ordered) * 100

printTable(
  `Model per kind of request (${workload.length} requests: ${MIX.map(([k, s]) => `${k} ${Math.round(s * 100)} %`).join(', ')})`,
  [...byKind.entries()].map(([kind, seen]) => ({
    kind,
    ordered: seen.get('bench-ordered') ?? '—',
    cost: seen.get('bench-cost') ?? '—',
  })),
)
printTable(
  'Total cost from the ledger (catalog list prices, USD)',
  ['bench-ordered', 'bench-cost'].map((route) => {
    const row = rows.find((r) => r.route === route)
    return {
      strategy: route.replace('bench-', ''),
      answered: row?.requests ?? '0',
      failed: failures[route] ?? 0,
      unpriced: row?.unpriced ?? '0',
      'cost USD': costOf(route).toFixed(6),
    }
  }),
)
console.log(
  `\ncost vs ordered: ${saving >= 0 ? '−' : '+'}${Math.abs(saving).toFixed(1)} % (target: ≥ 30 % cheaper) → ${saving >= 30 ? 'met' : 'NOT met'}`,
)

await ai.close()
await db.close()
await sim.close()
const unanswered = Object.values(failures).reduce((a, b) => a + b, 0)
process.exit(unanswered > 0 || !(saving >= 30) ? 1 : 0)
