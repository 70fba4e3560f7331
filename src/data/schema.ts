// Over 400 lines on purpose: the whole database schema in one file is what drizzle-kit reads and
// what a reader wants when following a foreign key; migrations/ holds the history.
import { sql } from 'drizzle-orm'
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'

/**
 * The one Drizzle schema. `npm run db:generate` turns changes into a migration under
 * `src/data/migrations/`; grants, functions, triggers and row-level security live in the custom
 * SQL migrations beside them. Applied identically to PGlite and PostgreSQL.
 */

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
const score = (name: string) => numeric(name, { precision: 3, scale: 2, mode: 'number' })
const takenAt = (name: string) => timestamp(name, { withTimezone: true })

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    passwordHash: text('password_hash'),
    name: text('name'),
    role: text('role', { enum: ['user', 'admin'] })
      .notNull()
      .default('user'),
    tier: text('tier', { enum: ['free', 'premium', 'enterprise'] })
      .notNull()
      .default('free'),
    /** Tokens issued before this instant are refused (set by a password change). */
    tokensValidAfter: timestamp('tokens_valid_after', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(sql`lower(${t.email})`),
    check('users_role_check', sql`${t.role} in ('user', 'admin')`),
    check('users_tier_check', sql`${t.tier} in ('free', 'premium', 'enterprise')`),
  ],
)

/** The seed's `tier2_profiles`: onboarding fields plus the current score of every assessment. */
export const profiles = pgTable('profiles', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  companyName: text('company_name'),
  industry: text('industry'),
  companySize: text('company_size'),
  revenueRange: text('revenue_range'),
  businessModel: text('business_model'),
  targetMarket: text('target_market'),
  growthStage: text('growth_stage'),
  yearsInBusiness: text('years_in_business'),
  primaryGoal: text('primary_goal'),
  fundingStatus: text('funding_status'),
  keyChallenges: jsonb('key_challenges').$type<string[]>(),
  salesChannels: jsonb('sales_channels').$type<string[]>(),
  strategyScore: score('strategy_score'),
  processScore: score('process_score'),
  technologyScore: score('technology_score'),
  growthLastTaken: takenAt('growth_last_taken'),
  aiReadinessScore: score('ai_readiness_score'),
  aiReadinessLastTaken: takenAt('ai_readiness_last_taken'),
  bpmScore: score('bpm_score'),
  bpmLastTaken: takenAt('bpm_last_taken'),
  salesScore: score('sales_score'),
  salesLastTaken: takenAt('sales_last_taken'),
  techStackScore: score('tech_stack_score'),
  techStackLastTaken: takenAt('tech_stack_last_taken'),
  strategicMaturityScore: score('strategic_maturity_score'),
  strategicMaturityLastTaken: takenAt('strategic_maturity_last_taken'),
  marketingEffectivenessScore: score('marketing_effectiveness_score'),
  marketingEffectivenessLastTaken: takenAt('marketing_effectiveness_last_taken'),
  customerExperienceScore: score('customer_experience_score'),
  customerExperienceLastTaken: takenAt('customer_experience_last_taken'),
  digitalTransformationScore: score('digital_transformation_score'),
  digitalTransformationLastTaken: takenAt('digital_transformation_last_taken'),
  leadershipScore: score('leadership_score'),
  leadershipLastTaken: takenAt('leadership_last_taken'),
  competitiveBenchmarkingScore: score('competitive_benchmarking_score'),
  competitiveBenchmarkingLastTaken: takenAt('competitive_benchmarking_last_taken'),
  reassessmentScore: score('reassessment_score'),
  reassessmentLastTaken: takenAt('reassessment_last_taken'),
  baseScore: score('base_score'),
  overallScore: score('overall_score'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
})

/** Every assessment submission, kept: history, not an upsert. */
export const assessmentSubmissions = pgTable(
  'assessment_submissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    bracketServed: text('bracket_served').notNull(),
    answers: jsonb('answers').notNull().$type<Record<string, unknown>>(),
    score: score('score').notNull(),
    bracketKey: text('bracket_key').notNull(),
    baseScoreAtTime: score('base_score_at_time'),
    createdAt: createdAt(),
  },
  (t) => [index('assessment_submissions_user_type_idx').on(t.userId, t.type, t.createdAt.desc())],
)

/** The public growth assessment (the seed's funnel), one row per submission. */
export const growthAssessments = pgTable(
  'growth_assessments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    answers: jsonb('answers').notNull().$type<Record<string, unknown>>(),
    strategyScore: score('strategy_score').notNull(),
    processScore: score('process_score').notNull(),
    technologyScore: score('technology_score').notNull(),
    baseScore: score('base_score').notNull(),
    insights: jsonb('insights').$type<Record<string, unknown>>(),
    provider: text('provider'),
    createdAt: createdAt(),
  },
  (t) => [index('growth_assessments_user_idx').on(t.userId, t.createdAt.desc())],
)

