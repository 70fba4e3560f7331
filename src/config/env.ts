import { z } from 'zod'
import type { GatewayConfig } from '../gateway/config.ts'
import { AI_PROVIDERS, type ProviderName } from '../gateway/provider-names.ts'
import { optionalText, optionalUrl } from '../gateway/providers/env-fields.ts'
import { PROVIDER_ENV, readProviderSettings } from '../gateway/providers/index.ts'
import { resolveBudgets, resolvePacing, resolveTierLimits } from '../governance/limits/config.ts'

/**
 * The only reader of `process.env`. Every variable the product understands is declared here,
 * validated once at start-up, and turned into a typed `Config`. README's configuration table
 * lists the same names.
 */

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
      error: 'must be true or false',
    })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes', 'on'].includes(v)))

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback
      const n = Number(v)
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` })
        return z.NEVER
      }
      return n
    })

const num = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback
      const n = Number(v)
      if (!Number.isFinite(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a number from ${min} to ${max}` })
        return z.NEVER
      }
      return n
    })

const csv = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  )

/**
 * Which proxies may name the client in X-Forwarded-For (Fastify's `trustProxy`): unset/false (the
 * socket's address is the client), a number of hops, or a list of proxy addresses/CIDRs. `true`
 * trusts any sender, so any client could name itself: per-address throttles and the loopback-only
 * /metrics would be spoofable. See docs/RELIABILITY.md.
 */
const trustProxy = z
  .string()
  .optional()
  .transform((v, ctx): boolean | number | string[] => {
    const value = (v ?? '').trim()
    if (value === '' || value === 'false' || value === '0') return false
    if (value === 'true') return true
    if (/^\d+$/.test(value)) return Number(value)
    const list = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    if (
      list.some((s) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(s) && !['loopback', 'linklocal', 'uniquelocal'].includes(s))
    ) {
      ctx.addIssue({ code: 'custom', message: 'must be true, false, a number of hops, or proxy addresses/CIDRs' })
      return z.NEVER
    }
    return list
  })

/** `name=weight,name=weight` (e.g. `sales=0.2,reassessment=0`); names are checked where they are used. */
const weightList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const weights: Record<string, number> = {}
    for (const part of (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const match = /^([a-z_]+)\s*=\s*([0-9.]+)$/.exec(part)
      const weight = match ? Number(match[2]) : Number.NaN
      if (!match || !Number.isFinite(weight)) {
        ctx.addIssue({ code: 'custom', message: `must be name=weight pairs separated by commas (bad part "${part}")` })
        return z.NEVER
      }
      weights[match[1]!] = weight
    }
    return weights
  })

const json = z
  .string()
  .optional()
  .transform((v, ctx): unknown => {
    if (v === undefined || v.trim() === '') return undefined
    try {
      return JSON.parse(v) as unknown
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' })
      return z.NEVER
    }
  })

/** JSON checked at start-up by the function that will use it (its error names the field at fault). */
const jsonChecked = (check: (value: unknown) => unknown) =>
  json.superRefine((value, ctx) => {
    if (value === undefined) return
    try {
      check(value)
    } catch (error) {
      const issue = error instanceof z.ZodError ? error.issues[0] : undefined
      ctx.addIssue({
        code: 'custom',
        message: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : String(error),
      })
    }
  })

