// `npm run chaos`: the reliability campaign (test/integration/campaign/) with larger counts — minutes,
// not CI's seconds. Each count can be set in the environment; these are the defaults here (CI's are
// in the test files). Usage: npm run chaos [-- <vitest filter, e.g. process-kills>]
import { spawnSync } from 'node:child_process'

const LARGER: Record<string, string> = {
  FUZZ_RUNS: '60', // generated requests per OpenAPI operation (CI: 12)
  CHAOS_ROUNDS: '4', // provider-chaos rounds over eight fault kinds (CI: 1)
  CHAOS_TASKS: '60', // queued tasks worked through kills and cut connections (CI: 16)
  CHAOS_KILLS: '10', // workers SIGKILLed mid-task (CI: 3)
  CHAOS_SERVER_KILLS: '6', // API servers SIGKILLed mid-stream, the client resuming on the next (CI: 2)
  CHAOS_TERMINATIONS: '60', // rounds of pg_terminate_backend over every OptimaliQ connection (CI: 12)
}
const env = { ...process.env }
for (const [name, value] of Object.entries(LARGER)) env[name] ??= value
console.log(
  `chaos: ${Object.keys(LARGER)
    .map((k) => `${k}=${env[k]}`)
    .join(' ')}`,
)
const vitest = new URL('../node_modules/vitest/vitest.mjs', import.meta.url).pathname
const filters = process.argv.slice(2)
const result = spawnSync(
  process.execPath,
  [
    vitest,
    'run',
    ...(filters.length ? filters.map((f) => `test/integration/campaign/${f}`) : ['test/integration/campaign/']),
    '--testTimeout',
    '1800000',
  ],
  { stdio: 'inherit', env },
)
console.log('\nThe [campaign] lines above are the figures for docs/RELIABILITY.md.')
process.exit(result.status ?? 1)
