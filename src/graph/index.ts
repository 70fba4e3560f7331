import type { Logger } from 'pino'
import type { Config } from '../config/env.ts'
import type { Database } from '../data/db.ts'
import { createNeo4jDriver, createNeo4jGraphStore } from './neo4j/store.ts'
import { createSqlGraphStore } from './sql/store.ts'
import type { GraphStore } from './store.ts'

/**
 * The process's GraphStore from Config: Neo4j when NEO4J_URI is set (one driver per process, closed
 * with the store), else SQL on the main database. Neo4j's constraints are created on first use and
 * retried until they succeed, so a Neo4j that is down at start-up does not stop the server.
 */
export function createGraphStore(deps: {
  config: Config
  db: Database
  logger: Pick<Logger, 'warn' | 'info'>
}): GraphStore {
  const neo = deps.config.graph.neo4j
  if (!neo) return createSqlGraphStore({ db: deps.db })
  const store = createNeo4jGraphStore({ driver: createNeo4jDriver(neo), database: neo.database })
  let ready: Promise<void> | undefined
  const ensure = () => {
    ready ??= store.init().catch((error: unknown) => {
      ready = undefined
      throw error
    })
    return ready
  }
  const guarded =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A) => {
      await ensure()
      return fn(...args)
    }
  ensure().then(
    () => deps.logger.info({ uri: neo.uri }, 'graph: Neo4j ready'),
    (error: unknown) =>
      deps.logger.warn({ err: error, uri: neo.uri }, 'graph: Neo4j unavailable at start-up; its jobs retry'),
  )
  return {
    ...store,
    init: ensure,
    upsertBusiness: guarded(store.upsertBusiness),
    recordScore: guarded(store.recordScore),
    syncBusinesses: guarded(store.syncBusinesses),
  }
}

export type { GraphStore } from './store.ts'
