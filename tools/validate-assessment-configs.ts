// Validates every assessment config JSON against the schema and prints a summary per bracket.
// Usage: node tools/validate-assessment-configs.ts [type ...]
import { readFile, readdir } from 'node:fs/promises'
import { assessmentConfigSchema, BRACKETS } from '../src/domain/assessments/config-schema.ts'

const dir = new URL('../src/domain/assessments/configs/', import.meta.url)
const wanted = process.argv.slice(2)
const files = (await readdir(dir)).filter(
  (f) => f.endsWith('.json') && (wanted.length === 0 || wanted.includes(f.replace(/\.json$/, ''))),
)
let failed = 0
for (const file of files) {
  const parsed = assessmentConfigSchema.safeParse(JSON.parse(await readFile(new URL(file, dir), 'utf8')))
  if (!parsed.success) {
    failed += 1
    console.log(`✗ ${file}`)
    for (const issue of parsed.error.issues.slice(0, 20)) console.log(`   ${issue.path.join('.')}: ${issue.message}`)
    continue
  }
  const counts = BRACKETS.map((b) => parsed.data.brackets[b].groups.reduce((n, g) => n + g.questions.length, 0))
  console.log(`✓ ${file}: questions per bracket ${counts.join(' ')}`)
}
process.exit(failed ? 1 : 0)
