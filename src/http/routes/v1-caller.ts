import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { HttpDeps } from '../types.ts'
import type { ApiKeyPrincipal } from '../../governance/keys/api-keys.ts'
import { ModelNotAllowedError, servedModelAllowed } from '../../governance/keys/policy.ts'
import type { AiCaller } from '../../gateway/types.ts'
import { METADATA_HEADER, parseMetadataHeader } from '../../gateway/v1/metadata.ts'

/** The caller's W3C trace context, continued by the gateway's spans. */
export function traceContext(request: FastifyRequest): Pick<AiCaller, 'traceparent' | 'tracestate'> {
  const { traceparent, tracestate } = request.headers
  return {
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
    ...(typeof tracestate === 'string' ? { tracestate } : {}),
  }
}

/**
 * Who calls a `/v1` endpoint, the same for every one of them: the API key's owner, tier and key,
 * the request id (the ledger's), the trace context, and the `x-optimaliq-metadata` labels for
 * routing rules (a bad header is a 400 naming it, in the endpoint's error shape).
 */
export function v1Caller(request: FastifyRequest, key = request.apiKey as ApiKeyPrincipal): AiCaller {
  return {
    userId: key.userId,
    apiKeyId: key.keyId,
    tier: key.tier,
    requestId: String(request.id),
    ...traceContext(request),
    metadata: parseMetadataHeader(request.headers[METADATA_HEADER]),
    refusesModel: refusesModelOf(key),
  }
}

/** The key's allowlist on the models that serve (the name sent is checked by `keyAccess`). */
function refusesModelOf(key: ApiKeyPrincipal): AiCaller['refusesModel'] {
  const allowed = key.settings.allowedModels
  if (!allowed) return undefined
  return (served) =>
    servedModelAllowed(allowed, served)
      ? undefined
      : new ModelNotAllowedError(`${served.candidate.provider}/${served.candidate.model}`, allowed, served.via)
}

/** `x-optimaliq-cache-ttl: <seconds>`, else `AI_V1_CACHE_TTL_SECONDS`. */
export function v1CacheTtl(request: FastifyRequest, deps: Pick<HttpDeps, 'ai'>): number {
  const header = request.headers['x-optimaliq-cache-ttl']
  return typeof header === 'string' && /^\d{1,8}$/.test(header)
    ? Number(header)
    : deps.ai.config.ai.gateway.v1CacheTtlSeconds
}

/** Aborted when the response closes before it finished: the client went away, so upstream work is cancelled. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const abort = new AbortController()
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort(new Error('client closed the connection'))
  })
  return abort.signal
}

/**
 * A `/v1` body's first schema failure: the field as the client named it (`max_tokens`,
 * `messages.0.content`, without the `body` root; undefined for the body itself), the validator's
 * message, and whether the client left the field out (each API has its own words for that).
 */
export function firstInvalidField(
  validation: NonNullable<FastifyError['validation']>,
  body: unknown,
): { param: string | undefined; message: string; missing: boolean } {
  const first = validation[0]
  const path = first ? first.instancePath.split('/').filter(Boolean) : []
  const field = path[0] === 'body' ? path.slice(1) : path
  let value: unknown = body
  for (const key of field)
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined
  return {
    param: field.join('.') || undefined,
    message: first?.message ?? 'is invalid',
    missing: field.length > 0 && value === undefined,
  }
}
