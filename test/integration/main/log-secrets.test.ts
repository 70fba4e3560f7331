import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../../src/main/container.ts'
import { scrubErrorText, serializeErrorForLog } from '../../../src/main/log-serializers.ts'
import { signUp, startTestApp, uniqueEmail, type TestApp } from '../../helpers/app.ts'
import { describeBackends, testConfig } from '../../helpers/backends.ts'

/**
 * Issue 17, class 3: a failing write is logged at the default level without the statement's
 * parameters — no password hash (`scrypt$…`), no API key hash — whoever logs the error.
 */
describeBackends('secrets never reach the logs', (backend) => {
  let t: TestApp
  const lines: string[] = []

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
        done()
      },
    })
    t = await startTestApp(backend, {}, { logger: createLogger(testConfig({ LOG_LEVEL: 'info' }), sink) })
    // Writes that fail after their parameters are bound: a trigger refuses marked rows.
    for (const statement of [
      `create function oq_test_refuse() returns trigger language plpgsql as $$ begin raise exception 'refused by test trigger'; end $$`,
      `create trigger oq_test_refuse_users before insert on users for each row when (new.email like 'refuse.%') execute function oq_test_refuse()`,
      `create trigger oq_test_refuse_keys before insert on api_keys for each row when (new.name = 'refuse') execute function oq_test_refuse()`,
    ])
      await t.database.db.query(statement)
  })
  afterAll(async () => {
    await t?.close()
  })

  it('logs a failed sign-up write without the password hash', async () => {
    lines.length = 0
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: uniqueEmail('refuse'), password: 'a password to hash' },
    })
    expect(response.statusCode).toBe(500)
    expect(response.body).not.toMatch(/scrypt|refused by test trigger|insert into/i)
    const log = lines.join('\n')
    // The failure was logged (so the check below means something)…
    expect(log).toMatch(/refused by test trigger/)
    expect(log).toMatch(/insert into \W*users/)
    // …without the parameters.
    expect(log).not.toMatch(/scrypt\$\d/)
  })

  it('logs a failed API key write without the key hash', async () => {
    const user = await signUp(t.app)
    lines.length = 0
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: user.auth,
      payload: { name: 'refuse' },
    })
    expect(response.statusCode).toBe(500)
    const log = lines.join('\n')
    expect(log).toMatch(/refused by test trigger/)
    expect(log).toMatch(/api_keys/)
    // sha256 hex of the key, and the key itself.
    expect(log).not.toMatch(/\b[0-9a-f]{64}\b/)
    expect(log).not.toMatch(/oq_[A-Za-z0-9_-]{20,}/)
  })
})

describe('serializeErrorForLog', () => {
  it('drops parameters and quoted key values from messages, stacks, details and causes', () => {
    const cause = Object.assign(
      new Error('duplicate key value violates unique constraint "api_keys_key_hash_unique"'),
      { code: '23505', detail: 'Key (key_hash)=(deadbeef) already exists.' },
    )
    const error = Object.assign(
      new Error('Failed query: insert into "users" values ($1, $2)\nparams: a@b.c,scrypt$16384$8$1$salt$hash'),
      { params: ['a@b.c', 'scrypt$16384$8$1$salt$hash'], cause },
    )
    const text = JSON.stringify(serializeErrorForLog(error))
    expect(text).toMatch(/Failed query: insert into/)
    expect(text).not.toMatch(/scrypt\$16384|deadbeef|a@b\.c/)
    expect(scrubErrorText('Key (email)=(x@y.z) already exists.')).toBe('Key (email)=([redacted]) already exists.')
  })
})
