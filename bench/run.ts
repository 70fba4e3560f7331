// `npm run bench`: runs every benchmark in bench/ one after another (or the ones named).
// Usage: npm run bench [-- http-baseline gateway ...] [-- --flag value ...]
// Flags (from the first argument that starts with `-`) go to each benchmark run, e.g.
// `npm run bench -- semantic-cache --rows index,postgres-ivf`.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'

const dir = new URL('.//', import.meta.url)
const all = readdirSync(dir)
  // soak.ts runs for half an hour: `npm run soak` (SOAK_MINUTES=3 for a short one).
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && f !== 'soak.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .sort()
const args = process.argv.slice(2)
const firstFlag = args.findIndex((a) => a.startsWith('-'))
const wanted = firstFlag === -1 ? args : args.slice(0, firstFlag)
const flags = firstFlag === -1 ? [] : args.slice(firstFlag)
const unknown = wanted.filter((name) => !all.includes(name))
if (unknown.length) {
  console.error(`no benchmark named ${unknown.join(', ')}; there are: ${all.join(', ')}`)
  process.exit(2)
}
const chosen = wanted.length ? all.filter((name) => wanted.includes(name)) : all
let failed = 0
for (const name of chosen) {
  console.log(`\n=== bench/${name}.ts ===`)
  const result = spawnSync(process.execPath, [new URL(`${name}.ts`, dir).pathname, ...flags], { stdio: 'inherit' })
  if (result.status !== 0) {
    failed += 1
    console.error(`bench/${name}.ts exited with ${result.status}`)
  }
}
console.log(
  `\n${chosen.length - failed} of ${chosen.length} benchmarks ran; machine: ${(await import('node:os')).cpus().length} cores, Node ${process.version}`,
)
process.exit(failed ? 1 : 0)
