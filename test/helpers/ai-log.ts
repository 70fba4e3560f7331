import { randomUUID } from 'node:crypto'
import type { Database } from '../../src/data/db.ts'

/** A ledger row inserted directly (fixtures for monitoring, budgets, alerts, experiments). */
export type LogRow = {
  at: Date
  userId?: string | null
  apiKeyId?: string | null
  requestId?: string
  feature?: string | null
  provider?: string | null
  model?: string | null
  modelVersion?: string | null
  status?: 'ok' | 'error'
  errorClass?: string | null
  latencyMs?: number | null
  inputTokens?: number | null
  outputTokens?: number | null
  costUsd?: number | null
  cacheHit?: boolean
  fallbackUsed?: boolean
  attempts?: unknown[] | null
  request?: unknown
}

export async function insertAiLog(db: Database, list: LogRow[]): Promise<string[]> {
  const ids: string[] = []
  for (const r of list) {
    const requestId = r.requestId ?? randomUUID()
    ids.push(requestId)
    await db.query(
      `insert into ai_log (request_id, user_id, api_key_id, feature, provider, model, model_version, status, error_class, latency_ms, input_tokens, output_tokens, cost_usd, cache_hit, fallback_used, attempts, request, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb, $17::jsonb, $18)`,
      [
        requestId,
        r.userId ?? null,
        r.apiKeyId ?? null,
        r.feature ?? 'insights',
        r.provider === undefined ? 'openai' : r.provider,
        r.model === undefined ? 'gpt-4.1-mini' : r.model,
        r.modelVersion ?? null,
        r.status ?? 'ok',
        r.errorClass ?? null,
        r.latencyMs === undefined ? 100 : r.latencyMs,
        r.inputTokens ?? null,
        r.outputTokens ?? null,
        r.costUsd ?? null,
        r.cacheHit ?? false,
        r.fallbackUsed ?? false,
        r.attempts ? JSON.stringify(r.attempts) : null,
        r.request === undefined ? null : JSON.stringify(r.request),
        r.at.toISOString(),
      ],
    )
  }
  return ids
}

/** A user row inserted directly (no password), for ledger fixtures. */
export async function insertUser(
  db: Database,
  over: { email?: string; tier?: 'free' | 'premium' | 'enterprise'; role?: 'user' | 'admin' } = {},
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    'insert into users (email, tier, role) values ($1, $2, $3) returning id',
    [over.email ?? `${randomUUID()}@example.com`, over.tier ?? 'free', over.role ?? 'user'],
  )
  return row!.id
}

/** Ledger rows inserted in one statement, as the ledger's batches are (one firing of the statement triggers). */
export async function insertAiLogBatch(db: Database, list: LogRow[]): Promise<void> {
  const rows = list.map((r) => ({
    request_id: r.requestId ?? randomUUID(),
    user_id: r.userId ?? null,
    feature: r.feature === undefined ? 'insights' : r.feature,
    provider: r.provider === undefined ? 'openai' : r.provider,
    model: r.model === undefined ? 'gpt-4.1-mini' : r.model,
    status: r.status ?? 'ok',
    error_class: r.errorClass ?? null,
    latency_ms: r.latencyMs === undefined ? 100 : r.latencyMs,
    input_tokens: r.inputTokens ?? null,
    output_tokens: r.outputTokens ?? null,
    cost_usd: r.costUsd ?? null,
    cache_hit: r.cacheHit ?? false,
    fallback_used: r.fallbackUsed ?? false,
    created_at: r.at.toISOString(),
  }))
  await db.query(
    `insert into ai_log (request_id, user_id, feature, provider, model, status, error_class, latency_ms, input_tokens, output_tokens, cost_usd, cache_hit, fallback_used, created_at)
     select request_id, user_id, feature, provider, model, status, error_class, latency_ms, input_tokens, output_tokens, cost_usd, cache_hit, fallback_used, created_at
     from jsonb_to_recordset($1::jsonb) as r(request_id text, user_id uuid, feature text, provider text, model text, status text, error_class text, latency_ms integer,
       input_tokens integer, output_tokens integer, cost_usd numeric, cache_hit boolean, fallback_used boolean, created_at timestamptz)`,
    [JSON.stringify(rows)],
  )
}
