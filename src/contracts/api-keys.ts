import { z } from 'zod'

/**
 * API keys for `/v1` and their governance (docs/governance.md, "Per-key governance"): each key's
 * scopes, model allowlist, request and token limits, USD budgets, expiry and rotation; an admin's
 * overrides per key and per user; the key's usage and standing.
 */

/** What a key may call: each `/v1` endpoint checks its own scope. */
export const KEY_SCOPES = ['chat', 'responses', 'embeddings', 'messages'] as const
export const keyScope = z.enum(KEY_SCOPES)
export type KeyScope = z.infer<typeof keyScope>

const count = z.int().min(1).max(1_000_000_000)
const usd = z.number().min(0).max(1_000_000)

export const keyLimits = z.strictObject({
  requestsPerMinute: count.optional(),
  requestsPerDay: count.optional(),
  tokensPerMinute: count.optional(),
  tokensPerDay: count.optional(),
})
export type KeyLimits = z.infer<typeof keyLimits>

export const keyBudgets = z.strictObject({
  dailyUsd: usd.optional().describe('USD per UTC day; 0 refuses every paid call'),
  monthlyUsd: usd.optional().describe('USD per UTC calendar month'),
})
export type KeyBudgets = z.infer<typeof keyBudgets>

/** A model the key may name in `model`: exact (`default`, `openai/gpt-4.1-mini`), or a prefix ending in `*` (`openai/*`). */
export const keyModelPattern = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\s*]*\*?$/, 'a model name, or a prefix ending in *')

/** A key's settings; anything left out is not restricted. Admin overrides have the same shape. */
export const keySettings = z.strictObject({
  scopes: z
    .array(keyScope)
    .min(1)
    .refine((s) => new Set(s).size === s.length, 'each scope once')
    .optional(),
  allowedModels: z.array(keyModelPattern).min(1).max(100).optional(),
  limits: keyLimits.optional(),
  budgets: keyBudgets.optional(),
})
export type KeySettings = z.infer<typeof keySettings>

export const createApiKeyBody = keySettings.extend({
  name: z.string().trim().min(1).max(100).default('default'),
  expiresAt: z.iso.datetime({ offset: true }).optional().describe('When the key stops working (ISO 8601, future)'),
})
export type CreateApiKeyBody = z.infer<typeof createApiKeyBody>

export const DEFAULT_ROTATION_GRACE_SECONDS = 86_400
export const MAX_ROTATION_GRACE_SECONDS = 30 * 86_400

export const rotateApiKeyBody = z.strictObject({
  graceSeconds: z
    .int()
    .min(0)
    .max(MAX_ROTATION_GRACE_SECONDS)
    .default(DEFAULT_ROTATION_GRACE_SECONDS)
    .describe('How long the old secret keeps working (default 24 h; 0 ends it now)'),
})

export const keyStatus = z.enum(['active', 'rotating', 'expired', 'revoked'])
export type KeyStatus = z.infer<typeof keyStatus>

const usageWindow = z.object({ requests: z.number(), tokens: z.number(), costUsd: z.number() })
const budgetStanding = z.object({
  limitUsd: z.number(),
  spentUsd: z.number(),
  remainingUsd: z.number(),
  resetAt: z.string(),
})
export type KeyBudgetStanding = z.infer<typeof budgetStanding>

export const apiKey = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    rotatedAt: z.string().nullable(),
    /** Until when the secret replaced by the last rotation still works (null: no grace running). */
    previousKeyExpiresAt: z.string().nullable(),
    status: keyStatus,
    /** The owner's settings. */
    settings: keySettings,
    /** An admin's overrides: on this key, and on every key of its owner (the key's win). */
    overrides: z.object({ key: keySettings, user: keySettings }),
    /** What is enforced: overrides over settings, field by field. */
    effective: keySettings,
    /** From the AI ledger's per-key day rollup (UTC day and calendar month); unknown token counts count as 0. */
    usage: z.object({ today: usageWindow, month: usageWindow }),
    /** Each budget that applies, with what is left (null: no such budget). */
    budgets: z.object({ daily: budgetStanding.nullable(), monthly: budgetStanding.nullable() }),
  })
  .meta({ id: 'ApiKey' })
export type ApiKeyView = z.infer<typeof apiKey>

export const createdApiKey = apiKey.extend({ key: z.string().describe('The key itself: shown once, store it now') })

export const apiKeyList = z.object({ keys: z.array(apiKey) })

/** An admin's view of one user's keys and the overrides on all of them. */
export const adminUserKeys = z.object({ userId: z.uuid(), overrides: keySettings, keys: z.array(apiKey) })
