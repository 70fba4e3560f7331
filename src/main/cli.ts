#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../config/env.ts'
import { openDatabase } from '../data/db.ts'
import { migrate } from '../data/migrate.ts'
import { serve } from './serve.ts'
import { runWorker } from './worker.ts'

const USAGE = `Usage: optimaliq <command> [options]

Commands:
  serve [--no-worker]    API, web app, realtime stream and (by default) the queue workers
  worker                 queue workers only (no HTTP); run several for throughput
  migrate                apply pending database migrations and exit
  graph backfill         rebuild the peer graph (Neo4j or SQL) from the database
  graph check            compare the peer graph with the database and report drift (exit 1 on drift)
  demo seed [--businesses N] [--reset]
                         add N synthetic demo businesses (flagged demo) so a fresh install shows peers
  simulate [--port N] [--host H] [--fault [provider:]spec ...]
                         run the AI provider simulator (OpenAI, Anthropic, Gemini/Vertex, Mistral, …);
                         --fault takes the x-sim-fault syntax, e.g. --fault openai:status=500,failure-rate=0.5

Configuration comes from the environment; see README.md.`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE)
    return command ? 0 : 1
  }
  if (command === 'simulate') return simulate(rest)
  const config = loadConfig()
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { 'no-worker': { type: 'boolean', default: false } } })
      await serve(config, { worker: !values['no-worker'] })
      return -1 // keep running
    }
    case 'worker': {
      if (config.database.kind === 'pglite') {
        // PGlite is embedded in one process: a second process on the same data dir would corrupt it.
        console.error(
          'optimaliq worker needs DATABASE_URL (PostgreSQL); with the embedded database, `serve` runs the workers itself.',
        )
        return 78
      }
      await runWorker(config)
      return -1 // keep running
    }
    case 'migrate': {
      const db = await openDatabase(config.database)
      try {
        const result = await migrate(db)
        console.log(
          result.applied.length
            ? `Applied ${result.applied.join(', ')}`
            : `Up to date (${result.alreadyApplied} migrations)`,
        )
      } finally {
        await db.close()
      }
      return 0
    }
    case 'graph': {
      const { graphCommand } = await import('./graph-cli.ts')
      return graphCommand(config, rest)
    }
    case 'demo': {
      const { demoCommand } = await import('./graph-cli.ts')
      return demoCommand(config, rest)
    }
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`)
      return 2
  }
}

async function simulate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '8090' },
      host: { type: 'string', default: '127.0.0.1' },
      fault: { type: 'string', multiple: true, default: [] },
    },
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a whole number from 0 to 65535 (got "${values.port}")`)
    return 2
  }
  const { createSimulator, parseFaultHeader, SIMULATED_PROVIDERS } = await import('../simulator/index.ts')
  const faults: Array<{ provider: string | undefined; spec: ReturnType<typeof parseFaultHeader> }> = []
  for (const flag of values.fault) {
    const match = /^([a-z]+):(.*)$/.exec(flag)
    const provider =
      match && (SIMULATED_PROVIDERS as readonly string[]).includes(match[1] as string) ? match[1] : undefined
    try {
      faults.push({ provider, spec: parseFaultHeader(provider ? (match?.[2] ?? '') : flag) })
    } catch (error) {
      console.error(`--fault "${flag}": ${error instanceof Error ? error.message : String(error)}`)
      return 2
    }
  }
  const sim = await createSimulator({ port, host: values.host })
  for (const { provider, spec } of faults) sim.setFaults(spec, provider)
  console.log(`OptimaliQ provider simulator listening on ${sim.url}\n`)
  console.log('Base URLs:')
  for (const provider of SIMULATED_PROVIDERS) console.log(`  ${provider.padEnd(10)} ${sim.baseUrls[provider]}`)
  console.log('\nPoint OptimaliQ at it (any key works):')
  for (const [name, value] of Object.entries(sim.env())) console.log(`  export ${name}=${value}`)
  console.log(
    `\nFaults: header  x-sim-fault: latency=200,status=429,retry-after=1  (also hang, stall, stream-error, malformed, truncate, invalid-schema, failure-rate=0.5, chunk-delay=20)`,
  )
  console.log(
    `        server  curl -X POST ${sim.url}/_control/faults -H 'content-type: application/json' -d '{"provider":"openai","status":503,"failureRate":0.5}'`,
  )
  console.log(`        stats   curl ${sim.url}/_control/stats`)
  if (faults.length) console.log(`\nActive faults: ${JSON.stringify(sim.faults())}`)
  const stop = () => void sim.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return -1 // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(78)
    }
    console.error(error instanceof Error ? (error.stack ?? error.message) : error)
    process.exit(1)
  },
)
