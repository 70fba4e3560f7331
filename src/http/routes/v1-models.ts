import { z } from 'zod'
import { retrieveModel } from '../../gateway/v1/models.ts'
import type { App, HttpDeps } from '../types.ts'
import { keyAllowsModel } from '../plugins/api-key-access.ts'
import { ModelNotAllowedError } from '../../governance/keys/policy.ts'

/**
 * `GET /v1/models/{id}` inside the `/v1` scope. Ids may hold slashes (`anthropic/claude-…`), sent
 * as they are or percent-encoded (`anthropic%2Fclaude-…`, as the `openai` SDK sends them; Fastify decodes the wildcard).
 */
export function v1ModelRoutes(v1: App, deps: Pick<HttpDeps, 'ai'>) {
  v1.get(
    '/v1/models/*',
    {
      helmet: false,
      schema: {
        tags: ['v1'],
        summary: 'One model or route you can name in `model` (ids may contain "/")',
        security: [{ bearer: [] }],
        params: z.object({ '*': z.string().min(1) }),
        response: {
          200: z.object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() }),
        },
      },
    },
    async (request) => {
      const id = request.params['*']
      // A key with a model allowlist sees only what it may name (per-key governance).
      if (!keyAllowsModel(request.apiKey, id))
        throw new ModelNotAllowedError(id, request.apiKey?.settings.allowedModels ?? [])
      return retrieveModel(deps.ai, id)
    },
  )
}
