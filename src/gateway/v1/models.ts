import type { AiGateway } from '../client.ts'
import { UnknownModelError } from '../router/routes.ts'
import { listModels } from './chat-completions.ts'

export type V1Model = { id: string; object: 'model'; created: number; owned_by: string }

/**
 * `GET /v1/models/{id}`: a model of `/v1/models` by its id (`openai/gpt-4.1-mini`,
 * `anthropic/claude-sonnet-4-20250514`, a route name), or any other name `model` accepts (a catalog
 * alias such as `gpt-4.1-mini`), answered under the name asked for. Unknown: `model_not_found` (404).
 */
export function retrieveModel(ai: AiGateway, id: string): V1Model {
  const listed = listModels(ai).data.find((m) => m.id === id)
  if (listed) return listed
  if (!ai.enabled) throw new UnknownModelError(id)
  const [first] = ai.routes.resolve(id)
  if (!first) throw new UnknownModelError(id)
  return { id, object: 'model', created: 0, owned_by: first.provider }
}
