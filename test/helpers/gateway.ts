import type { LanguageModelV3 } from '@ai-sdk/provider'
import {
  createAiClient,
  type AiClientOptions,
  type GatewayCatalog,
  type GatewayProviders,
} from '../../src/gateway/client.ts'
import type { App } from '../../src/http/types.ts'
import type { Container } from '../../src/main/container.ts'
import type { BackendKind, TestDatabase } from './backends.ts'
import { signUp, startTestApp } from './app.ts'

export type GatewayTestApp = { app: App; container: Container; database: TestDatabase; close(): Promise<void> }

/** Fake providers for in-process models (AI SDK mocks). */
export function mockProviders(models: Record<string, LanguageModelV3>): GatewayProviders {
  return {
    names: Object.keys(models),
    defaultModel: (p) => `${p}-default`,
    languageModel: (p) => models[p] as LanguageModelV3,
  }
}

/** A catalog with one price for every model: $1 per million input and $2 per million output tokens. */
export const flatCatalog: GatewayCatalog = {
  resolveModel: () => undefined,
  costUsd: (_p, _m, u) =>
    u.inputTokens === undefined || u.outputTokens === undefined
      ? undefined
      : (u.inputTokens * 1 + u.outputTokens * 2) / 1_000_000,
  models: () => [],
}

/** The whole app with a gateway built from these parts (default: the container's own wiring). */
export async function startGatewayApp(
  kind: BackendKind,
  env: Record<string, string | undefined> = {},
  parts?: Partial<AiClientOptions> & Pick<AiClientOptions, 'providers' | 'catalog'>,
): Promise<GatewayTestApp> {
  return startTestApp(
    kind,
    { OPTIMALIQ_ADMIN_EMAILS: 'admin@example.com', AI_LEDGER_FLUSH_MS: '50', AI_LIMITS_ENABLED: 'false', ...env },
    parts ? { ai: (deps) => createAiClient({ ...deps, ...parts }) } : {},
  )
}

/** A signed-up user with a fresh API key: `{ user, key, v1: {authorization} }`. */
export async function userWithKey(app: App, email?: string) {
  const user = await signUp(app, email ? { email } : {})
  const created = await app.inject({ method: 'POST', url: '/api/keys', headers: user.auth, payload: { name: 'test' } })
  if (created.statusCode !== 201) throw new Error(`key creation failed: ${created.statusCode} ${created.body}`)
  const key = created.json() as { id: string; key: string; prefix: string }
  return { ...user, key, v1: { authorization: `Bearer ${key.key}` } }
}
