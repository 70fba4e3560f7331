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
