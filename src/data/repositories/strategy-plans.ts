import { and, desc, eq } from 'drizzle-orm'
import type { Executor } from '../db.ts'
import { strategyPlans, type PlanItemRow } from '../schema.ts'

export type PlanRow = typeof strategyPlans.$inferSelect

/** The user's plans, most recently changed first. */
export async function listPlans(db: Executor, userId: string): Promise<PlanRow[]> {
  return db.select().from(strategyPlans).where(eq(strategyPlans.userId, userId)).orderBy(desc(strategyPlans.updatedAt))
}

export async function insertPlan(
  db: Executor,
  values: { userId: string; title: string; items: PlanItemRow[] },
): Promise<PlanRow> {
  const [row] = await db.insert(strategyPlans).values(values).returning()
  return row as PlanRow
}

/** Replace one of the user's plans; undefined when it is not theirs or does not exist. */
export async function updatePlan(
  db: Executor,
  userId: string,
  id: string,
  values: { title: string; items: PlanItemRow[] },
): Promise<PlanRow | undefined> {
  const [row] = await db
    .update(strategyPlans)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(strategyPlans.id, id), eq(strategyPlans.userId, userId)))
    .returning()
  return row
}

export async function deletePlan(db: Executor, userId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(strategyPlans)
    .where(and(eq(strategyPlans.id, id), eq(strategyPlans.userId, userId)))
    .returning({ id: strategyPlans.id })
  return rows.length > 0
}
