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

Configuration comes from the environment; see README.md.`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE)
    return command ? 0 : 1
  }
  const config = loadConfig()
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { 'no-worker': { type: 'boolean', default: false } } })
      await serve(config, { worker: !values['no-worker'] })
      return -1 // keep running
    }
    case 'worker': {
      await runWorker(config)
      return -1 // keep running
    }
    case 'migrate': {
      const db = await openDatabase(config.database)
      try {
        const result = await migrate(db)
        console.log(result.applied.length ? `Applied ${result.applied.join(', ')}` : `Up to date (${result.alreadyApplied} migrations)`)
      } finally {
        await db.close()
      }
      return 0
    }
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`)
      return 2
  }
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
