import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { buildApp } from '../../../src/http/app.ts'
import { createContainer } from '../../../src/main/container.ts'
import { createTestDatabase, describeBackends, testConfig } from '../../helpers/backends.ts'

describeBackends('restart', (backend) => {
  it('keeps data and sessions across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'optimaliq-restart-'))
    const pg = backend === 'postgres' ? await createTestDatabase('postgres', { migrate: false }) : undefined
    if (pg) await pg.db.close()
    // No JWT_SECRET: the generated one must be kept in the data dir and reused.
    const env = { OPTIMALIQ_DATA_DIR: dir, JWT_SECRET: undefined, DATABASE_URL: pg?.url }
    try {
      const first = await createContainer(testConfig(env))
      const app1 = await buildApp(first)
      const signup = await app1.inject({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email: 'keep@example.com', password: 'persistent pw' },
      })
      expect(signup.statusCode).toBe(201)
      const token = signup.json().token as string
      await app1.close()
      await first.close()

      const second = await createContainer(testConfig(env))
      const app2 = await buildApp(second)
      const me = await app2.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: { authorization: `Bearer ${token}` },
      })
      expect(me.statusCode).toBe(200)
      expect(me.json().user.email).toBe('keep@example.com')
      const login = await app2.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'keep@example.com', password: 'persistent pw' },
      })
      expect(login.statusCode).toBe(200)
      await app2.close()
      await second.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
      if (pg) await pg.drop().catch(() => undefined)
    }
  }, 120_000)
})
