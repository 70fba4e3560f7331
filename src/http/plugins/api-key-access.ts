import type { FastifyRequest } from 'fastify'
import type { KeyScope } from '../../contracts/api-keys.ts'
import type { ApiKeyPrincipal } from '../../governance/keys/api-keys.ts'
import { checkKeyAccess, modelAllowed } from '../../governance/keys/policy.ts'

/**
 * Per-key scopes and model allowlists for `/v1` routes (docs/governance.md, "Per-key governance").
 * Any route authenticated by an API key (`request.apiKey` set by its auth hook) adds
 * `preHandler: keyAccess('embeddings')`: the key must have the scope, and the body's `model`, when
 * it names one, must be on the key's allowlist. A refusal is a 403 OptimaliqError
 * (`api_key_scope_denied`, or `model_not_allowed` with the field `model`), which the route's error
 * handler writes in its API's shape (OpenAI's `param: "model"`, Anthropic's error object).
 */
export function keyAccess(
  scope: KeyScope,
  /** Where the route keeps the request's key, when not on `request.apiKey` (e.g. `/v1/messages`). */
  principalOf: (request: FastifyRequest) => ApiKeyPrincipal | null | undefined = (request) =>
    (request as FastifyRequest & { apiKey?: ApiKeyPrincipal | null }).apiKey,
) {
  return async (request: FastifyRequest) => {
    const key = principalOf(request)
    if (!key) return
    const model = (request.body as { model?: unknown } | undefined)?.model
    checkKeyAccess(key.settings, { scope, model: typeof model === 'string' ? model : undefined })
  }
}

/** Whether a key may name this model (for lists such as `GET /v1/models`, and `GET /v1/models/{id}`). */
export function keyAllowsModel(key: ApiKeyPrincipal | null | undefined, model: string): boolean {
  return !key || modelAllowed(key.settings.allowedModels, model)
}
