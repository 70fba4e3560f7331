import type { AuthService, Principal } from '../../auth/service.ts'
import type { Database, Tx } from '../../data/db.ts'
import { recordAdminAction } from '../../data/repositories/audit.ts'
import { deleteUserData } from '../../data/repositories/personal-data.ts'
import { revokeToken } from '../../data/repositories/users.ts'
import type { EventHub } from '../../events/hub.ts'
import { publish } from '../../events/publish.ts'
import type { EventPayload } from '../../contracts/events.ts'
import type { RealtimeHub } from '../../realtime/hub.ts'

/**
 * Revocation is immediate in every process: the change (a revoked token, a deleted account, a
 * revoked API key) and an `auth.revoked` event are written in one transaction (the outbox); each
 * process, this one at once and the others as the event arrives through LISTEN, drops its cached
 * principals and API keys of that user and closes their open streams. Caches then cannot keep a
 * revoked token or key alive for their time-to-live.
 */

export type Revocation = EventPayload<'auth.revoked'>

/** The caches and streams a process holds per user. */
export type RevocationTargets = {
  auth: Pick<AuthService, 'forget'>
  realtime: Pick<RealtimeHub, 'closeUser'>
  apiKeys: { forget(filter: { userId?: string; keyId?: string }): void }
}

export type RevocationDeps = RevocationTargets & { db: Database }

/** What a process does on a revocation. Idempotent: the origin applies it twice (at once, then on the event). */
export function applyRevocation(targets: RevocationTargets, revocation: Revocation): void {
  const { userId, reason } = revocation
  if (reason === 'api_key_revoked') {
    if (revocation.keyId) targets.apiKeys.forget({ keyId: revocation.keyId })
    return
  }
  // A rotation or an admin's override: the key (or every key of the user) is read again.
  if (reason === 'api_key_changed') {
    targets.apiKeys.forget(revocation.keyId ? { keyId: revocation.keyId } : { userId })
    return
  }
  targets.auth.forget(userId)
  if (reason === 'password_changed') {
    // Every stream of the user ends; the session that changed it reconnects with its new token.
    targets.realtime.closeUser(userId, { reason: 'password_changed' })
    return
  }
  if (reason === 'account_deleted') {
    targets.apiKeys.forget({ userId })
    targets.realtime.closeUser(userId, { reason: 'account_deleted' })
  } else {
    // A logout ends that token's streams (all of the user's when the token has no id).
    targets.realtime.closeUser(userId, { tokenId: revocation.tokenId, reason: 'signed_out' })
  }
}

/** Apply every `auth.revoked` event this process sees. Returns the unsubscribe. */
export function subscribeRevocations(events: Pick<EventHub, 'subscribe'>, targets: RevocationTargets): () => void {
  return events.subscribe('auth.revoked', (event) => applyRevocation(targets, event.payload as Revocation))
}

const revokedEvent = (payload: Revocation) => ({
  type: 'auth.revoked' as const,
  userId: null,
  audience: 'system' as const,
  payload,
})

/** End this session: its token is refused and its streams closed, in every process. */
export async function logout(deps: RevocationDeps, principal: Principal): Promise<void> {
  const revocation: Revocation = {
    userId: principal.user.id,
    reason: 'logout',
    ...(principal.token.jti ? { tokenId: principal.token.jti } : {}),
  }
  await deps.db.transaction(async (tx) => {
    if (principal.token.jti) await revokeToken(tx, principal.token.jti, principal.user.id, principal.token.expiresAt)
    await publish(tx, revokedEvent(revocation))
  })
  applyRevocation(deps, revocation)
}

/**
 * Inside a password change's transaction: the token of the session that changed it is revoked (it
 * gets a new one) and `auth.revoked` is written; after the commit, `applyRevocation` with the
 * result drops the principals cached in every process (tokens issued before the change, refused
 * by `tokens_valid_after`, stop working at once) and closes the user's streams.
 */
export async function recordPasswordChange(tx: Tx, principal: Principal): Promise<Revocation> {
  const revocation: Revocation = { userId: principal.user.id, reason: 'password_changed' }
  if (principal.token.jti) await revokeToken(tx, principal.token.jti, principal.user.id, principal.token.expiresAt)
  await publish(tx, revokedEvent(revocation))
  return revocation
}

/** Delete the caller's account and everything of theirs; their tokens, keys and streams end everywhere. */
export async function deleteAccount(deps: RevocationDeps, userId: string): Promise<Record<string, number>> {
  const revocation: Revocation = { userId, reason: 'account_deleted' }
  const counts = await deps.db.transaction(async (tx) => {
    const deleted = await deleteUserData(tx, userId)
    await recordAdminAction(tx, {
      actorId: userId,
      action: 'user.delete_self',
      target: userId,
      details: { counts: deleted },
    })
    await publish(tx, revokedEvent(revocation))
    return deleted
  })
  applyRevocation(deps, revocation)
  return counts
}

/** After an API key was revoked: every process stops accepting it at once. */
export async function announceKeyRevoked(
  deps: Pick<RevocationDeps, 'db'> & RevocationTargets,
  userId: string,
  keyId: string,
): Promise<void> {
  const revocation: Revocation = { userId, reason: 'api_key_revoked', keyId }
  applyRevocation(deps, revocation)
  await deps.db.transaction((tx) => publish(tx, revokedEvent(revocation)))
}

/** After an API key (or, without `keyId`, every key of a user) changed: every process reads it again. */
export async function announceKeyChanged(
  deps: Pick<RevocationDeps, 'db'> & Pick<RevocationTargets, 'apiKeys'>,
  userId: string,
  keyId?: string,
): Promise<void> {
  const revocation: Revocation = { userId, reason: 'api_key_changed', ...(keyId ? { keyId } : {}) }
  deps.apiKeys.forget(keyId ? { keyId } : { userId })
  await deps.db.transaction((tx) => publish(tx, revokedEvent(revocation)))
}