/** The AI audit ledger: one row per request, attempts listed inside. Append-only for users. */
export const aiLog = pgTable(
  'ai_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestId: text('request_id').notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    apiKeyId: uuid('api_key_id'),
    feature: text('feature'),
    route: text('route'),
    provider: text('provider'),
    model: text('model'),
    modelVersion: text('model_version'),
    request: jsonb('request'),
    response: jsonb('response'),
    inputTokens: integer('input_tokens'),
    outputTokens: integer('output_tokens'),
    costUsd: numeric('cost_usd', { precision: 14, scale: 8, mode: 'number' }),
    latencyMs: integer('latency_ms'),
    cacheHit: boolean('cache_hit').notNull().default(false),
    fallbackUsed: boolean('fallback_used').notNull().default(false),
    status: text('status', { enum: ['ok', 'error'] })
      .notNull()
      .default('ok'),
    errorClass: text('error_class'),
    error: text('error'),
    attempts: jsonb('attempts').$type<unknown[]>(),
    /** What the request's guardrails did (rule, action); null when none were configured (0017). */
    guardrails: jsonb('guardrails').$type<unknown[]>(),
    createdAt: createdAt(),
  },
  (t) => [
    index('ai_log_created_idx').on(t.createdAt),
    index('ai_log_provider_model_idx').on(t.provider, t.model, t.createdAt),
    index('ai_log_feature_idx').on(t.feature, t.createdAt),
    index('ai_log_user_idx').on(t.userId, t.createdAt),
    index('ai_log_request_idx').on(t.requestId),
  ],
)

const rollupGrain = () => text('grain', { enum: ['hour', 'day'] }).notNull()
const rollupStart = () => timestamp('period_start', { withTimezone: true }).notNull()

/**
 * `ai_log` summed per UTC hour and per UTC day, provider, model and feature, with a log-spaced
 * latency histogram (`ai_latency_bucket`, buckets 2^(1/4) apart, stored from its lowest occupied
 * bucket). Kept equal to a GROUP BY over `ai_log` by statement triggers (migration 0004).
 */
export const aiLogRollup = pgTable(
  'ai_log_rollup',
  {
    grain: rollupGrain(),
    periodStart: rollupStart(),
    provider: text('provider'),
    model: text('model'),
    feature: text('feature'),
    requests: integer('requests').notNull(),
    ok: integer('ok').notNull(),
    fallback: integer('fallback').notNull(),
    cached: integer('cached').notNull(),
    inputTokens: bigint('input_tokens', { mode: 'number' }).notNull(),
    outputTokens: bigint('output_tokens', { mode: 'number' }).notNull(),
    costUsd: numeric('cost_usd', { mode: 'number' }).notNull(),
    latencyHistogram: integer('latency_histogram').array().notNull(),
  },
  (t) => [
    unique('ai_log_rollup_key').on(t.grain, t.periodStart, t.provider, t.model, t.feature).nullsNotDistinct(),
    check('ai_log_rollup_grain_check', sql`${t.grain} in ('hour', 'day')`),
  ],
)

/** Failed `ai_log` requests per UTC hour and day, provider and error class (same triggers). */
export const aiLogErrorRollup = pgTable(
  'ai_log_error_rollup',
  {
    grain: rollupGrain(),
    periodStart: rollupStart(),
    provider: text('provider'),
    errorClass: text('error_class'),
    errors: integer('errors').notNull(),
  },
  (t) => [
    unique('ai_log_error_rollup_key').on(t.grain, t.periodStart, t.provider, t.errorClass).nullsNotDistinct(),
    check('ai_log_error_rollup_grain_check', sql`${t.grain} in ('hour', 'day')`),
  ],
)

/** Requests and cost per user per UTC day, for "top users by cost" (same triggers; removed with the user). */
export const aiLogUserDaily = pgTable(
  'ai_log_user_daily',
  {
    day: timestamp('day', { withTimezone: true }).notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    requests: integer('requests').notNull(),
    costUsd: numeric('cost_usd', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.userId] }), index('ai_log_user_daily_user_idx').on(t.userId)],
)

/** Exact-match response cache behind the in-process LRU. */
export const aiCache = pgTable(
  'ai_cache',
  {
    key: text('key').primaryKey(),
    feature: text('feature'),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    value: jsonb('value').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('ai_cache_expires_idx').on(t.expiresAt), index('ai_cache_user_idx').on(t.userId)],
)

