import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Tracer } from '@opentelemetry/api'
import pino, { type Logger } from 'pino'
import type { AiGateway } from '../gateway/client.ts'
import type { AiGuard, VersionResolver } from '../gateway/types.ts'
import type { ApiKeyService } from '../governance/keys/api-keys.ts'
import type { WallClock } from '../governance/budgets/periods.ts'
import { createGateway } from '../gateway/create-gateway.ts'
import { defineAssessmentAnalysisTask } from '../app/assessments/analysis-task.ts'
import { defineDashboardRefreshTask } from '../app/dashboard/refresh-task.ts'
import { createAuthService, type AuthService } from '../auth/service.ts'
import { subscribeRevocations } from '../app/account/revocation.ts'
import { createAuthThrottle } from '../auth/throttle.ts'
import { createTokenService } from '../auth/tokens.ts'
import { recordAdminAction } from '../data/repositories/audit.ts'
import { ConfigError, type Config } from '../config/env.ts'
import { LOG_SERIALIZERS } from './log-serializers.ts'
import { otlpTracing } from './tracing.ts'
import { openDatabase, type Database } from '../data/db.ts'
import { migrate } from '../data/migrate.ts'
import { loadAssessmentCatalogue } from '../app/assessments/load-configs.ts'
import type { AssessmentCatalogue } from '../domain/assessments/assessment-configs.ts'
import { resolveOverallWeights, type OverallWeights } from '../domain/assessments/overall.ts'
import { createGovernance, observeLedger, type Governance } from '../governance/create-governance.ts'
import { registerGovernanceJobs, registerQueueAndStreamGauges } from '../app/admin/governance-jobs.ts'
import { createEventHub, type EventHub } from '../events/hub.ts'
import { createGraphStore, type GraphStore } from '../graph/index.ts'
import { createGraphSync, registerGraphSyncJob, type GraphSync } from '../graph/sync.ts'
import { createQueue, type Queue } from '../queue/queue.ts'
import { createTaskService, type TaskService } from '../app/tasks/task-service.ts'
import { createRealtimeHub, type RealtimeHub } from '../realtime/hub.ts'
import { createUsagePulse } from '../app/admin/usage-pulse.ts'
import { createKpiService, type KpiService } from '../app/kpis/kpis.ts'
import { createDocumentService, type DocumentService } from '../app/documents/documents.ts'
import { defineDocumentTasks } from '../app/documents/analysis-task.ts'

/**
 * Wires every part once from Config. No singletons: tests build their own container with a
 * fresh database; `serve`, `worker` and `migrate` build theirs here.
 */
export type Container = {
  config: Config
  logger: Logger
  db: Database
  auth: AuthService
  /** The AI gateway: the in-code client (`ai.generateObject`, …) plus router, cache, ledger, health. */
  ai: AiGateway
  /** API keys of the OpenAI-compatible `/v1` API. */
  apiKeys: ApiKeyService
  /** The deep assessments' validated configs and the overall score's weights. */
  assessments: { catalogue: AssessmentCatalogue; overallWeights: OverallWeights }
  /** Limits, budgets, versions, metrics, alerts, retention (issue 7). */
  governance: Governance
  /** The events log as this process sees it: `subscribe(type, handler)` for local handlers. */
  events: EventHub
  /** SSE streams per user, fed by `events`. */
  realtime: RealtimeHub
  /** pg-boss: `register(name, schema, handler, options)`, `enqueue(name, payload, options)`. Workers start only in `serve`/`worker`. */
  queue: Queue
  /** Queued AI tasks (`ai_tasks`) and their job handlers. */
  tasks: TaskService
  /** KPI months, forecasts, anomalies and their narrative. */
  kpis: KpiService
  /** Uploaded documents and images, analysed as queued tasks. */
  documents: DocumentService
  /** The peer graph (Neo4j or SQL) and its sync from SQL (docs/graph.md). */
  graph: { store: GraphStore; sync: GraphSync }
  /** Register work to do on shutdown; run in reverse order by `close()`. */
  onClose(fn: () => Promise<void> | void): void
  close(): Promise<void>
}