export { AI_PROVIDERS }
export type AiProviderName = ProviderName

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(3000, 0, 65535),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** OpenTelemetry traces go to this OTLP/HTTP collector (`/v1/traces` is appended); off when unset. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  /** A traces-only endpoint, used as is (the OTel spec's precedence over the generic one). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
  OTEL_SERVICE_NAME: z.string().min(1).default('optimaliq'),
  OPTIMALIQ_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: optionalUrl.refine((v) => v === undefined || /^postgres(ql)?:/.test(v), {
    message: 'must be a postgres:// URL',
  }),
  DATABASE_POOL_SIZE: int(20, 1, 500),
  JWT_SECRET: optionalText.refine((v) => v === undefined || v.length >= 32, {
    message: 'must be at least 32 characters',
  }),
  JWT_EXPIRES_IN_SECONDS: int(7 * 24 * 3600, 60, 365 * 24 * 3600),
  SUPABASE_JWT_SECRET: optionalText,
  OPTIMALIQ_ADMIN_EMAILS: csv,
  AUTH_CACHE_MS: int(2000, 0, 60_000),
  AUTH_THROTTLE_ENABLED: bool(true),
  AUTH_LOGIN_BACKOFF_FAILURES: int(5, 1, 1_000),
  AUTH_LOGIN_LOCK_FAILURES: int(10, 1, 10_000),
  AUTH_LOGIN_LOCK_MINUTES: int(15, 1, 24 * 60),
  AUTH_LOGIN_ADDRESS_FAILURES: int(100, 1, 1_000_000),
  AUTH_SIGNUPS_PER_ADDRESS_PER_HOUR: int(30, 1, 1_000_000),
  COOKIE_SECURE: bool(false),
  CORS_ORIGINS: csv,
  BODY_LIMIT_BYTES: int(1_048_576, 1024, 50 * 1_048_576),
  TRUST_PROXY: trustProxy,
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 120_000),
  ASSESSMENT_RETAKE_DAYS: num(30, 0, 3650),
  BENCHMARK_MIN_PEERS: int(5, 1, 100_000),
  AI_ANALYZE_ON_SUBMIT: bool(true),
  DASHBOARD_CACHE_MS: int(10_000, 0, 3_600_000),
  ASSESSMENT_CONFIG_DIR: optionalText,
  NEO4J_URI: optionalText.refine((v) => v === undefined || /^(bolt|neo4j)(\+s|\+ssc)?:\/\//.test(v), {
    message: 'must be a bolt:// or neo4j:// URL (optionally +s / +ssc)',
  }),
  NEO4J_USERNAME: optionalText,
  NEO4J_PASSWORD: optionalText,
  NEO4J_DATABASE: optionalText,
  OPTIMALIQ_DEMO: bool(false),
  OPTIMALIQ_DEMO_BUSINESSES: int(200, 1, 1_000_000),
  ASSESSMENT_OVERALL_WEIGHTS: weightList,

  AI_ENABLED: bool(true),
  AI_PROVIDER: z.enum(AI_PROVIDERS).optional(),
  AI_MODEL: optionalText,
  AI_MAX_TOKENS: int(1000, 1, 1_000_000),
  AI_TEMPERATURE: num(0.7, 0, 2),
  // Each provider's own variables (OPENAI_API_KEY, ANTHROPIC_BASE_URL, …): gateway/providers/<name>.ts.
  ...PROVIDER_ENV,
  OPTIMALIQ_CONFIG: optionalText,
  AI_ATTEMPT_TIMEOUT_MS: int(30_000, 100, 600_000),
  AI_DEADLINE_MS: int(60_000, 100, 1_800_000),
  AI_MAX_RETRIES: int(2, 0, 10),
  AI_RETRY_AFTER_CAP_MS: int(5_000, 0, 300_000),
  AI_HEDGE_AFTER_MS: int(0, 0, 600_000),
  AI_BREAKER_THRESHOLD: int(5, 1, 1000),
  AI_BREAKER_HALF_OPEN_MS: int(30_000, 10, 3_600_000),
  AI_HEALTH_PROBE_INTERVAL_SECONDS: int(0, 0, 86_400),
  AI_LEDGER_FLUSH_MS: int(1_000, 10, 60_000),
  AI_LOG_PROMPTS: bool(false),
  AI_MEDIA_FETCH: z.enum(['public', 'any', 'off']).default('public'),
  AI_V1_CACHE_TTL_SECONDS: int(0, 0, 31 * 86_400),
  AI_ROUTES_POLL_MS: int(2_000, 0, 3_600_000),

  AI_LIMITS_ENABLED: bool(true),
  AI_RATE_LIMITS: jsonChecked(resolveTierLimits),
  AI_BUDGETS: jsonChecked(resolveBudgets),
  AI_PROVIDER_PACING: jsonChecked(resolvePacing),
  AI_REDACT_PROMPTS: bool(false),
  AI_LOG_RETENTION_DAYS: int(90, 0, 36_500),
  /** Stored `/v1/responses` (store: true) are deleted after this many days (0: kept); OpenAI keeps them 30. */
  AI_RESPONSES_RETENTION_DAYS: int(30, 0, 36_500),
  ALERT_WEBHOOK_URL: optionalUrl,
  ALERT_WEBHOOK_RETRIES: int(3, 0, 10),
  ALERT_INTERVAL_SECONDS: int(60, 5, 86_400),
  METRICS_TOKEN: optionalText,
  METRICS_PORT: int(0, 0, 65535),

  EVENTS_RETENTION_DAYS: num(7, 0.001, 3650),
  EVENTS_HEARTBEAT_SECONDS: num(10, 0.1, 600),
  REALTIME_MAX_STREAMS_PER_USER: int(5, 1, 1000),
  REALTIME_KEEPALIVE_SECONDS: num(15, 0.1, 600),
  REALTIME_MAX_BUFFER_BYTES: int(1_048_576, 1024, 256 * 1_048_576),
  QUEUE_BATCH_SIZE: int(20, 1, 1000),
  QUEUE_CONCURRENCY: int(2, 1, 100),
  QUEUE_SUPERVISE_SECONDS: int(60, 1, 3600),
  TASK_TIMEOUT_SECONDS: int(300, 1, 86_400),
  TASK_RETRY_LIMIT: int(3, 0, 100),
  TASK_RETRY_DELAY_SECONDS: int(2, 0, 3600),
  TASK_SIMULATED_DELAY_MS: int(0, 0, 600_000),
})