/** API keys for the OpenAI-compatible API: shown once, stored as a SHA-256 hash. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
    /** The owner's settings (contracts/api-keys.ts `KeySettings`): scopes, allowlist, limits, budgets. */
    settings: jsonb('settings').notNull().default({}).$type<Record<string, unknown>>(),
    /** An admin's overrides of this key's settings (same shape); only admins change it under RLS. */
    adminSettings: jsonb('admin_settings').notNull().default({}).$type<Record<string, unknown>>(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
    /** The secret replaced by the last rotation, accepted until `previousKeyExpiresAt`. */
    previousKeyHash: text('previous_key_hash'),
    previousKeyExpiresAt: timestamp('previous_key_expires_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_keys_hash_key').on(t.keyHash),
    index('api_keys_user_idx').on(t.userId),
    uniqueIndex('api_keys_previous_hash_key')
      .on(t.previousKeyHash)
      .where(sql`${t.previousKeyHash} is not null`),
  ],
)

/** An admin's overrides for every API key of one user (migration 0015). */
export const apiKeyUserOverrides = pgTable('api_key_user_overrides', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  settings: jsonb('settings').notNull().default({}).$type<Record<string, unknown>>(),
  updatedBy: uuid('updated_by'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})

/** Requests, tokens and cost per API key per UTC day (its own triggers on ai_log, migration 0015). */
export const aiLogKeyDaily = pgTable(
  'ai_log_key_daily',
  {
    day: timestamp('day', { withTimezone: true }).notNull(),
    apiKeyId: uuid('api_key_id').notNull(),
    requests: integer('requests').notNull(),
    inputTokens: bigint('input_tokens', { mode: 'number' }).notNull(),
    outputTokens: bigint('output_tokens', { mode: 'number' }).notNull(),
    costUsd: numeric('cost_usd', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ name: 'ai_log_key_daily_pk', columns: [t.apiKeyId, t.day] })],
)

/** The outbox and event log. Its id, not the row, goes through NOTIFY. */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    type: text('type').notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    audience: text('audience', { enum: ['user', 'admin'] })
      .notNull()
      .default('user'),
    payload: jsonb('payload').notNull().$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [index('events_user_idx').on(t.userId, t.id), index('events_created_idx').on(t.createdAt)],
)

/** Tokens ended by logout before they expire; checked together with the user on each request. */
export const revokedTokens = pgTable(
  'revoked_tokens',
  {
    jti: text('jti').primaryKey(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('revoked_tokens_expires_idx').on(t.expiresAt)],
)

/** Audit trail of administrative actions. */
export const adminAuditLog = pgTable(
  'admin_audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    target: text('target'),
    details: jsonb('details').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [index('admin_audit_log_created_idx').on(t.createdAt)],
)

/** Queued AI work (`POST /api/ai/process`): owner, status and result, mirrored from pg-boss. */
export const aiTasks = pgTable(
  'ai_tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    status: text('status', { enum: ['queued', 'active', 'completed', 'failed'] })
      .notNull()
      .default('queued'),
    priority: integer('priority').notNull().default(0),
    input: jsonb('input').notNull().$type<Record<string, unknown>>(),
    result: jsonb('result').$type<Record<string, unknown>>(),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    idempotencyKey: text('idempotency_key'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('ai_tasks_idempotency_key').on(t.userId, t.idempotencyKey),
    index('ai_tasks_user_idx').on(t.userId, t.createdAt.desc()),
  ],
)

/** A model version: provider + model + prompt version + parameters, for one feature. */
export const modelVersions = pgTable(
  'model_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    feature: text('feature').notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    promptVersion: text('prompt_version').notNull(),
    params: jsonb('params').notNull().default({}).$type<Record<string, unknown>>(),
    status: text('status', { enum: ['candidate', 'active', 'retired'] })
      .notNull()
      .default('candidate'),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('model_versions_feature_idx').on(t.feature, t.status)],
)

/** An A/B split of a feature's traffic between model versions, sticky by user. */
export const experiments = pgTable(
  'experiments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    feature: text('feature').notNull(),
    status: text('status', { enum: ['running', 'promoted', 'rolled_back', 'stopped'] })
      .notNull()
      .default('running'),
    variants: jsonb('variants').notNull().$type<Array<{ versionId: string; weight: number }>>(),
    winnerVersionId: uuid('winner_version_id'),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [index('experiments_feature_idx').on(t.feature, t.status)],
)

/** Thumbs up/down on an AI answer, keyed by the request id in `ai_log`. */
export const aiFeedback = pgTable(
  'ai_feedback',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestId: text('request_id').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The part of the answer rated ("roadmap.2"); '' for the whole answer. */
    item: text('item').notNull().default(''),
    rating: text('rating', { enum: ['up', 'down'] }).notNull(),
    comment: text('comment'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('ai_feedback_request_user_item_key').on(t.requestId, t.userId, t.item)],
)

/** Alert rules (error rate, daily cost, latency, provider down, budgets) and their thresholds. */
export const alertRules = pgTable('alert_rules', {
  id: text('id').primaryKey(),
  kind: text('kind').notNull(),
  threshold: numeric('threshold', { precision: 14, scale: 6, mode: 'number' }).notNull(),
  windowMinutes: integer('window_minutes').notNull().default(60),
  enabled: boolean('enabled').notNull().default(true),
  updatedAt: updatedAt(),
})

