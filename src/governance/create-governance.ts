import type { Logger } from 'pino'
import type { Config } from '../config/env.ts'
import type { Database } from '../data/db.ts'
import { evaluateAlerts, type EvaluateAlertsResult } from './alerts/evaluate.ts'
import { ensureAlertRules } from './alerts/rules.ts'
import { createBudgetGuard, type BudgetGuard } from './budgets/budgets.ts'
import type { WallClock } from './budgets/periods.ts'
import { resolveBudgets, resolvePacing, resolveTierLimits, type Budgets, type TierLimits } from './limits/config.ts'
import { createCounterPool, type CounterPool } from './limits/counters.ts'
import { createProviderPacer, type ProviderPacer } from './limits/provider-pacing.ts'
import { createRateLimitGuard, type RateLimitGuard } from './limits/rate-limits.ts'
import { createMetrics, metricsGuard, type Metrics } from './metrics/registry.ts'
import { redactDeep } from './privacy/redact.ts'
import { runRetention, type RetentionResult } from './privacy/retention.ts'
import type { LedgerEntry } from '../gateway/ledger/ledger.ts'
import type { AiGuard } from '../gateway/types.ts'
import { createVersionResolver, type VersionResolverService } from './versions/resolver.ts'
import { createApiKeyService, type ApiKeyService } from './keys/api-keys.ts'
import { createApiKeyGuard } from './keys/key-guard.ts'

/**
 * Everything governance gives the rest of the system, built once from Config:
 * - `guards` for the gateway to call around each request (rate limits, then budgets, then metrics),
 * - `versions.resolve` (the gateway's VersionResolver),
 * - `pacer` for the router (provider RPM/TPM),
 * - `metrics` for every part that reports to Prometheus,
 * - `redactPrompt` for the ledger, and the periodic jobs `evaluateAlerts` and `runRetention`.
 */
export type Governance = {
  tierLimits: TierLimits
  budgetsConfig: Budgets
  /** The shared counters under rate limits and pacing; `close()` gives this process's leases back. */
  counters: CounterPool
  rateLimits: RateLimitGuard
  budgets: BudgetGuard
  /** API keys: authentication (expiry, rotation) and each key's settings, enforced by a guard of its own. */
  apiKeys: ApiKeyService
  guards: AiGuard[]
  pacer: ProviderPacer
  versions: VersionResolverService
  metrics: Metrics
  /** The ledger calls this on the stored request: redacts when `AI_REDACT_PROMPTS` is on, else returns it. */
  redactPrompt<T>(value: T): T
  evaluateAlerts(): Promise<EvaluateAlertsResult>
  /** `ai_log` older than AI_LOG_RETENTION_DAYS (events retention belongs to the events hub, EVENTS_RETENTION_DAYS). */
  runRetention(): Promise<RetentionResult>
  /**
   * Periodic work for the queue to schedule (no timers here): `alerts.evaluate` every
   * ALERT_INTERVAL_SECONDS and `retention.run` daily. Safe to run from several processes.
   */
  jobs: GovernanceJob[]
}

export type GovernanceJob = {
  name: 'alerts.evaluate' | 'retention.run'
  everySeconds: number
  cron: string
  run(): Promise<unknown>
}

