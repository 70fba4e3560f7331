import type { KeySettings } from '../../contracts/api-keys.ts'
import type { Database } from '../../data/db.ts'
import {
  findApiKey,
  setKeyAdminSettings,
  setUserKeyOverrides,
  userKeyOverrides,
} from '../../data/repositories/api-keys.ts'
import { recordAdminAction } from '../../data/repositories/audit.ts'
import { findUserById } from '../../data/repositories/users.ts'
import { NotFoundError } from '../../errors.ts'
import type { ApiKeyService } from '../../governance/keys/api-keys.ts'
import { parseKeySettings } from '../../governance/keys/policy.ts'
import { announceKeyChanged } from '../account/revocation.ts'
import type { Actor } from './model-versions.ts'

/**
 * An admin's overrides of API key settings (limits, budgets, allowlist, scopes): on one key, or on
 * every key of a user. Each change is audited in `admin_audit_log` with what it replaced, and
 * every process reads the keys again at once (an `auth.revoked` event, reason `api_key_changed`).
 */

type Deps = { db: Database; apiKeys: ApiKeyService }

/** One user's keys with their standing and usage, and the overrides on all of them. */
export async function userKeysFor(deps: Deps, actor: Actor, userId: string) {
  const user = await deps.db.asUser(actor.claims, (tx) => findUserById(tx, userId))
  if (!user) throw new NotFoundError('User')
  const overrides = parseKeySettings(await deps.db.asUser(actor.claims, (tx) => userKeyOverrides(tx, userId)))
  return { userId, overrides, keys: await deps.apiKeys.listOf(actor.claims, userId) }
}

/** Set (settings) or clear (undefined) an admin's overrides on one key. Returns the key as its owner sees it. */
export async function overrideKey(deps: Deps, actor: Actor, keyId: string, settings: KeySettings | undefined) {
  const userId = await deps.db.asUser(actor.claims, async (tx) => {
    const before = await findApiKey(tx, keyId)
    if (!before) throw new NotFoundError('API key')
    await setKeyAdminSettings(tx, keyId, settings ?? {})
    await recordAdminAction(tx, {
      actorId: actor.userId,
      action: settings ? 'api_key.override.set' : 'api_key.override.clear',
      target: keyId,
      details: { userId: before.userId, before: before.adminSettings, after: settings ?? {} },
    })
    return before.userId
  })
  await announceKeyChanged(deps, userId, keyId)
  const keys = await deps.apiKeys.listOf(actor.claims, userId)
  return keys.find((k) => k.id === keyId)!
}

/** Set (settings) or clear (undefined) an admin's overrides on every key of a user. */
export async function overrideUserKeys(deps: Deps, actor: Actor, userId: string, settings: KeySettings | undefined) {
  await deps.db.asUser(actor.claims, async (tx) => {
    if (!(await findUserById(tx, userId))) throw new NotFoundError('User')
    const before = await userKeyOverrides(tx, userId)
    await setUserKeyOverrides(tx, { userId, settings, updatedBy: actor.userId })
    await recordAdminAction(tx, {
      actorId: actor.userId,
      action: settings ? 'api_key.user_override.set' : 'api_key.user_override.clear',
      target: userId,
      details: { before, after: settings ?? {} },
    })
  })
  await announceKeyChanged(deps, userId)
  return userKeysFor(deps, actor, userId)
}
