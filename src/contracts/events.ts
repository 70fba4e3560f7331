import { z } from 'zod'

/**
 * The typed catalogue of events. Every event is a row in `events` (the outbox); its id goes
 * through NOTIFY after commit. Add a type here before publishing it.
 */
export const eventPayloads = {
  'assessment.completed': z.object({
    submissionId: z.uuid(),
    type: z.string(),
    score: z.number(),
    overallScore: z.number().nullable(),
  }),
  'profile.updated': z.object({ fields: z.array(z.string()), overallScore: z.number().nullable().optional() }),
  'dashboard.updated': z.object({ provider: z.string().optional(), generatedAt: z.string().optional() }),
  'ai.processed': z.object({
    feature: z.string(),
    requestId: z.string().optional(),
    provider: z.string().optional(),
    taskId: z.uuid().optional(),
  }),
  'task.updated': z.object({
    taskId: z.uuid(),
    type: z.string(),
    status: z.enum(['queued', 'active', 'completed', 'failed']),
    attempts: z.number().int().optional(),
    error: z.string().optional(),
  }),
  'alert.fired': z.object({
    alertId: z.uuid(),
    ruleId: z.string(),
    scope: z.string(),
    value: z.number().nullable(),
    message: z.string(),
  }),
  'alert.resolved': z.object({ alertId: z.uuid(), ruleId: z.string(), scope: z.string(), message: z.string() }),
  /** An admin has seen a firing alert (it keeps firing until its condition clears). */
  'alert.acknowledged': z.object({ alertId: z.uuid(), ruleId: z.string(), scope: z.string(), by: z.uuid() }),
  /**
   * New AI traffic was logged (any user's, `/v1` included): admins' consoles re-read their figures.
   * Audience `admin`; at most one per pulse interval per process (`app/admin/usage-pulse.ts`).
   */
  'ai.usage': z.object({ through: z.string().describe('created_at of the newest ai_log row seen') }),
  /**
   * A provider's health or one of its breakers changed in this process (a model's breaker opened,
   * half-opened or closed; the status moved between healthy, degraded and down): admins' consoles
   * re-read provider health. Audience `admin`; changes of one provider within 50 ms are one event.
   */
  'provider.health': z.object({
    provider: z.string(),
    status: z.enum(['healthy', 'degraded', 'down']),
    breaker: z.enum(['closed', 'half-open', 'open']),
  }),
  'budget.threshold': z.object({ budget: z.string(), percent: z.number(), spentUsd: z.number(), limitUsd: z.number() }),
  /**
   * A user's access ended (logout of one token, account deleted, an API key revoked): every process
   * drops its cached principals and keys and closes the user's streams. Audience `system`: no
   * stream receives it (the user may no longer exist).
   */
  'auth.revoked': z.object({
    userId: z.uuid(),
    reason: z.enum(['logout', 'account_deleted', 'api_key_revoked', 'password_changed', 'api_key_changed']),
    tokenId: z.string().max(200).optional(),
    keyId: z.uuid().optional(),
  }),
  'kpi.anomaly': z.object({
    anomalyId: z.uuid(),
    metric: z.string(),
    month: z.string(),
    kind: z.enum(['spike', 'dip', 'level_shift']),
    direction: z.enum(['up', 'down']),
    value: z.number(),
    expected: z.number(),
    lower: z.number(),
    upper: z.number(),
    explanation: z.string(),
  }),
  'document.updated': z.object({
    documentId: z.uuid(),
    status: z.enum(['queued', 'processing', 'analysed', 'failed']),
    stage: z.string(),
    progress: z.number().min(0).max(100),
    error: z.string().optional(),
  }),
} as const

export type EventType = keyof typeof eventPayloads
export type EventPayload<T extends EventType> = z.infer<(typeof eventPayloads)[T]>

/** Who receives an event on their streams: the user, admins, or no stream (`system`: for processes only). */
export type EventAudience = 'user' | 'admin' | 'system'

/** An event to publish: user events reach that user's streams; admin events reach admins; system events no stream. */
export type NewEvent<T extends EventType = EventType> = {
  type: T
  userId: string | null
  audience?: EventAudience
  payload: EventPayload<T>
}

/** An event as stored and delivered. */
export type StoredEvent = {
  id: number
  type: EventType
  userId: string | null
  audience: EventAudience
  payload: Record<string, unknown>
  createdAt: string
}

export const EVENTS_CHANNEL = 'optimaliq_events'