export type Env = z.infer<typeof envSchema>

/** Raised when the environment is invalid: one line naming the variable and what is wrong. */
export class ConfigError extends Error {
  readonly variable: string
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`)
    this.name = 'ConfigError'
    this.variable = variable
  }
}

export type Config = ReturnType<typeof toConfig>

/** Parse and validate an environment (defaults to `process.env`). Throws `ConfigError`. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const variable = String(issue?.path[0] ?? 'environment')
    const value = env[variable]
    const shown = value === undefined ? '' : ` (got "${redactValue(variable, value)}")`
    throw new ConfigError(variable, `${issue?.message ?? 'is invalid'}${shown}`)
  }
  return toConfig(parsed.data)
}

function redactValue(variable: string, value: string): string {
  return /KEY|SECRET|PASSWORD|TOKEN/.test(variable) ? '***' : value.slice(0, 80)
}

function toConfig(env: Env) {
  return {
    env: env.NODE_ENV,
    http: {
      host: env.HOST,
      port: env.PORT,
      bodyLimit: env.BODY_LIMIT_BYTES,
      trustProxy: env.TRUST_PROXY,
      corsOrigins: env.CORS_ORIGINS,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
    logLevel: env.LOG_LEVEL,
    telemetry: {
      tracesEndpoint:
        env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
        (env.OTEL_EXPORTER_OTLP_ENDPOINT
          ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces`
          : undefined),
      serviceName: env.OTEL_SERVICE_NAME,
    },
    dataDir: env.OPTIMALIQ_DATA_DIR,
    database: env.DATABASE_URL
      ? { kind: 'postgres' as const, url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE }
      : { kind: 'pglite' as const, dir: `${env.OPTIMALIQ_DATA_DIR.replace(/\/$/, '')}/pglite` },
    auth: {
      jwtSecret: env.JWT_SECRET,
      jwtExpiresInSeconds: env.JWT_EXPIRES_IN_SECONDS,
      supabaseJwtSecret: env.SUPABASE_JWT_SECRET,
      adminEmails: env.OPTIMALIQ_ADMIN_EMAILS,
      principalCacheMs: env.AUTH_CACHE_MS,
      /** Login and sign-up throttling (auth/throttle.ts). */
      throttle: {
        enabled: env.AUTH_THROTTLE_ENABLED,
        backoffFailures: env.AUTH_LOGIN_BACKOFF_FAILURES,
        lockFailures: env.AUTH_LOGIN_LOCK_FAILURES,
        lockMinutes: env.AUTH_LOGIN_LOCK_MINUTES,
        addressFailures: env.AUTH_LOGIN_ADDRESS_FAILURES,
        signupsPerAddressPerHour: env.AUTH_SIGNUPS_PER_ADDRESS_PER_HOUR,
      },
      cookieSecure: env.COOKIE_SECURE,
    },
    assessments: {
      retakeDays: env.ASSESSMENT_RETAKE_DAYS,
      /** Folder of the deep assessments' JSON configs; default: the shipped `src/domain/assessments/configs`. */
      configDir: env.ASSESSMENT_CONFIG_DIR,
      /** Overrides of the overall score's default weights, by component name. */
      overallWeights: env.ASSESSMENT_OVERALL_WEIGHTS,
    },
    features: {
      /** Peers an industry (or everyone) needs before its benchmark is shown instead of the default. */
      benchmarkMinPeers: env.BENCHMARK_MIN_PEERS,
      /** Queue the assessment_analysis task after every deep-assessment submission. */
      analyzeOnSubmit: env.AI_ANALYZE_ON_SUBMIT,
      /** In-process copy of cached dashboards, dropped on score events; 0 turns it off. */
      dashboardCacheMs: env.DASHBOARD_CACHE_MS,
    },
    /** The peer graph (docs/graph.md): Neo4j when NEO4J_URI is set, else the SQL backend on the main database. */
    graph: {
      neo4j: env.NEO4J_URI
        ? {
            uri: env.NEO4J_URI,
            username: env.NEO4J_USERNAME ?? 'neo4j',
            password: env.NEO4J_PASSWORD ?? '',
            database: env.NEO4J_DATABASE,
          }
        : undefined,
      /** Seed a synthetic demo cohort on start (labelled demo everywhere, never mixed with real businesses). */
      demo: env.OPTIMALIQ_DEMO,
      demoBusinesses: env.OPTIMALIQ_DEMO_BUSINESSES,
    },
    events: {
      retentionDays: env.EVENTS_RETENTION_DAYS,
      heartbeatMs: Math.round(env.EVENTS_HEARTBEAT_SECONDS * 1000),
    },
    realtime: {
      maxStreamsPerUser: env.REALTIME_MAX_STREAMS_PER_USER,
      keepAliveMs: Math.round(env.REALTIME_KEEPALIVE_SECONDS * 1000),
      maxBufferBytes: env.REALTIME_MAX_BUFFER_BYTES,
    },
    queue: {
      batchSize: env.QUEUE_BATCH_SIZE,
      concurrency: env.QUEUE_CONCURRENCY,
      superviseSeconds: env.QUEUE_SUPERVISE_SECONDS,
    },
    tasks: {
      timeoutSeconds: env.TASK_TIMEOUT_SECONDS,
      retryLimit: env.TASK_RETRY_LIMIT,
      retryDelaySeconds: env.TASK_RETRY_DELAY_SECONDS,
      simulatedDelayMs: env.TASK_SIMULATED_DELAY_MS,
    },
    ai: {
      enabled: env.AI_ENABLED,
      provider: env.AI_PROVIDER,
      model: env.AI_MODEL,
      maxTokens: env.AI_MAX_TOKENS,
      temperature: env.AI_TEMPERATURE,
      configFile: env.OPTIMALIQ_CONFIG,
      gateway: {
        attemptTimeoutMs: env.AI_ATTEMPT_TIMEOUT_MS,
        deadlineMs: env.AI_DEADLINE_MS,
        maxRetries: env.AI_MAX_RETRIES,
        retryAfterCapMs: env.AI_RETRY_AFTER_CAP_MS,
        /** 0: no hedging. */
        hedgeAfterMs: env.AI_HEDGE_AFTER_MS,
        breakerThreshold: env.AI_BREAKER_THRESHOLD,
        breakerHalfOpenMs: env.AI_BREAKER_HALF_OPEN_MS,
        /** 0: no idle probe. */
        healthProbeIntervalSeconds: env.AI_HEALTH_PROBE_INTERVAL_SECONDS,
        ledgerFlushMs: env.AI_LEDGER_FLUSH_MS,
        logPrompts: env.AI_LOG_PROMPTS,
        /** Default cache TTL of `/v1` requests (a request can set `x-optimaliq-cache-ttl`). */
        v1CacheTtlSeconds: env.AI_V1_CACHE_TTL_SECONDS,
        mediaFetch: env.AI_MEDIA_FETCH,
        /** How often routes stored by admins are re-read; 0: never. */
        routesPollMs: env.AI_ROUTES_POLL_MS,
      },
      providers: readProviderSettings(env),
    } satisfies GatewayConfig,
    governance: {
      limitsEnabled: env.AI_LIMITS_ENABLED,
      rateLimits: env.AI_RATE_LIMITS,
      budgets: env.AI_BUDGETS,
      pacing: env.AI_PROVIDER_PACING,
      redactPrompts: env.AI_REDACT_PROMPTS,
      aiLogRetentionDays: env.AI_LOG_RETENTION_DAYS,
      aiResponsesRetentionDays: env.AI_RESPONSES_RETENTION_DAYS,
      alertWebhookUrl: env.ALERT_WEBHOOK_URL,
      alertWebhookRetries: env.ALERT_WEBHOOK_RETRIES,
      alertIntervalSeconds: env.ALERT_INTERVAL_SECONDS,
      metricsToken: env.METRICS_TOKEN,
      metricsPort: env.METRICS_PORT,
    },
  }
}
