// Profile the server in-process under a cache-hit or miss load. Usage: node prof.ts [miss|hit] [pglite|postgres]
import { Pool } from 'undici'
import { Session } from 'node:inspector/promises'
import { writeFile } from 'node:fs/promises'
import { createSimulator } from '/work/wt/gateway/src/ai/simulator/index.ts'
import { startGatewayApp, userWithKey } from '/work/wt/gateway/test/helpers/gateway.ts'
const mode = process.argv[2] ?? 'hit'
const backend = (process.argv[3] ?? 'postgres') as 'pglite' | 'postgres'
const sim = await createSimulator({ port: 0, host: '127.0.0.1' })
const t = await startGatewayApp(backend, { ...sim.env(['openai']), AI_PROVIDER: 'openai', AI_LEDGER_FLUSH_MS: '1000' })
await t.app.listen({ port: 0, host: '127.0.0.1' })
const { port } = t.app.server.address() as { port: number }
const { v1 } = await userWithKey(t.app)
const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1 })
const body = JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'tip' }] })
const headers = { 'content-type': 'application/json', ...v1, ...(mode === 'hit' ? { 'x-optimaliq-cache-ttl': '600' } : {}) }
const run = async (n: number) => { const lat: number[] = []; for (let i = 0; i < n; i++) { const s = performance.now(); const r = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers, body }); await r.body.text(); lat.push(performance.now() - s) } lat.sort((a, b) => a - b); return { p50: lat[lat.length >> 1], p99: lat[Math.floor(lat.length * 0.99)] } }
console.log('warm', await run(2000))
const session = new Session(); session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start')
console.log('measured', await run(3000))
const { profile } = await session.post('Profiler.stop')
await writeFile(`/tmp/gw/${mode}.cpuprofile`, JSON.stringify(profile))
console.log('rss MB', Math.round(process.memoryUsage().rss / 1e6))
await pool.close(); await t.close(); await sim.close()