/** Fired alerts; at most one firing row per rule and scope, resolved when the condition clears. */
export const alerts = pgTable(
  'alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ruleId: text('rule_id').notNull(),
    scope: text('scope').notNull().default(''),
    status: text('status', { enum: ['firing', 'resolved'] })
      .notNull()
      .default('firing'),
    value: numeric('value', { precision: 18, scale: 6, mode: 'number' }),
    message: text('message').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>(),
    firedAt: timestamp('fired_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    notifiedAt: timestamp('notified_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('alerts_one_firing_key')
      .on(t.ruleId, t.scope)
      .where(sql`status = 'firing'`),
    index('alerts_fired_idx').on(t.firedAt),
  ],
)

/** Provider status changes (healthy, degraded, down), for uptime. */
export const providerStatusHistory = pgTable(
  'provider_status_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    provider: text('provider').notNull(),
    status: text('status', { enum: ['healthy', 'degraded', 'down'] }).notNull(),
    reason: text('reason'),
    createdAt: createdAt(),
  },
  (t) => [index('provider_status_history_idx').on(t.provider, t.createdAt)],
)

/** The five growth levers of a user, cached until their scores change (or 31 days). */
export const growthLevers = pgTable(
  'growth_levers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    targetArea: text('target_area').notNull(),
    expectedImpact: text('expected_impact').notNull(),
    effort: text('effort').notNull(),
    progress: integer('progress').notNull().default(0),
    scoresHash: text('scores_hash').notNull(),
    provider: text('provider'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Stable identity across regenerations (area + title slug); migration 0007. */
    leverKey: text('lever_key'),
    carriedFrom: uuid('carried_from'),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    /** The AI answer (ai_log.request_id) that produced the set, for thumbs per lever; migration 0020. */
    requestId: text('request_id'),
  },
  (t) => [
    index('growth_levers_user_idx').on(t.userId, t.createdAt.desc()),
    index('growth_levers_user_key_idx').on(t.userId, t.leverKey),
  ],
)

/** What-if simulations and their commentary, kept as history. */
export const simulations = pgTable(
  'simulations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    input: jsonb('input').notNull().$type<Record<string, unknown>>(),
    result: jsonb('result').notNull().$type<Record<string, unknown>>(),
    commentary: text('commentary'),
    createdAt: createdAt(),
  },
  (t) => [index('simulations_user_idx').on(t.userId, t.createdAt.desc())],
)

/** The generated dashboard of a user, valid while their scores hash is unchanged. */
export const dashboards = pgTable('dashboards', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  scoresHash: text('scores_hash').notNull(),
  content: jsonb('content').notNull().$type<Record<string, unknown>>(),
  provider: text('provider'),
  generatedAt: timestamp('generated_at', { withTimezone: true }).notNull().defaultNow(),
})

/** AI analysis of one assessment submission (insights and recommendations). */
export const assessmentAnalyses = pgTable('assessment_analyses', {
  submissionId: uuid('submission_id')
    .primaryKey()
    .references(() => assessmentSubmissions.id, { onDelete: 'cascade' }),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  content: jsonb('content').notNull().$type<Record<string, unknown>>(),
  provider: text('provider'),
  createdAt: createdAt(),
})

/**
 * Fixed-window counters shared by every process (`src/ai/limits/counters.ts`): `points` granted in
 * the window ending at `expire` (epoch ms), of which `leased` are held unused by some process.
 */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull().default(0),
  expire: bigint('expire', { mode: 'number' }),
  leased: integer('leased').notNull().default(0),
})

// --- Issue 15 (advice), migration 0007 ---

/** One attempt at a deep assessment: opened when its questions are served, completed by the submission. */
export const assessmentAttempts = pgTable(
  'assessment_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    submissionId: uuid('submission_id'),
  },
  (t) => [
    uniqueIndex('assessment_attempts_one_open_key')
      .on(t.userId, t.type)
      .where(sql`completed_at IS NULL`),
    index('assessment_attempts_type_idx').on(t.type, t.startedAt),
  ],
)

// --- Web app (issue 16), migration 0010_web ---

/** A user's strategy plans: levers and roadmap items as dated work with owners, progress and status. */
export const strategyPlans = pgTable(
  'strategy_plans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    items: jsonb('items').$type<PlanItemRow[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('strategy_plans_user_idx').on(t.userId, t.updatedAt)],
)
export type PlanItemRow = {
  title: string
  source: 'lever' | 'roadmap' | 'custom'
  owner: string
  due: string | null
  progress: number
  status: 'todo' | 'doing' | 'done' | 'blocked'
}
