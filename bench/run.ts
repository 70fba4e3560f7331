// `npm run bench`: runs every benchmark in bench/ one after another (or the ones named).
// Usage: npm run bench [-- http-baseline gateway ...]
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'

const dir = new URL('.//', import.meta.url)
const all = readdirSync(dir)
  // soak.ts runs for half an hour: `npm run soak` (SOAK_MINUTES=3 for a short one).
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && f !== 'soak.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .sort()
const wanted = process.argv.slice(2)
const chosen = wanted.length ? all.filter((name) => wanted.includes(name)) : all
let failed = 0
for (const name of chosen) {
  console.log(`\n=== bench/${name}.ts ===`)
  const result = spawnSync(process.execPath, [new URL(`${name}.ts`, dir).pathname], { stdio: 'inherit' })
  if (result.status !== 0) {
    failed += 1
    console.error(`bench/${name}.ts exited with ${result.status}`)
  }
}
console.log(
  `\n${chosen.length - failed} of ${chosen.length} benchmarks ran; machine: ${(await import('node:os')).cpus().length} cores, Node ${process.version}`,
)
process.exit(failed ? 1 : 0)
