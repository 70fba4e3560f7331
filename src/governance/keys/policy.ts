import { keySettings, type KeyScope, type KeySettings, type KeyStatus } from '../../contracts/api-keys.ts'
import { OptimaliqError } from '../../errors.ts'

/**
 * Per-key governance as pure rules: which settings apply (an admin's overrides over the owner's,
 * field by field), whether a key may call an endpoint (its scope) and name a model (its
 * allowlist), and a key's standing. The limits and budgets themselves are the key guard's
 * (`key-guard.ts`); expiry and rotation are checked by `authenticate` (`api-keys.ts`).
 */

/** Stored settings as written (jsonb): anything that does not parse counts as unset, never as a wider grant. */
export function parseKeySettings(value: unknown): KeySettings {
  const parsed = keySettings.safeParse(value ?? {})
  return parsed.success ? parsed.data : {}
}

/**
 * The settings in force: each field from the first of (the admin's key override, the admin's
 * user override, the owner's settings) that sets it; limits and budgets field by field.
 */
export function effectiveKeySettings(layers: {
  owner: KeySettings
  user?: KeySettings | undefined
  key?: KeySettings | undefined
}): KeySettings {
  const order = [layers.key ?? {}, layers.user ?? {}, layers.owner]
  const first = <K extends keyof KeySettings>(field: K) => order.find((s) => s[field] !== undefined)?.[field]
  const merged = <K extends 'limits' | 'budgets'>(field: K): KeySettings[K] => {
    const out: Record<string, number> = {}
    for (const layer of [...order].reverse()) Object.assign(out, definedOnly(layer[field] ?? {}))
    return (Object.keys(out).length > 0 ? out : undefined) as KeySettings[K]
  }
  const result: KeySettings = {}
  const scopes = first('scopes')
  const allowedModels = first('allowedModels')
  const limits = merged('limits')
  const budgets = merged('budgets')
  if (scopes) result.scopes = scopes
  if (allowedModels) result.allowedModels = allowedModels
  if (limits) result.limits = limits
  if (budgets) result.budgets = budgets
  return result
}

const definedOnly = (o: Record<string, number | undefined>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

/** Whether a model name is on an allowlist: an exact entry, or a prefix entry ending in `*` (`*` alone: any). */
export function modelAllowed(allowedModels: readonly string[] | undefined, model: string): boolean {
  if (!allowedModels) return true
  return allowedModels.some((entry) => (entry.endsWith('*') ? model.startsWith(entry.slice(0, -1)) : entry === model))
}

/**
 * Whether the model that serves a request is within an allowlist: by its `provider/model` or its
 * model id (exact or prefix), or by the exact name of what led to it — the route that serves (after
 * rules), the alias or the versioned name sent. A prefix entry never grants a route or an alias, so
 * a route whose name happens to fit `gpt-*` cannot reach a model outside it.
 */
export function servedModelAllowed(
  allowedModels: readonly string[] | undefined,
  served: { via: string; candidate: { provider: string; model: string } },
): boolean {
  if (!allowedModels) return true
  const { provider, model } = served.candidate
  return (
    allowedModels.includes(served.via) ||
    modelAllowed(allowedModels, `${provider}/${model}`) ||
    modelAllowed(allowedModels, model)
  )
}

/** 403 `api_key_scope_denied`: the key's scopes do not include this endpoint's. */
export class KeyScopeError extends OptimaliqError {
  constructor(scope: KeyScope, scopes: readonly KeyScope[]) {
    super('api_key_scope_denied', `This API key may not call the ${scope} API (its scopes: ${scopes.join(', ')})`, {
      status: 403,
      details: { scope, scopes: [...scopes] },
    })
  }
}

/** 403 `model_not_allowed`: the model is not on the key's allowlist; names the parameter `model`. */
export class ModelNotAllowedError extends OptimaliqError {
  constructor(model: string, allowedModels: readonly string[], via?: string) {
    const reached = via && via !== model ? ` (which "${via}" leads to)` : ''
    super(
      'model_not_allowed',
      `This API key may not use model "${model}"${reached} (allowed: ${allowedModels.join(', ')})`,
      {
        status: 403,
        details: [{ field: 'model', message: "not on this API key's model allowlist", code: 'model_not_allowed' }],
      },
    )
  }
}

/**
 * The check every `/v1` route makes before its work: the key has the endpoint's scope, and the
 * model it names (when it names one) is on the key's allowlist. Throws KeyScopeError or
 * ModelNotAllowedError; each endpoint's error handler writes them in its API's shape.
 */
export function checkKeyAccess(settings: KeySettings, call: { scope: KeyScope | 'any'; model?: string | undefined }) {
  if (call.scope !== 'any' && settings.scopes && !settings.scopes.includes(call.scope))
    throw new KeyScopeError(call.scope, settings.scopes)
  if (call.model !== undefined && !modelAllowed(settings.allowedModels, call.model))
    throw new ModelNotAllowedError(call.model, settings.allowedModels ?? [])
}

/** A key's standing at `now`. */
export function keyStatus(
  row: { revokedAt: Date | null; expiresAt: Date | null; previousKeyExpiresAt: Date | null },
  now: Date,
): KeyStatus {
  if (row.revokedAt) return 'revoked'
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return 'expired'
  if (row.previousKeyExpiresAt && row.previousKeyExpiresAt.getTime() > now.getTime()) return 'rotating'
  return 'active'
}
