import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './env.ts'

describe('loadConfig', () => {
  it('runs with no environment at all: PGlite in ./data, port 3000, AI on with no provider', () => {
    const config = loadConfig({})
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 3000 })
    expect(config.database).toEqual({ kind: 'pglite', dir: './data/pglite' })
    expect(config.ai).toMatchObject({ enabled: true, provider: undefined, temperature: 0.7, maxTokens: 1000 })
    expect(config.assessments.retakeDays).toBe(30)
  })

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x' }).database).toMatchObject({
      kind: 'postgres',
      url: 'postgres://postgres@127.0.0.1:5432/x',
    })
  })

  it('keeps a temperature of 0 as 0', () => {
    expect(loadConfig({ AI_TEMPERATURE: '0' }).ai.temperature).toBe(0)
  })

  it.each([
    ['PORT', 'eighty', /PORT must be a whole number/],
    ['PORT', '70000', /PORT must be a whole number from 0 to 65535/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must be a postgres/],
    ['AI_ENABLED', 'maybe', /AI_ENABLED must be true or false/],
    ['AI_PROVIDER', 'skynet', /AI_PROVIDER/],
    ['JWT_SECRET', 'short', /JWT_SECRET must be at least 32 characters \(got "\*\*\*"\)/],
    ['OPENAI_BASE_URL', 'not a url', /OPENAI_BASE_URL must be a URL/],
    ['AI_RATE_LIMITS', '{"free":{"tokensPerDay":2000000000}}', /AI_RATE_LIMITS free\.tokensPerDay: .*1000000000/],
    ['AI_RATE_LIMITS', '{"gold":{}}', /AI_RATE_LIMITS .*gold/],
    ['AI_BUDGETS', '{"warnAt":2}', /AI_BUDGETS warnAt: /],
    ['AI_PROVIDER_PACING', '{"openai":{"rpm":-1}}', /AI_PROVIDER_PACING openai\.rpm: /],
    ['AI_RATE_LIMITS', '{oops', /AI_RATE_LIMITS must be JSON/],
  ])('names %s when it is invalid', (variable, value, message) => {
    try {
      loadConfig({ [variable]: value })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).variable).toBe(variable)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).message.split('\n')).toHaveLength(1)
    }
  })

  it('parses admin emails and booleans', () => {
    const config = loadConfig({
      OPTIMALIQ_ADMIN_EMAILS: ' Boss@Example.com, ops@example.com ',
      COOKIE_SECURE: 'yes',
      AI_ENABLED: 'false',
    })
    expect(config.auth.adminEmails).toEqual(['boss@example.com', 'ops@example.com'])
    expect(config.auth.cookieSecure).toBe(true)
    expect(config.ai.enabled).toBe(false)
  })

  it('reads TRUST_PROXY as off, hops, or proxy addresses, and refuses anything else', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false)
    expect(loadConfig({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1)
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, ::1, loopback' }).http.trustProxy).toEqual([
      '10.0.0.0/8',
      '::1',
      'loopback',
    ])
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(ConfigError)
  })
})
