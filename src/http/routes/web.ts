import { existsSync, readFileSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import fastifyStatic from '@fastify/static'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { createAssessmentService } from '../../app/assessments/assessments.ts'
import { scoresResponse } from '../../contracts/assessments.ts'
import { user as userContract } from '../../contracts/auth.ts'
import { UnauthorizedError } from '../../errors.ts'
import { errorBody } from '../plugins/errors.ts'
import { SESSION_COOKIE } from '../plugins/auth.ts'
import type { RouteDeps, RouteModule } from '../types.ts'

/** The built single-page app (`vite build` → `web/dist`). */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url))

/** Paths that belong to the API: never answered with the app, so unknown ones stay JSON 404s. */
const API_PATHS = /^\/(api|v1|docs|openapi\.json|healthz|readyz|metrics)(\/|$|\?)/

/** The id of the JSON block `web/src/main.tsx` reads (docs/web.md, "First load"). */
export const BOOT_ELEMENT_ID = 'oq-boot'

/**
 * What the page needs before its first request, written into `index.html`: who is signed in
 * (`null`: nobody, the app shows sign-in at once) and, on `/`, the dashboard's scores. A key is
 * left out when the server could not tell (the app then asks the API as usual).
 */
type Boot = { me?: z.infer<typeof userContract> | null; scores?: z.infer<typeof scoresResponse> }

/** JSON safe inside `<script type="application/json">`: no `</script>`, no `<!--`, no line separators. */
export function bootBlock(boot: Boot): string {
  const json = JSON.stringify(boot)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
  return `<script id="${BOOT_ELEMENT_ID}" type="application/json">${json}</script>`
}

/**
 * Serves the web app at `/`: hashed assets cached for a year, `index.html` never cached, and
 * every other non-API GET answered with `index.html` so the app's own router takes the path.
 * The page carries the session's user (and on `/` the scores) so the first screen needs no API
 * round trip; it is compressed per request (a few hundred bytes) and, with a user in it, `private,
 * no-store`. Without a build (`web/dist/index.html` missing) the server runs API-only and says so.
 * Register last: every API route must exist before the catch-all.
 */
export function webRoutes(root: string = WEB_DIST): RouteModule {
  return async (app, deps) => {
    if (!existsSync(`${root}index.html`)) {
      app.log.warn({ root }, 'web app not built (run `npm run build:web`): serving the API only')
      return
    }
    const boot = bootLoader(deps)
    const template = indexTemplate(`${root}index.html`)
    await app.register(async (scope) => {
      await scope.register(fastifyStatic, {
        root,
        wildcard: false,
        index: false,
        schemaHide: true,
        // tools/build-web.ts writes .br and .gz beside each file: sent as they are, never compressed per request.
        preCompressed: true,
        setHeaders: (reply, path) => {
          reply.header(
            'cache-control',
            path.includes('/assets/')
              ? 'public, max-age=31536000, immutable'
              : path.endsWith('favicon.ico')
                ? 'public, max-age=86400'
                : 'no-cache',
          )
        },
      })
      const page = async (request: FastifyRequest, reply: FastifyReply) => {
        const data = await boot(request)
        // A function, not a string: a replacement string would read `$'`, `$&` or `` $` `` in a
        // user's name as patterns and splice the page into itself.
        const block = bootBlock(data)
        const html = template().replace('</body>', () => `${block}</body>`)
        reply
          .type('text/html; charset=utf-8')
          .header('cache-control', data.me ? 'private, no-store' : 'no-cache')
          .header('vary', 'cookie, accept-encoding')
        return sendCompressed(request, reply, html)
      }
      scope.get('/', { schema: { hide: true } }, page)
      scope.get('/*', { schema: { hide: true }, logLevel: 'warn' }, (request, reply) => {
        if (API_PATHS.test(request.url))
          return reply
            .code(404)
            .send(errorBody(request, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`))
        return page(request, reply)
      })
    })
  }
}

export const webAppRoutes: RouteModule = webRoutes()

/** `index.html` as built, read again only when the build replaced it. */
function indexTemplate(path: string): () => string {
  let cached: { mtimeMs: number; html: string } | undefined
  return () => {
    const mtimeMs = statSync(path).mtimeMs
    if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, html: readFileSync(path, 'utf8') }
    return cached.html
  }
}

/** The session cookie's user and, on the dashboard, the scores: the same bodies as `/api/auth/me` and `/api/scores`. */
function bootLoader({ auth, db, assessments, config }: RouteDeps) {
  const service = createAssessmentService({
    db,
    catalogue: assessments.catalogue,
    overallWeights: assessments.overallWeights,
    retakeDays: config.assessments.retakeDays,
  })
  return async (request: FastifyRequest): Promise<Boot> => {
    const token = request.cookies?.[SESSION_COOKIE]
    if (!token) return { me: null }
    let principal
    try {
      principal = await auth.authenticate(token)
    } catch (error) {
      if (error instanceof UnauthorizedError) return { me: null }
      request.log.warn({ err: error }, 'session check for the page failed: the app will ask itself')
      return {}
    }
    const boot: Boot = { me: z.encode(userContract, principal.user) }
    if (request.url === '/' || request.url.startsWith('/?')) {
      try {
        boot.scores = z.encode(scoresResponse, await service.scores(principal.claims))
      } catch (error) {
        // No profile yet (the API answers 404 the same way) or a passing failure: the app asks.
        request.log.debug({ err: error }, 'scores for the page not inlined')
      }
    }
    return boot
  }
}

/** A small dynamic body, compressed as the browser accepts (brotli first). */
function sendCompressed(request: FastifyRequest, reply: FastifyReply, body: string) {
  const accept = String(request.headers['accept-encoding'] ?? '')
  if (/\bbr\b/.test(accept))
    return reply
      .header('content-encoding', 'br')
      .send(brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }))
  if (/\bgzip\b/.test(accept)) return reply.header('content-encoding', 'gzip').send(gzipSync(body))
  return reply.send(body)
}
