import { and, desc, eq } from 'drizzle-orm'
import type { Executor } from '../db.ts'
import { adminAuditLog } from '../schema.ts'

/** Append one administrative action to `admin_audit_log`. */
export async function recordAdminAction(
  db: Executor,
  entry: { actorId: string | null; action: string; target?: string | null; details?: Record<string, unknown> },
) {
  await db.insert(adminAuditLog).values({
    actorId: entry.actorId,
    action: entry.action,
    target: entry.target ?? null,
    details: entry.details ?? null,
  })
}

/** The details of the latest audit entry for an action on a target (undefined when there is none). */
export async function lastAdminActionDetails<T extends Record<string, unknown>>(
  db: Executor,
  action: string,
  target: string,
): Promise<T | undefined> {
  const [row] = await db
    .select({ details: adminAuditLog.details })
    .from(adminAuditLog)
    .where(and(eq(adminAuditLog.action, action), eq(adminAuditLog.target, target)))
    .orderBy(desc(adminAuditLog.id))
    .limit(1)
  return (row?.details ?? undefined) as T | undefined
}