export type ContainerOverrides = {
  db?: Database
  logger?: Logger
  migrate?: boolean
  ai?: (deps: {
    config: Config
    db: Database
    logger: Logger
    guards: AiGuard[]
    resolveVersions: VersionResolver
    tracer: Tracer | undefined
  }) => AiGateway
  assessmentCatalogue?: AssessmentCatalogue
  /** OpenTelemetry tracer (tests: an in-memory exporter); default: OTLP when configured, else none. */
  tracer?: Tracer
  /** Wall-clock time for governance (budget periods, API key expiry and rotation): tests pick the instant. */
  clock?: WallClock
}

/** Paths and headers that must never reach a log line. */
export const LOG_REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordHash',
  '*.token',
  '*.apiKey',
]

/** The process's logger; `destination` for tests that read what was logged. */
export function createLogger(config: Config, destination?: pino.DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: LOG_REDACT, censor: '[redacted]' },
    serializers: LOG_SERIALIZERS,
  }
  return destination ? pino(options, destination) : pino(options)
}

/** JWT_SECRET, else a secret generated on first start and kept in the data dir. */
export async function resolveJwtSecret(config: Config): Promise<string> {
  if (config.auth.jwtSecret) return config.auth.jwtSecret
  const file = join(config.dataDir, 'jwt-secret')
  try {
    const existing = (await readFile(file, 'utf8')).trim()
    if (existing.length >= 32) return existing
  } catch {
    // First start: generate below.
  }
  await mkdir(config.dataDir, { recursive: true })
  const secret = randomBytes(48).toString('base64url')
  await writeFile(file, `${secret}\n`, { mode: 0o600 })
  return secret
}

function weightsOrFail(overrides: Record<string, number>): OverallWeights {
  try {
    return resolveOverallWeights(overrides)
  } catch (error) {
    throw new ConfigError('ASSESSMENT_OVERALL_WEIGHTS', (error as Error).message)
  }
}

