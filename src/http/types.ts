import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Logger } from 'pino'
import type { DocumentService } from '../app/documents/documents.ts'
import type { KpiService } from '../app/kpis/kpis.ts'
import type { TaskService } from '../app/tasks/task-service.ts'
import type { AuthService } from '../auth/service.ts'
import type { Config } from '../config/env.ts'
import type { Database } from '../data/db.ts'
import type { AssessmentCatalogue } from '../domain/assessments/assessment-configs.ts'
import type { OverallWeights } from '../domain/assessments/overall.ts'
import type { EventHub } from '../events/hub.ts'
import type { GraphStore } from '../graph/store.ts'
import type { GraphSync } from '../graph/sync.ts'
import type { AiGateway } from '../gateway/client.ts'
import type { Governance } from '../governance/create-governance.ts'
import type { ApiKeyService } from '../governance/keys/api-keys.ts'
import type { RealtimeHub } from '../realtime/hub.ts'
import type { AuthHooks } from './plugins/auth.ts'

/** A Fastify instance with zod schemas on every route. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>

/**
 * What the HTTP app needs from the composition root: the parts its routes hand to use cases.
 * `main/container.ts`'s Container satisfies it (http never imports main).
 */
export type HttpDeps = {
  config: Config
  logger: Logger
  db: Database
  auth: AuthService
  ai: AiGateway
  apiKeys: ApiKeyService
  assessments: { catalogue: AssessmentCatalogue; overallWeights: OverallWeights }
  governance: Governance
  events: EventHub
  realtime: RealtimeHub
  tasks: TaskService
  /** The peer graph and its sync (docs/graph.md). */
  graph: { store: GraphStore; sync: GraphSync }
  kpis: KpiService
  documents: DocumentService
}

/** What every route module receives: the app's deps plus the auth hooks. */
export type RouteDeps = HttpDeps & { hooks: AuthHooks }

/** A route module: registers its routes on the app. */
export type RouteModule = (app: App, deps: RouteDeps) => void | Promise<void>
