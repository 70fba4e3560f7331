import type { Claims, Database } from '../../data/db.ts'
import { recordAdminAction } from '../../data/repositories/audit.ts'
import {
  deleteStoredRoute,
  getStoredRoute,
  listStoredRoutes,
  putStoredRoute,
  type StoredRoute,
} from '../../data/repositories/ai-routes.ts'
import { NotFoundError, ValidationError, type FieldIssue } from '../../errors.ts'
import { routeDefinition, type RouteDefinition, type RouteView } from '../../contracts/routing.ts'
import type { RouteEntry, RouteTable } from '../../gateway/router/routes.ts'

/**
 * Gateway routes for admins: stored in `ai_routes` over the `OPTIMALIQ_CONFIG` file's, each change
 * audited in the same transaction; this process reloads at once, the others within their poll
 * (`AI_ROUTES_POLL_MS`).
 */
export type RouteAdminDeps = {
  db: Database
  ai: { routes: RouteTable; reloadRoutes(): Promise<void> }
}
export type Actor = { claims: Claims; userId: string }

function view(name: string, entry: RouteEntry | undefined, stored: StoredRoute | undefined): RouteView {
  // A row written by hand that the schema refuses is shown without its definition (the gateway ignores it too).
  const parsed = stored ? routeDefinition.safeParse(stored.definition) : undefined
  const definition = parsed?.success ? parsed.data : undefined
  return {
    name,
    source: entry?.source ?? 'admin',
    ...(definition ? { definition } : {}),
    strategy: entry?.strategy ?? definition?.strategy ?? 'ordered',
    candidates: (entry?.candidates ?? []).map((c) => ({
      provider: c.provider,
      model: c.model,
      ...(c.weight !== undefined ? { weight: c.weight } : {}),
    })),
    rules: entry?.rules ?? [],
    ...(stored ? { updatedAt: stored.updatedAt, updatedBy: stored.updatedBy } : {}),
  }
}

/** Every route this process serves, plus stored ones it cannot (their providers are not configured here). */
export async function listRoutes(deps: RouteAdminDeps, actor: Actor): Promise<RouteView[]> {
  const stored = await deps.db.asUser(actor.claims, (tx) => listStoredRoutes(tx))
  const byName = new Map(stored.map((r) => [r.name, r]))
  const entries = deps.ai.routes.entries()
  const views = entries.map((e) => view(e.name, e, byName.get(e.name)))
  for (const r of stored) if (!entries.some((e) => e.name === r.name)) views.push(view(r.name, undefined, r))
  return views
}

export async function getRoute(deps: RouteAdminDeps, actor: Actor, name: string): Promise<RouteView> {
  const stored = await deps.db.asUser(actor.claims, (tx) => getStoredRoute(tx, name))
  const entry = deps.ai.routes.entries().find((e) => e.name === name)
  if (!entry && !stored) throw new NotFoundError('Route')
  return view(name, entry, stored)
}

/** What the schema cannot check: candidates this gateway can call, rules naming routes that exist. */
function issuesOf(deps: RouteAdminDeps, name: string, definition: RouteDefinition): FieldIssue[] {
  const issues: FieldIssue[] = []
  const names = new Set(deps.ai.routes.names())
  definition.candidates?.forEach((spec, i) => {
    if (!deps.ai.routes.candidateOf(spec))
      issues.push({
        field: `body.candidates.${i}`,
        message:
          typeof spec === 'string'
            ? `"${spec}" is neither a catalog alias nor provider/model of a configured provider`
            : `provider "${spec.provider}" is not configured`,
      })
  })
  definition.rules?.forEach((rule, i) => {
    if (rule.route === name)
      issues.push({ field: `body.rules.${i}.route`, message: 'a rule cannot choose its own route' })
    else if (!names.has(rule.route))
      issues.push({ field: `body.rules.${i}.route`, message: `no route named "${rule.route}"` })
  })
  const inherits = deps.ai.routes.entries().some((e) => e.name === name && e.source !== 'admin')
  if (!definition.candidates && !definition.rules?.length && !inherits)
    issues.push({
      field: 'body.candidates',
      message: 'required: no route of this name in the config file to take candidates from',
    })
  return issues
}

/** Create or replace a stored route (its definition as given); audited. */
export async function putRoute(
  deps: RouteAdminDeps,
  actor: Actor,
  name: string,
  definition: RouteDefinition,
): Promise<RouteView> {
  const issues = issuesOf(deps, name, definition)
  if (issues.length > 0) throw new ValidationError(issues)
  const stored = await deps.db.asUser(actor.claims, async (tx) => {
    const previous = await getStoredRoute(tx, name)
    const row = await putStoredRoute(tx, { name, definition, updatedBy: actor.userId })
    await recordAdminAction(tx, {
      actorId: actor.userId,
      action: 'route.put',
      target: name,
      details: { definition, previous: previous?.definition ?? null },
    })
    return row
  })
  await deps.ai.reloadRoutes()
  return view(
    name,
    deps.ai.routes.entries().find((e) => e.name === name),
    stored,
  )
}

/** Remove a stored route: the config file's route of that name (if any) serves again; audited. */
export async function deleteRoute(deps: RouteAdminDeps, actor: Actor, name: string): Promise<void> {
  await deps.db.asUser(actor.claims, async (tx) => {
    const removed = await deleteStoredRoute(tx, name)
    if (!removed) throw new NotFoundError('Stored route')
    await recordAdminAction(tx, {
      actorId: actor.userId,
      action: 'route.delete',
      target: name,
      details: { previous: removed.definition },
    })
  })
  await deps.ai.reloadRoutes()
}
