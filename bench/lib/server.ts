import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

/** Shared helpers for benchmarks: a real `optimaliq serve` in a child process, on PGlite or PostgreSQL. */

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const CLI = new URL('../../src/main/cli.ts', import.meta.url).pathname

export type BenchServer = { url: string; backend: 'pglite' | 'postgres'; process: ChildProcess; stop(): Promise<void> }

/** Run one statement on the admin database (create/drop bench databases). */
export async function admin(text: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** Start `optimaliq serve` on a free port with a fresh database of this kind. */
export async function startServer(
  backend: 'pglite' | 'postgres',
  env: Record<string, string> = {},
): Promise<BenchServer> {
  const dir = await mkdtemp(join(tmpdir(), 'optimaliq-bench-'))
  const dbName = `oq_bench_${Date.now().toString(36)}`
  if (backend === 'postgres') await admin(`create database ${dbName}`)
  const port = 20_000 + Math.floor(Math.random() * 20_000)
  // The same V8 flags as `npm start` (package.json), so the figures are what users run;
  // BENCH_NODE_FLAGS replaces them for an experiment (e.g. BENCH_NODE_FLAGS="--max-semi-space-size=8").
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=16').split(' ').filter(Boolean), CLI, 'serve'],
    {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        OPTIMALIQ_DATA_DIR: dir,
        JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
        // Every bench user signs up from 127.0.0.1.
        AUTH_SIGNUPS_PER_ADDRESS_PER_HOUR: '1000000',
        ...(backend === 'postgres' ? { DATABASE_URL: ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`) } : {}),
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`)
    try {
      if ((await fetch(`${url}/readyz`)).ok) break
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error('server did not become ready in 60 s')
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    backend,
    process: child,
    async stop() {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      await rm(dir, { recursive: true, force: true })
      if (backend === 'postgres') await admin(`drop database if exists ${dbName} with (force)`)
    },
  }
}

/** Whether the local PostgreSQL answers. */
export async function postgresAvailable(): Promise<boolean> {
  try {
    await admin('select 1')
    return true
  } catch {
    return false
  }
}

/** Sign up a user through the API and return its bearer token. */
export async function signupToken(
  url: string,
  email = `bench.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`,
): Promise<string> {
  const response = await fetch(`${url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'bench password 123' }),
  })
  if (response.status !== 201) throw new Error(`signup failed: ${response.status} ${await response.text()}`)
  return ((await response.json()) as { token: string }).token
}

/** Print rows as an aligned table. */
export function printTable(title: string, rows: Array<Record<string, string | number>>) {
  console.log(`\n${title}`)
  if (rows.length === 0) return
  const headers = Object.keys(rows[0]!)
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  console.log(line(headers))
  console.log(line(widths.map((w) => '-'.repeat(w))))
  for (const row of rows) console.log(line(headers.map((h) => String(row[h] ?? ''))))
}

/** The value at percentile `p` (0–100) of an ascending array. */
export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
