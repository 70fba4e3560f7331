import type { Logger } from 'pino'
import type { Database } from '../../data/db.ts'
import { listStoredRoutes } from '../../data/repositories/ai-routes.ts'
import { routeDefinition, type RouteDefinition } from '../../contracts/routing.ts'
import type { RouteTable } from './routes.ts'

/**
 * Routes stored by admins (`ai_routes`) reach every process by a short poll: the table is the
 * truth, read every `intervalMs` (a handful of rows) and laid over the config file's routes when it
 * changed. The process that made the change calls `refresh()` at once.
 */
export type RouteSync = {
  /** Read the table now and apply it when it changed. */
  refresh(): Promise<void>
  stop(): void
}

export function startRouteSync(options: {
  db: Database
  routes: RouteTable
  intervalMs: number
  logger?: Logger | undefined
}): RouteSync {
  let seen = ''
  let running: Promise<void> | undefined
  let stopped = false

  async function load() {
    const stored = await listStoredRoutes(options.db.orm)
    const text = JSON.stringify(stored.map((r) => [r.name, r.definition]))
    if (text === seen) return
    const routes: Record<string, RouteDefinition> = {}
    for (const row of stored) {
      const parsed = routeDefinition.safeParse(row.definition)
      if (parsed.success) routes[row.name] = parsed.data
      else options.logger?.warn({ route: row.name, issues: parsed.error.issues }, 'stored route is invalid: ignored')
    }
    options.routes.setStored(routes)
    seen = text
  }

  const refresh = (): Promise<void> => {
    // One read at a time; a refresh asked for during a read waits for it and reads again.
    const previous = running ?? Promise.resolve()
    const next = previous.then(load, load).finally(() => {
      if (running === next) running = undefined
    })
    running = next
    return next
  }

  const tick = () => {
    if (stopped) return
    refresh()
      .catch((error: unknown) => options.logger?.warn({ err: error }, 'reading stored routes failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs).unref()
      })
  }
  let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(tick, 0).unref()

  return {
    refresh,
    stop() {
      stopped = true
      clearTimeout(timer)
      timer = undefined
    },
  }
}
