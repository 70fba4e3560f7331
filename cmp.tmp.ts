import { Pool } from 'undici'
import { createSimulator } from './src/ai/simulator/index.ts'
import { startGatewayApp, userWithKey } from './test/helpers/gateway.ts'
const sim = await createSimulator({ port: 0, host: '127.0.0.1' })
const t = await startGatewayApp('postgres', { ...sim.env(['openai']), AI_PROVIDER: 'openai', AI_LEDGER_FLUSH_MS: '1000' })
await t.app.listen({ port: 0, host: '127.0.0.1' })
const { port } = t.app.server.address() as { port: number }
const { v1 } = await userWithKey(t.app)
const gw = new Pool(`http://127.0.0.1:${port}`, { connections: 1 })
const direct = new Pool(sim.url, { connections: 1 })
const messages = [{ role: 'user', content: 'tip' }]
const run = async (pool: Pool, path: string, headers: Record<string, string>, body: string, n: number) => { const lat: number[] = []; for (let i = 0; i < n; i++) { const s = performance.now(); const r = await pool.request({ path, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }); await r.body.text(); lat.push(performance.now() - s) } lat.sort((a, b) => a - b); return `p50 ${lat[lat.length >> 1]!.toFixed(3)} p90 ${lat[Math.floor(lat.length * 0.9)]!.toFixed(3)}` }
const D = () => run(direct, '/openai/v1/chat/completions', { authorization: 'Bearer sim-openai-key' }, JSON.stringify({ model: 'gpt-4.1-mini', messages }), 3000)
const G = () => run(gw, '/v1/chat/completions', v1, JSON.stringify({ model: 'default', messages }), 3000)
const H = () => run(gw, '/v1/chat/completions', { ...v1, 'x-optimaliq-cache-ttl': '600' }, JSON.stringify({ model: 'default', messages }), 3000)
await D(); await G(); await H()
for (let i = 0; i < 2; i++) console.log('direct', await D(), '| gateway', await G(), '| hit', await H())
await gw.close(); await direct.close(); await t.close(); await sim.close()
