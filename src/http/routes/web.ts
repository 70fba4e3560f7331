import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import { errorBody } from '../plugins/errors.ts'
import type { RouteModule } from '../types.ts'

/** The built single-page app (`vite build` → `web/dist`). */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url))

/** Paths that belong to the API: never answered with the app, so unknown ones stay JSON 404s. */
const API_PATHS = /^\/(api|v1|docs|openapi\.json|healthz|readyz|metrics)(\/|$|\?)/

/**
 * Serves the web app at `/`: hashed assets cached for a year, `index.html` never cached, and
 * every other non-API GET answered with `index.html` so the app's own router takes the path.
 * Without a build (`web/dist/index.html` missing) the server runs API-only and says so.
 * Register last: every API route must exist before the catch-all.
 */
export function webRoutes(root: string = WEB_DIST): RouteModule {
  return async (app) => {
    if (!existsSync(`${root}index.html`)) {
      app.log.warn({ root }, 'web app not built (run `npm run build:web`): serving the API only')
      return
    }
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
      const app = (
        _request: unknown,
        reply: { header: (k: string, v: string) => unknown; sendFile: (f: string) => unknown },
      ) => {
        reply.header('cache-control', 'no-cache')
        return reply.sendFile('index.html')
      }
      scope.get('/', { schema: { hide: true } }, (request, reply) => app(request, reply))
      scope.get('/*', { schema: { hide: true }, logLevel: 'warn' }, (request, reply) => {
        if (API_PATHS.test(request.url))
          return reply
            .code(404)
            .send(errorBody(request, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`))
        return app(request, reply)
      })
    })
  }
}

export const webAppRoutes: RouteModule = webRoutes()
