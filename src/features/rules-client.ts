import { randomUUID } from 'node:crypto'
import { OptimaliqError } from '../errors.ts'
import type { AiClient, AiMeta, GenerateObjectRequest, GenerateTextRequest } from '../gateway/types.ts'

/**
 * An `AiClient` that only answers from the rules fallbacks: what the gateway does when AI is
 * disabled or unconfigured, without a gateway. Used by unit tests and as the container's client
 * until a gateway is wired. Results are labelled `provider: "rules"`.
 */
export function createRulesAiClient(): AiClient {
  const meta = (requestId: string | undefined, started: number): AiMeta => ({
    requestId: requestId ?? randomUUID(),
    provider: 'rules',
    model: 'rules',
    modelVersion: undefined,
    usage: { inputTokens: undefined, outputTokens: undefined },
    costUsd: 0,
    latencyMs: Math.round(performance.now() - started),
    cached: false,
    fallbackUsed: true,
    attempts: [],
  })
  const noRules = (feature: string) =>
    new OptimaliqError('ai_unavailable', `No AI provider is configured and ${feature} has no rules fallback`, {
      status: 503,
    })
  return {
    async generateObject<T>(request: GenerateObjectRequest<T>) {
      const started = performance.now()
      if (!request.rules) throw noRules(request.feature)
      const object = request.schema.parse(await request.rules())
      return { object, ...meta(request.caller.requestId, started) }
    },
    async generateText(request: GenerateTextRequest) {
      const started = performance.now()
      if (!request.rules) throw noRules(request.feature)
      return { text: await request.rules(), ...meta(request.caller.requestId, started) }
    },
    async stream(request: GenerateTextRequest) {
      const started = performance.now()
      if (!request.rules) throw noRules(request.feature)
      const text = await request.rules()
      async function* chunks() {
        yield text
      }
      return { textStream: chunks(), meta: Promise.resolve(meta(request.caller.requestId, started)) }
    },
    providerHealth: () => [],
    models: () => [],
  }
}
