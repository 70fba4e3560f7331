// The house rule "all SQL lives under src/data/" (DESIGN §4), checked in `npm test`.
// Flags, in server code outside src/data/: SQL statements in string or template literals, the
// drizzle `sql` tag and query-builder imports. Tests are exempt (fixtures may write rows).
// Usage: node tools/check-sql.ts [root]   (exit 1 and one line per finding when the rule is broken)
import { readFile, readdir } from 'node:fs/promises'
import { join, relative } from 'node:path'

const root = process.argv[2] ?? new URL('..', import.meta.url).pathname
const src = join(root, 'src')

/** Files allowed to touch SQL outside src/data/, each with its reason. */
const ALLOWED: Record<string, string> = {
  // pg-boss's `fromDrizzle` adapter needs drizzle's `sql` tag to enqueue in the caller's transaction; no statement is written here.
  'src/queue/queue.ts': 'pg-boss adapter',
}

/** A statement at the start of a literal: what a query looks like, not prose that happens to contain a keyword. */
const STATEMENT = new RegExp(
  [
    // select … from <table> followed by what follows a table in SQL (not "select options … from least to most")
    /(['"`])\s*select\b[^'"`]*?\bfrom\s+[\w."]+(?:\s+(?:as\s+)?\w+)?\s*(?:where|group|order|limit|join|left|inner|cross|for|,|\(|\)|;|$|['"`])/
      .source,
    /(['"`])\s*(?:insert\s+into\s+\w|update\s+\w+\s+set\s|delete\s+from\s+\w|with\s+\w+\s+as\s*\()/.source,
  ].join('|'),
  'i',
)
const DRIZZLE_IMPORT = /from\s+['"]drizzle-orm(?:\/[\w-]+)?['"]/

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* files(path)
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) yield path
  }
}

const findings: string[] = []
for await (const path of files(src)) {
  const rel = relative(root, path)
  if (rel.startsWith('src/data/') || rel in ALLOWED) continue
  const lines = (await readFile(path, 'utf8')).split('\n')
  lines.forEach((line, i) => {
    if (/^\s*(\/\/|\*)/.test(line)) return
    if (STATEMENT.test(line))
      findings.push(`${rel}:${i + 1}: SQL statement outside src/data/: ${line.trim().slice(0, 100)}`)
    if (DRIZZLE_IMPORT.test(line)) findings.push(`${rel}:${i + 1}: drizzle-orm imported outside src/data/`)
  })
}

if (findings.length > 0) {
  console.error(findings.join('\n'))
  console.error(`\n${findings.length} finding(s): move the SQL into a repository under src/data/repositories/.`)
  process.exit(1)
}
console.log('check-sql: no SQL outside src/data/')
