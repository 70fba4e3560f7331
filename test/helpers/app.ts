import type { LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/http/app.ts'
import type { App } from '../../src/http/types.ts'
import { createContainer, type Container, type ContainerOverrides } from '../../src/main/container.ts'
import { createTestDatabase, testConfig, type BackendKind, type TestDatabase } from './backends.ts'

export type TestApp = { app: App; container: Container; database: TestDatabase; close(): Promise<void> }

/** The whole HTTP app on a fresh database of this kind, for `app.inject` tests. */
export async function startTestApp(
  kind: BackendKind,
  env: Record<string, string | undefined> = {},
  overrides: Omit<ContainerOverrides, 'db'> = {},
): Promise<TestApp> {
  const database = await createTestDatabase(kind)
  const container = await createContainer(testConfig(env), { ...overrides, db: database.db })
  const app = await buildApp(container)
  await app.ready()
  return {
    app,
    container,
    database,
    async close() {
      await app.close()
      await container.close()
      await database.drop()
    },
  }
}

let counter = 0
/** A unique email for this run. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1
  return `${prefix}.${Date.now().toString(36)}.${counter}@example.com`
}

/** Sign up a fresh user; returns their token and user. */
export async function signUp(app: App, body: Record<string, unknown> = {}) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    payload: { email: uniqueEmail(), password: 'correct horse battery', ...body },
  })
  if (response.statusCode !== 201) throw new Error(`signup failed: ${response.statusCode} ${response.body}`)
  const json = response.json() as { token: string; user: { id: string; email: string; role: string; tier: string } }
  return { ...json, auth: { authorization: `Bearer ${json.token}` } }
}

/** The parsed `{error}` body of a failed response. */
export function errorOf(response: LightMyRequestResponse) {
  return response.json() as {
    error: { code: string; message: string; details?: Array<{ field: string; message: string }> }
    requestId: string
  }
}