export async function createGovernance(deps: {
  db: Database
  config: Config
  clock?: WallClock
  metrics?: Metrics
  budgetCacheMs?: number
  versionCacheMs?: number
  apiKeyCacheMs?: number
  logger?: Logger
}): Promise<Governance> {
  const { db, config } = deps
  const g = config.governance
  const tierLimits = resolveTierLimits(g.rateLimits)
  const budgetsConfig = resolveBudgets(g.budgets)
  const counters = createCounterPool(db, {
    onError: (error) => deps.logger?.warn({ err: error }, 'rate limit counters: giving back leases failed'),
  })
  const rateLimits = createRateLimitGuard({ counters, limits: tierLimits })
  const budgets = createBudgetGuard({
    db,
    budgets: budgetsConfig,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.budgetCacheMs === undefined ? {} : { cacheMs: deps.budgetCacheMs }),
  })
  const apiKeys = createApiKeyService({ db, logger: deps.logger, clock: deps.clock, cacheMs: deps.apiKeyCacheMs })
  // A key's own limits and budgets are its owner's (or an admin's) explicit settings: enforced
  // whether or not the tier limits are on (AI_LIMITS_ENABLED).
  const keyGuard = createApiKeyGuard({
    db,
    counters,
    settingsOf: (keyId) => apiKeys.settingsOf(keyId),
    clock: deps.clock,
    budgetCacheMs: deps.budgetCacheMs,
  })
  const pacer = createProviderPacer({ counters, pacing: resolvePacing(g.pacing) })
  const versions = createVersionResolver({
    db,
    ...(deps.versionCacheMs === undefined ? {} : { cacheMs: deps.versionCacheMs }),
  })
  const metrics = deps.metrics ?? createMetrics({ defaultMetrics: config.env !== 'test' })
  await ensureAlertRules(db)
  const webhook = g.alertWebhookUrl ? { url: g.alertWebhookUrl, retries: g.alertWebhookRetries } : undefined

  // Refusals are counted on their way out; the guards themselves stay free of metrics.
  const counted = (guard: AiGuard): AiGuard => ({
    async before(caller, call) {
      try {
        await guard.before(caller, call)
      } catch (error) {
        const e = error as { code?: string; details?: { limit?: string; budget?: string } }
        if (e.code === 'rate_limited' || e.code === 'budget_exceeded')
          metrics.aiRefused(e.code, e.details?.limit ?? e.details?.budget ?? 'unknown')
        throw error
      }
    },
    after: (caller, call) => guard.after(caller, call),
  })

  return {
    tierLimits,
    budgetsConfig,
    counters,
    rateLimits,
    budgets,
    apiKeys,
    guards: [
      ...(g.limitsEnabled ? [counted(rateLimits), counted(budgets)] : []),
      counted(keyGuard),
      metricsGuard(metrics),
    ],
    pacer,
    versions,
    metrics,
    redactPrompt: (value) => (g.redactPrompts ? redactDeep(value) : value),
    evaluateAlerts: () =>
      evaluateAlerts({ db, webhook, budgets: budgetsConfig, ...(deps.clock ? { clock: deps.clock } : {}) }),
    runRetention: () =>
      runRetention(db, { aiLogDays: g.aiLogRetentionDays, eventsDays: 0, responsesDays: g.aiResponsesRetentionDays }),
    jobs: [
      {
        name: 'alerts.evaluate',
        everySeconds: g.alertIntervalSeconds,
        cron: everyCron(g.alertIntervalSeconds),
        run: () =>
          evaluateAlerts({ db, webhook, budgets: budgetsConfig, ...(deps.clock ? { clock: deps.clock } : {}) }),
      },
      {
        name: 'retention.run',
        everySeconds: 86_400,
        cron: '17 3 * * *',
        run: () =>
          runRetention(db, {
            aiLogDays: g.aiLogRetentionDays,
            eventsDays: 0,
            responsesDays: g.aiResponsesRetentionDays,
          }),
      },
    ],
  }
}

/** A cron expression for "every n seconds", rounded to whole minutes (pg-boss schedules by minute). */
export function everyCron(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60))
  return minutes === 1 ? '* * * * *' : minutes < 60 ? `*/${minutes} * * * *` : '0 * * * *'
}

/**
 * Governance around the gateway's ledger, wired once in the container (wrap, do not branch): rows
 * are redacted before they are buffered (AI_REDACT_PROMPTS) and failed requests — which never reach
 * a guard's `after` — are counted in the AI metrics.
 */
export function observeLedger(
  ledger: { record(entry: LedgerEntry): void },
  governance: Pick<Governance, 'metrics' | 'redactPrompt'>,
): void {
  const write = ledger.record.bind(ledger)
  ledger.record = (entry) => {
    if (entry.status === 'error')
      governance.metrics.aiRequest({
        feature: entry.feature ?? 'unknown',
        provider: entry.provider,
        model: entry.model,
        outcome: 'error',
        errorClass: entry.errorClass,
      })
    write({
      ...entry,
      request: governance.redactPrompt(entry.request),
      response: governance.redactPrompt(entry.response),
    })
  }
}
