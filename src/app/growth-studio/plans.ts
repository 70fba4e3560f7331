import type { Plan, PlanBody } from '../../contracts/plans.ts'
import type { Claims, Database } from '../../data/db.ts'
import { deletePlan, insertPlan, listPlans, updatePlan, type PlanRow } from '../../data/repositories/strategy-plans.ts'
import { NotFoundError } from '../../errors.ts'

/** Strategy plans (the planner modal): a user's own, under RLS as that user. */

type Deps = { db: Pick<Database, 'asUser'> }

function toPlan(row: PlanRow): Plan {
  return {
    id: row.id,
    title: row.title,
    items: row.items,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export async function listStrategyPlans(deps: Deps, claims: Claims): Promise<Plan[]> {
  return (await deps.db.asUser(claims, (tx) => listPlans(tx, claims.sub))).map(toPlan)
}

export async function createStrategyPlan(deps: Deps, claims: Claims, body: PlanBody): Promise<Plan> {
  return toPlan(await deps.db.asUser(claims, (tx) => insertPlan(tx, { userId: claims.sub, ...body })))
}

export async function saveStrategyPlan(deps: Deps, claims: Claims, id: string, body: PlanBody): Promise<Plan> {
  const row = await deps.db.asUser(claims, (tx) => updatePlan(tx, claims.sub, id, body))
  if (!row) throw new NotFoundError('Plan')
  return toPlan(row)
}

export async function deleteStrategyPlan(deps: Deps, claims: Claims, id: string): Promise<void> {
  const deleted = await deps.db.asUser(claims, (tx) => deletePlan(tx, claims.sub, id))
  if (!deleted) throw new NotFoundError('Plan')
}
