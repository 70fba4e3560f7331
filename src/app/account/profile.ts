import type { Profile } from '../../contracts/auth.ts'
import type { Claims, Database } from '../../data/db.ts'
import { getProfile, toProfile, updateBusinessFields } from '../../data/repositories/profiles.ts'
import { NotFoundError } from '../../errors.ts'
import { publish } from '../../events/publish.ts'

/** The caller's own business profile, under RLS: only the caller's row is reachable. */
export async function myProfile(db: Database, claims: Claims): Promise<Profile> {
  const row = await db.asUser(claims, (tx) => getProfile(tx, claims.sub))
  if (!row) throw new NotFoundError('Profile')
  return toProfile(row)
}

/**
 * Change business fields (none: the profile as it is). A `profile.updated` event in the same
 * transaction tells the peer graph, dashboards and open tabs which fields changed.
 */
export async function changeProfile(
  db: Database,
  claims: Claims,
  patch: Parameters<typeof updateBusinessFields>[2],
): Promise<Profile> {
  const fields = Object.keys(patch)
  const row = await db.asUser(claims, async (tx) => {
    if (fields.length === 0) return getProfile(tx, claims.sub)
    const updated = await updateBusinessFields(tx, claims.sub, patch)
    if (updated) await publish(tx, { type: 'profile.updated', userId: claims.sub, payload: { fields } })
    return updated
  })
  if (!row) throw new NotFoundError('Profile')
  return toProfile(row)
}
