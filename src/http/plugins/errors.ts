import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod'
import { PG_ERROR, pgErrorCode } from '../../data/pg-errors.ts'
import { OptimaliqError, type FieldIssue } from '../../errors.ts'
import { setSecurityHeaders } from './security-headers.ts'

/**
 * The one place where errors become HTTP responses: `{error: {code, message, details?}, requestId}`.
 * Known errors keep their code; Fastify's own errors get stable codes; anything else is a 500
 * whose body says nothing about the cause (the log has it).
 */

const FASTIFY_CODES: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    message: 'The request body is larger than the limit',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', message: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'invalid_json',
    message: 'The request body is empty but content-type is application/json',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'Send the body as application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length' },
  FST_ERR_VALIDATION: { status: 400, code: 'validation_failed' },
  FST_ERR_BAD_URL: { status: 400, code: 'bad_url', message: 'The URL is not validly encoded' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'bad_request', message: 'The request could not be routed' },
  FST_ERR_CTP_INVALID_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'The content-type header is invalid',
  },
  FST_ERR_CTP_INVALID_PARSER_OPTIONS: { status: 400, code: 'bad_request' },
}

/**
 * Values the database refuses as data: the caller's input got past validation (a backstop behind
 * the sanitising layer and the schemas), so it is their 400, not our 500.
 */
const PG_INPUT_ERRORS: Record<string, string> = {
  [PG_ERROR.NUMERIC_VALUE_OUT_OF_RANGE]: 'A value is out of the range the field accepts',
  [PG_ERROR.CHARACTER_NOT_IN_REPERTOIRE]: 'A value contains characters that are not valid text',
  [PG_ERROR.UNTRANSLATABLE_CHARACTER]: 'A value contains characters that cannot be stored',
  [PG_ERROR.INVALID_TEXT_REPRESENTATION]: 'A value is not in the format the field accepts',
  [PG_ERROR.STRING_DATA_RIGHT_TRUNCATION]: 'A value is longer than the field accepts',
}

/** The answer to an error Fastify raises before routing (`frameworkErrors`): the documented shape and headers. */
export function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  setSecurityHeaders(reply.raw)
  reply.header('x-request-id', request.id)
  const known = error.code ? FASTIFY_CODES[error.code] : undefined
  return reply
    .code(known?.status ?? 400)
    .send(errorBody(request, known?.code ?? 'bad_request', known?.message ?? 'The request is malformed'))
}

type ErrorBody = { error: { code: string; message: string; details?: unknown }; requestId: string }

export function errorBody(request: FastifyRequest, code: string, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) }, requestId: String(request.id) }
}

/** Each offending field of a schema validation failure (zod issues via fastify-type-provider-zod, or AJV). */
function validationIssues(error: FastifyError): FieldIssue[] {
  const context = (error as { validationContext?: string }).validationContext ?? 'body'
  return (error.validation ?? []).map((v) => {
    const keys = (v.params as { keys?: unknown } | undefined)?.keys
    const path = v.instancePath.split('/').filter(Boolean)
    // An unknown key is reported on its parent object; name the key itself.
    if (v.keyword === 'unrecognized_keys' && Array.isArray(keys) && keys.length > 0) path.push(String(keys[0]))
    return { field: [context, ...path].join('.'), message: v.message ?? 'is invalid', code: v.keyword }
  })
}

export function sendError(reply: FastifyReply, error: OptimaliqError) {
  if (error.headers) reply.headers(error.headers)
  return reply.code(error.status).send(errorBody(reply.request, error.code, error.message, error.details))
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof OptimaliqError) {
      if (error.status >= 500) request.log.error({ err: error }, 'request failed')
      return sendError(reply, error)
    }
    if (hasZodFastifySchemaValidationErrors(error) || error.validation) {
      const issues = validationIssues(error)
      const fields = [...new Set(issues.map((i) => i.field))]
      const message =
        fields.length === 1
          ? `Invalid value for ${fields[0]}: ${issues[0]?.message}`
          : `Invalid values for ${fields.join(', ')}`
      return reply.code(400).send(errorBody(request, 'validation_failed', message, issues))
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error }, 'response did not match its schema')
      return reply.code(500).send(errorBody(request, 'internal_error', 'Internal server error'))
    }
    const dataError = PG_INPUT_ERRORS[pgErrorCode(error) ?? '']
    if (dataError) {
      request.log.warn({ err: error }, 'the database refused a value')
      return reply.code(400).send(errorBody(request, 'invalid_value', dataError))
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined
    if (known) return reply.code(known.status).send(errorBody(request, known.code, known.message ?? error.message))
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      const code =
        status === 404
          ? 'not_found'
          : status === 429
            ? 'rate_limited'
            : status === 401
              ? 'unauthorized'
              : status === 403
                ? 'forbidden'
                : 'bad_request'
      return reply.code(status).send(errorBody(request, code, error.message))
    }
    request.log.error({ err: error }, 'unhandled error')
    return reply.code(500).send(errorBody(request, 'internal_error', 'Internal server error'))
  })

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(errorBody(request, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`)),
  )
}
