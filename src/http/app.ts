import { randomUUID } from 'node:crypto'
import fastifyCookie from '@fastify/cookie'
import fastifyCors from '@fastify/cors'
import fastifyHelmet from '@fastify/helmet'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import Fastify, { LogController, type FastifyServerOptions } from 'fastify'
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod'
import { createAuthHooks } from './plugins/auth.ts'
import { registerErrorHandling, sendFrameworkError } from './plugins/errors.ts'
import { registerInputSanitizing } from './plugins/sanitize.ts'
import { setSecurityHeaders } from './plugins/security-headers.ts'
import { adminGovernanceRoutes } from './routes/admin-governance.ts'
import { adviceRoutes } from './routes/advice.ts'
import { adminUserRoutes } from './routes/admin-users.ts'
import { assessmentRoutes } from './routes/assessments.ts'
import { authRoutes } from './routes/auth.ts'
import { healthRoutes } from './routes/health.ts'
import { meDataRoutes } from './routes/me-data.ts'
import { planRoutes } from './routes/plans.ts'
import { metricsRoutes } from './routes/metrics.ts'
import { peerRoutes } from './routes/peers.ts'
import { profileRoutes } from './routes/profile.ts'
import { adminAiRoutes } from './routes/admin-ai.ts'
import { adminRoutingRoutes } from './routes/admin-routing.ts'
import { aiFeatureRoutes } from './routes/ai-features.ts'
import { apiKeyRoutes } from './routes/api-keys.ts'
import { realtimeRoutes } from './routes/realtime.ts'
import { taskRoutes } from './routes/tasks.ts'
import { kpiRoutes } from './routes/kpis.ts'
import { documentRoutes } from './routes/documents.ts'
import { v1Routes } from './routes/v1.ts'
import { v1MessagesRoutes } from './routes/v1-messages.ts'
import { webAppRoutes } from './routes/web.ts'
import type { App, HttpDeps, RouteDeps, RouteModule } from './types.ts'

/** Route modules, in the order they register. Add a feature's module here. */
const ROUTES: RouteModule[] = [
  metricsRoutes,
  healthRoutes,
  authRoutes,
  profileRoutes,
  adminUserRoutes,
  apiKeyRoutes,
  adminAiRoutes,
  adminRoutingRoutes,
  v1Routes,
  v1MessagesRoutes,
  assessmentRoutes,
  realtimeRoutes,
  taskRoutes,
  aiFeatureRoutes,
  peerRoutes,
  kpiRoutes,
  documentRoutes,
  adviceRoutes,
  adminGovernanceRoutes,
  meDataRoutes,
  planRoutes,
  webAppRoutes,
]

const REQUEST_ID = /^[\w.:-]{1,128}$/

/** Build the HTTP app from its deps (main's wired container). Does not listen: `main/serve.ts` does, tests inject. */
export async function buildApp(services: HttpDeps, options: { routes?: RouteModule[] } = {}): Promise<App> {
  const { config } = services
  const serverOptions: FastifyServerOptions = {
    loggerInstance: services.logger,
    bodyLimit: config.http.bodyLimit,
    // TRUST_PROXY: who may name the client (request.ip) in X-Forwarded-For; unset, nobody.
    trustProxy:
      typeof config.http.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.http.trustProxy as number)
        : config.http.trustProxy,
    requestIdHeader: false,
    // Take the caller's x-request-id when it is a sane token, else make one.
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    // Per-request lines only at debug; errors are always logged by the error handler.
    logController: new LogController({
      requestIdLogLabel: 'requestId',
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    forceCloseConnections: 'idle',
    // Errors raised before routing (a malformed URL) get the documented shape and headers too.
    frameworkErrors: (error, request, reply) => sendFrameworkError(error, request, reply),
    return503OnClosing: true,
  }
  const app = Fastify(serverOptions).withTypeProvider<ZodTypeProvider>() as unknown as App
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.decorateRequest('principal', null)
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
    setSecurityHeaders(reply.raw)
  })
  registerErrorHandling(app)
  registerInputSanitizing(app)

  await app.register(fastifyCookie)
  await app.register(fastifyHelmet, {
    // The API docs page loads its own script and styles; everything else keeps helmet's defaults.
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'", "'unsafe-inline'"],
        'style-src': ["'self'", "'unsafe-inline'", 'https:'],
        'img-src': ["'self'", 'data:'],
      },
    },
  })
  if (config.http.corsOrigins.length > 0)
    await app.register(fastifyCors, { origin: config.http.corsOrigins, credentials: true })

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'OptimaliQ API',
        version: '0.1.0',
        description: 'Growth-maturity assessments, AI features and the AI gateway.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  })
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  const deps: RouteDeps = { ...services, hooks: createAuthHooks(services.auth) }
  for (const routes of options.routes ?? ROUTES) await routes(app, deps)
  return app
}
