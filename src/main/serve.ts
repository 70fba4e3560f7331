import type { Config } from '../config/env.ts'
import { buildApp } from '../http/app.ts'
import { analyzeCompletedAssessments } from '../app/assessments/analysis-task.ts'
import { scheduleGovernanceJobs } from '../app/admin/governance-jobs.ts'
import { seedDemoCohort } from '../graph/demo.ts'
import { syncGraphOnEvents } from '../graph/sync.ts'
import { createContainer, type Container } from './container.ts'
import { startMetricsServer } from './metrics-server.ts'

export type ServeOptions = { worker: boolean }

/**
 * `optimaliq serve`: API, docs and (unless --no-worker) the in-process workers. Shuts down
 * gracefully on SIGTERM/SIGINT: stop accepting, finish in-flight requests, flush, close the database.
 */
export async function serve(config: Config, options: ServeOptions = { worker: true }) {
  const container = await createContainer(config)
  const app = await buildApp(container)
  const { logger } = container

  let stopping: Promise<void> | undefined
  const stop = (signal: string) => {
    stopping ??= (async () => {
      logger.info({ signal }, 'shutting down')
      const timer = setTimeout(() => {
        logger.error('shutdown timed out; exiting')
        process.exit(1)
      }, config.http.shutdownTimeoutMs)
      timer.unref()
      await app.close()
      await container.close()
      logger.info('stopped')
    })()
    return stopping
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))

  try {
    if (options.worker) {
      await container.queue.startWorkers()
      await scheduleGovernanceJobs(container.queue, container.governance)
    }
    // Queue the AI analysis of every completed assessment (idempotent across processes).
    if (config.features.analyzeOnSubmit) analyzeCompletedAssessments(container.events, container.tasks, logger)
    // Score and profile changes reach the peer graph through the queued graph_sync job.
    syncGraphOnEvents(container.events, container.queue, logger)
    if (config.graph.demo) void seedDemoOnStart(container, config.graph.demoBusinesses)
    const address = await app.listen({ host: config.http.host, port: config.http.port })
    if (config.governance.metricsPort > 0) {
      const metricsServer = await startMetricsServer(
        container.governance.metrics,
        config.http.host,
        config.governance.metricsPort,
      )
      container.onClose(() => new Promise<void>((resolve) => metricsServer.close(() => resolve())))
    }
    const where = config.database.kind === 'postgres' ? 'PostgreSQL' : `embedded PGlite in ${config.database.dir}`
    logger.info(
      { address, database: config.database.kind },
      `OptimaliQ listening on ${address} (docs: ${address}/docs, data: ${where})`,
    )
    return { app, container, address, stop: () => stop('stop') }
  } catch (error) {
    await container.close()
    throw error
  }
}

/** OPTIMALIQ_DEMO=true: a demo cohort for a fresh install, written in the background once (idempotent ids). */
async function seedDemoOnStart(container: Container, businesses: number) {
  try {
    const counts = await container.graph.store.counts()
    if (counts.demoBusinesses >= businesses) return
    await seedDemoCohort(container.graph.store, businesses)
    container.logger.info({ businesses }, 'demo cohort seeded (OPTIMALIQ_DEMO=true): peers shown as demo')
  } catch (error) {
    container.logger.warn({ err: error }, 'could not seed the demo cohort')
  }
}
