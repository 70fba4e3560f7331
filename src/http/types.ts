import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Container } from '../main/container.ts'
import type { AuthHooks } from './plugins/auth.ts'

/** A Fastify instance with zod schemas on every route. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>

/** What every route module receives: the wired container plus the auth hooks. */
export type RouteDeps = Container & { hooks: AuthHooks }

/** A route module: registers its routes on the app. */
export type RouteModule = (app: App, deps: RouteDeps) => void | Promise<void>
