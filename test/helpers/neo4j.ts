import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'

/**
 * A real Neo4j for integration suites: NEO4J_URI when set (its database is cleared by the suites that
 * use it — point it at a throwaway), else the in-process Neo4j 5.26 from tools/neo4j/ (built by Maven on
 * first use, then about 15 s to start). With CI=true a Neo4j that cannot be had fails the run; locally
 * the Neo4j half of a suite is skipped with a warning.
 */

export type TestNeo4j = {
  uri: string
  username: string
  password: string
  database: string | undefined
  stop(): Promise<void>
}

const START_SCRIPT = fileURLToPath(new URL('../../tools/neo4j/start.sh', import.meta.url))
const ci = process.env.CI === 'true' || process.env.CI === '1'
/** First build downloads ~140 MB from Maven Central (measured 55 s here); starting takes ~15 s. */
const START_TIMEOUT_MS = Number(process.env.NEO4J_START_TIMEOUT_MS ?? 300_000)

async function launch(): Promise<TestNeo4j> {
  // stdin stays open as a pipe: when this process dies, the launcher sees EOF and stops.
  const child: ChildProcess = spawn('bash', [START_SCRIPT, '--watch-stdin'], { stdio: ['pipe', 'pipe', 'pipe'] })
  const stderr: string[] = []
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString())
    if (stderr.length > 200) stderr.shift()
  })
  const lines = createInterface({ input: child.stdout! })
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(
      `tools/neo4j/start.sh exited with ${String(code)} before Neo4j was ready:\n${stderr.join('').slice(-4000)}`,
    )
  })
  const ready = (async () => {
    for await (const line of lines) {
      const match = /^NEO4J_READY (bolt:\/\/\S+?)\/?$/.exec(line.trim())
      if (match) return match[1]!
    }
    throw new Error('tools/neo4j/start.sh closed its output before Neo4j was ready')
  })()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Neo4j did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS)
  })
  try {
    const uri = await Promise.race([ready, exited, timeout])
    exited.catch(() => undefined)
    return {
      uri,
      username: 'neo4j',
      password: 'unused-auth-is-off',
      database: undefined,
      async stop() {
        if (child.exitCode !== null) return
        const gone = once(child, 'exit')
        child.kill('SIGTERM')
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await gone
        clearTimeout(kill)
      },
    }
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The Neo4j for this suite, or undefined (with a warning) when none can be had outside CI.
 * Call in `beforeAll`; call `stop()` in `afterAll`.
 */
export async function startTestNeo4j(): Promise<TestNeo4j | undefined> {
  if (process.env.NEO4J_URI) {
    return {
      uri: process.env.NEO4J_URI,
      username: process.env.NEO4J_USERNAME ?? 'neo4j',
      password: process.env.NEO4J_PASSWORD ?? 'neo4j',
      database: process.env.NEO4J_DATABASE || undefined,
      stop: async () => undefined,
    }
  }
  try {
    return await launch()
  } catch (error) {
    if (ci) throw new Error(`Neo4j is required in CI: ${(error as Error).message}`, { cause: error })
    console.warn(`Neo4j unavailable, skipping its suites: ${(error as Error).message.split('\n')[0]}`)
    return undefined
  }
}