export async function createContainer(config: Config, overrides: ContainerOverrides = {}): Promise<Container> {
  const logger = overrides.logger ?? createLogger(config)
  // Bad question content or weights fail start-up here, before a database is opened.
  const assessments = {
    catalogue: overrides.assessmentCatalogue ?? (await loadAssessmentCatalogue(config.assessments.configDir)),
    overallWeights: weightsOrFail(config.assessments.overallWeights),
  }
  if (assessments.catalogue.missing.length > 0)
    logger.warn(
      { missing: assessments.catalogue.missing },
      'assessment configs missing: those assessments are not served',
    )
  const db = overrides.db ?? (await openDatabase(config.database))
  const closers: Array<() => Promise<void> | void> = []
  if (!overrides.db) closers.push(() => db.close())
  try {
    if (overrides.migrate !== false) {
      const result = await migrate(db)
      if (result.applied.length > 0) logger.info({ applied: result.applied }, 'database migrated')
    }
    const tokens = createTokenService({
      secret: await resolveJwtSecret(config),
      expiresInSeconds: config.auth.jwtExpiresInSeconds,
      supabaseSecret: config.auth.supabaseJwtSecret,
    })
    const governance = await createGovernance({
      db,
      config,
      logger,
      ...(overrides.clock ? { clock: overrides.clock } : {}),
    })
    closers.push(() => governance.counters.close())
    // Login and sign-up throttling on the limiter's shared counters; refusals go to the audit log.
    const throttle = createAuthThrottle({
      counters: governance.counters,
      options: config.auth.throttle,
      audit: (entry) => recordAdminAction(db.orm, { actorId: null, ...entry }),
      onError: (error) => logger.warn({ err: error }, 'auth throttle audit failed'),
    })
    const auth = createAuthService({
      db,
      tokens,
      adminEmails: config.auth.adminEmails,
      principalCacheMs: config.auth.principalCacheMs,
      throttle,
    })
    // The gateway calls governance around every request: rate limits and budgets (guards, which
    // also feed the AI metrics), and model versions / experiments (the resolver).
    const tracing = overrides.tracer ? undefined : otlpTracing(config)
    // Flushed after the gateway closed (closers run in reverse order): the last spans end with the ledger.
    if (tracing) closers.push(() => tracing.shutdown())
    const gatewayDeps = {
      config,
      db,
      logger,
      tracer: overrides.tracer ?? tracing?.tracer,
      guards: governance.guards,
      pacer: governance.pacer,
      resolveVersions: governance.versions.resolve,
    }
    const ai = overrides.ai ? overrides.ai(gatewayDeps) : createGateway(gatewayDeps)
    // Flushes the ledger before the database closes (closers run in reverse order).
    closers.push(() => ai.close())
    const apiKeys = governance.apiKeys
    if (ai.ledger) observeLedger(ai.ledger, governance)
    // Breaker states are read from the gateway at scrape time.
    governance.metrics.onScrape(() => {
      for (const h of ai.providerHealth()) governance.metrics.breakerState(h.provider, h.breaker)
    })
    const events = createEventHub({
      db,
      logger,
      heartbeatMs: config.events.heartbeatMs,
      retentionDays: config.events.retentionDays,
    })
    closers.push(() => events.stop())
    await events.start()
    const realtime = createRealtimeHub({ db, events, logger, ...config.realtime })
    // Logout, account deletion and key revocation reach every process's caches and streams at once.
    subscribeRevocations(events, { auth, realtime, apiKeys })
    const queue = createQueue({ db, logger, ...config.queue })
    const tasks = createTaskService({ db, queue, logger, ...config.tasks })
    const graphStore = createGraphStore({ config, db, logger })
    closers.push(() => graphStore.close())
    const graph = { store: graphStore, sync: createGraphSync({ db, store: graphStore, logger }) }
    registerGraphSyncJob(queue, graph.sync)
    // AI features: the queued assessment analysis and dashboard refresh.
    const featureDeps = { db, ai, config, overallWeights: assessments.overallWeights, graph, logger }
    defineAssessmentAnalysisTask(tasks, featureDeps)
    defineDashboardRefreshTask(tasks, featureDeps)
    defineDocumentTasks(tasks, { db, ai })
    const kpis = createKpiService({ db, ai })
    const documents = createDocumentService({ db, tasks })
    registerGovernanceJobs(queue, governance, logger)
    registerQueueAndStreamGauges(governance, { db, realtime })
    // New AI traffic becomes an event on admins' streams (their console refreshes from it).
    const usagePulse = createUsagePulse({
      db,
      realtime,
      intervalMs: 2_000,
      onError: (err) => logger.warn({ err }, 'usage pulse failed'),
    })
    closers.push(() => usagePulse.stop())
    // Reverse order on close: streams end, the queue drains, then the LISTEN connection goes.
    closers.push(() => queue.stop(config.http.shutdownTimeoutMs))
    closers.push(() => {
      realtime.closeAll()
      realtime.stop()
    })
    return {
      config,
      logger,
      db,
      auth,
      ai,
      apiKeys,
      assessments,
      governance,
      events,
      realtime,
      queue,
      tasks,
      kpis,
      documents,
      graph,
      onClose: (fn) => void closers.push(fn),
      async close() {
        for (const fn of closers.reverse()) {
          try {
            await fn()
          } catch (error) {
            logger.error({ err: error }, 'error during shutdown')
          }
        }
        closers.length = 0
      },
    }
  } catch (error) {
    // Undo what started (the LISTEN connection, …), the database last.
    for (const fn of closers.reverse())
      await Promise.resolve()
        .then(fn)
        .catch(() => undefined)
    throw error
  }
}
