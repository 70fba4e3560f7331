import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../../src/http/app.ts'
import { healthRoutes } from '../../../src/http/routes/health.ts'
import { BOOT_ELEMENT_ID, bootBlock, webRoutes } from '../../../src/http/routes/web.ts'
import type { App } from '../../../src/http/types.ts'
import { createContainer } from '../../../src/main/container.ts'
import { buildWeb } from '../../../tools/build-web.ts'
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts'
import { growthAnswers } from '../../helpers/growth.ts'
import { createTestDatabase, testConfig } from '../../helpers/backends.ts'

/** The built web app served at `/` beside the API (PGlite only: nothing here touches SQL). */
describe('web app serving', () => {
  let t: TestApp
  beforeAll(async () => {
    await buildWeb({ ifStale: true, quiet: true })
    t = await startTestApp('pglite')
  }, 300_000)
  afterAll(() => t?.close())

  it('serves index.html at / and for app paths, with a CSP that allows it and no caching', async () => {
    for (const url of ['/', '/dashboard', '/assessments/sales/history', '/signin?next=%2F']) {
      const res = await t.app.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(200)
      expect(res.headers['content-type']).toMatch(/^text\/html/)
      expect(res.body).toContain('<div id="root"></div>')
      expect(res.headers['cache-control']).toBe('no-cache')
      const csp = String(res.headers['content-security-policy'])
      expect(csp).toMatch(/script-src 'self'/)
      expect(csp).toMatch(/default-src 'self'/)
    }
  })

  /** The JSON block the server wrote into the page. */
  const bootOf = (html: string) => {
    const match = new RegExp(`<script id="${BOOT_ELEMENT_ID}" type="application/json">(.*?)</script>`).exec(html)
    expect(match, 'boot block').not.toBeNull()
    return JSON.parse(match![1]!) as {
      me?: { id: string; email: string; name?: string | null } | null
      scores?: Record<string, unknown>
    }
  }

  it('writes the session into the page: the user everywhere, the scores on / (what /api/auth/me and /api/scores answer)', async () => {
    expect(bootOf((await t.app.inject({ method: 'GET', url: '/' })).body)).toEqual({ me: null })
    const bad = await t.app.inject({ method: 'GET', url: '/', cookies: { optimaliq_token: 'not-a-token' } })
    expect(bootOf(bad.body)).toEqual({ me: null })
    expect(bad.headers['cache-control']).toBe('no-cache')

    const { token, auth } = await signUp(t.app)
    await t.app.inject({
      method: 'POST',
      url: '/api/growth-assessment',
      headers: auth,
      payload: growthAnswers({ industry: 'Software', technology: 'optimized' }),
    })
    const me = (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: auth })).json()
    const scores = (await t.app.inject({ method: 'GET', url: '/api/scores', headers: auth })).json()
    const home = await t.app.inject({ method: 'GET', url: '/', cookies: { optimaliq_token: token } })
    expect(home.statusCode).toBe(200)
    expect(home.headers['cache-control']).toBe('private, no-store')
    expect(home.headers.vary).toMatch(/cookie/)
    expect(bootOf(home.body)).toEqual({ me: me.user, scores })
    expect(scores.baseScore).toEqual(expect.any(Number))
    // Other pages: the user only (their own data comes from their own requests).
    const kpis = await t.app.inject({ method: 'GET', url: '/kpis', cookies: { optimaliq_token: token } })
    expect(bootOf(kpis.body)).toEqual({ me: me.user })
  })

  it("writes a name with replacement patterns ($` $' $&) as it is, once", async () => {
    const name = "Ann $` $' $& $$ $1"
    const signup = await t.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: `dollar.${Date.now()}@example.com`, password: 'long enough password', name },
    })
    expect(signup.statusCode).toBe(201)
    const page = await t.app.inject({ method: 'GET', url: '/kpis', cookies: { optimaliq_token: signup.json().token } })
    expect(bootOf(page.body).me).toMatchObject({ name })
    expect(page.body.match(/<div id="root"><\/div>/g)).toHaveLength(1)
  })

  it('keeps the boot block inert: no way out of the script element', () => {
    const block = bootBlock({ me: { name: '</script><script>alert(1)</script><!--', email: 'a&b@x' } as never })
    expect(block.match(/<\/script>/g)).toHaveLength(1)
    expect(block).not.toContain('<!--')
    const json = /<script[^>]*>(.*)<\/script>/.exec(block)![1]!
    expect(JSON.parse(json).me.name).toBe('</script><script>alert(1)</script><!--')
  })

  it('serves the hashed assets the page references, cached for good', async () => {
    const html = (await t.app.inject({ method: 'GET', url: '/' })).body
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!)
    expect(assets.length).toBeGreaterThanOrEqual(2)
    for (const url of assets) {
      const res = await t.app.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(200)
      expect(res.headers['content-type']).toMatch(url.endsWith('.css') ? /^text\/css/ : /javascript/)
      expect(res.headers['cache-control']).toContain('immutable')
    }
  })

  it('sends precompressed brotli or gzip as the browser accepts, the HTML page too, and a real favicon', async () => {
    const html = (await t.app.inject({ method: 'GET', url: '/' })).body
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!
    const plain = await t.app.inject({ method: 'GET', url: script })
    for (const [accept, encoding] of [
      ['br, gzip', 'br'],
      ['gzip', 'gzip'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': accept } })
      expect(res.headers['content-encoding'], accept).toBe(encoding)
      expect(res.headers['cache-control']).toContain('immutable')
      expect(res.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2)
    }
    const page = await t.app.inject({ method: 'GET', url: '/assessments', headers: { 'accept-encoding': 'br' } })
    expect(page.headers['content-encoding']).toBe('br')
    expect(page.headers['cache-control']).toBe('no-cache')
    const icon = await t.app.inject({ method: 'GET', url: '/favicon.ico' })
    expect(icon.statusCode).toBe(200)
    expect(icon.headers['content-type']).toMatch(/icon/)
    expect([...icon.rawPayload.subarray(0, 4)]).toEqual([0, 0, 1, 0])
  })

  it('leaves API paths alone: JSON 404 for unknown ones, the docs, health and OpenAPI as before', async () => {
    for (const url of [
      '/api/nothing',
      '/api/assessments/x/y/z',
      '/v1/nothing',
      '/metrics-not',
      '/docs/nothing-here',
      '/healthz/x',
    ]) {
      const res = await t.app.inject({ method: 'GET', url })
      if (url === '/metrics-not') {
        expect(res.statusCode).toBe(200) // not an API path: the app's own 404 page handles it
        continue
      }
      expect(res.statusCode, url).toBe(404)
      expect(res.json()).toMatchObject({ error: { code: 'not_found' } })
    }
    expect((await t.app.inject({ method: 'POST', url: '/somewhere' })).json()).toMatchObject({
      error: { code: 'not_found' },
    })
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' })
    expect((await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()).toHaveProperty('openapi')
    expect((await t.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(200)
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401)
  })

  it('runs API-only when the app is not built', async () => {
    const database = await createTestDatabase('pglite')
    const container = await createContainer(testConfig(), { db: database.db })
    let app: App | undefined
    try {
      app = await buildApp(container, { routes: [healthRoutes, webRoutes('/nonexistent/web/dist/')] })
      await app.ready()
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
      const root = await app.inject({ method: 'GET', url: '/' })
      expect(root.statusCode).toBe(404)
      expect(root.json()).toMatchObject({ error: { code: 'not_found' } })
    } finally {
      await app?.close()
      await container.close()
      await database.drop()
    }
  })
})
