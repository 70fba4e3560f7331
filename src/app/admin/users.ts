import type { Database } from '../../data/db.ts'
import { recordAdminAction } from '../../data/repositories/audit.ts'
import { listUsers, toUser, updateUserPrivileges } from '../../data/repositories/users.ts'
import { NotFoundError } from '../../errors.ts'
import type { Actor } from './model-versions.ts'

/** User administration: list accounts; change role or tier (audited, and every cached principal dropped). */

export async function usersFor(db: Database, actor: Actor, q: Parameters<typeof listUsers>[1]) {
  return db.asUser(actor.claims, (tx) => listUsers(tx, q))
}

export async function changeUser(
  deps: { db: Database; auth: { forget(userId: string): void } },
  actor: Actor,
  id: string,
  patch: Parameters<typeof updateUserPrivileges>[2],
) {
  const updated = await deps.db.asUser(actor.claims, async (tx) => {
    const row = await updateUserPrivileges(tx, id, patch)
    if (!row) throw new NotFoundError('User')
    await recordAdminAction(tx, { actorId: actor.userId, action: 'user.update', target: row.id, details: patch })
    return toUser(row)
  })
  deps.auth.forget(updated.id)
  return updated
}
