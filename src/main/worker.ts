import type { Config } from '../config/env.ts'
import { analyzeCompletedAssessments } from '../app/assessments/analysis-task.ts'
import { scheduleGovernanceJobs } from '../app/admin/governance-jobs.ts'
import { syncGraphOnEvents } from '../graph/sync.ts'
import { createContainer } from './container.ts'

/**
 * `optimaliq worker`: queue workers only (no HTTP). Scale out by running several against one
 * PostgreSQL. On SIGTERM/SIGINT it stops fetching, lets running jobs finish (up to
 * SHUTDOWN_TIMEOUT_MS) and closes; a job cut off by a hard kill expires and is retried elsewhere.
 */
export async function runWorker(config: Config) {
  const container = await createContainer(config)
  const { logger } = container
  let stopping: Promise<void> | undefined
  const stop = (signal: string) => {
    stopping ??= (async () => {
      logger.info({ signal }, 'worker shutting down')
      const timer = setTimeout(() => {
        logger.error('shutdown timed out; exiting')
        process.exit(1)
      }, config.http.shutdownTimeoutMs + 2_000)
      timer.unref()
      await container.close()
      logger.info('worker stopped')
    })()
    return stopping
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
  try {
    await container.queue.startWorkers()
    // Queue the AI analysis of every completed assessment (idempotent across processes).
    if (config.features.analyzeOnSubmit)
      analyzeCompletedAssessments(container.events, container.tasks, container.logger)
    syncGraphOnEvents(container.events, container.queue, container.logger)
    await scheduleGovernanceJobs(container.queue, container.governance)
  } catch (error) {
    await container.close()
    throw error
  }
  logger.info({ jobs: container.queue.registered, database: config.database.kind }, 'OptimaliQ worker running')
  return { container, stop: () => stop('stop') }
}
