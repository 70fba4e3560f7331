import { hashPassword } from '../../auth/passwords.ts'
import type { AuthService, Principal } from '../../auth/service.ts'
import { findUserById, setPasswordHash } from '../../data/repositories/users.ts'
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts'
import { applyRevocation, recordPasswordChange, type RevocationDeps } from './revocation.ts'

export type ChangePasswordInput = { currentPassword: string; newPassword: string }

/**
 * Change the signed-in user's password. The current password is checked first: a session alone
 * (a borrowed laptop) is not enough. A wrong one is a 400 on `currentPassword`, never a 401,
 * which would read as "signed out". Accounts without a password (signed in through Supabase)
 * have none to change here.
 *
 * Every other session ends: tokens issued before the change are refused (`tokens_valid_after`,
 * checked in `auth/service.ts`), in every process at once (`auth.revoked`). The session that
 * changed it goes on with a new token, returned (and set as the cookie by the route). API keys
 * are not sessions and keep working (revoke them on the account page).
 */
export async function changePassword(
  deps: RevocationDeps & { auth: Pick<AuthService, 'checkPassword' | 'issueSession'> },
  principal: Principal,
  input: ChangePasswordInput,
  address = 'unknown',
) {
  const userId = principal.user.id
  const row = await findUserById(deps.db.orm, userId)
  if (!row) throw new NotFoundError('User')
  if (!row.passwordHash)
    throw new ConflictError('no_password', 'This account signs in through its identity provider: it has no password')
  // Wrong guesses count against the account like failed logins (429 with Retry-After when locked).
  if (!(await deps.auth.checkPassword(row.email, input.currentPassword, row.passwordHash, address)))
    throw new ValidationError(
      [{ field: 'body.currentPassword', message: 'The current password is not right', code: 'wrong_password' }],
      'The current password is not right',
    )
  const hash = await hashPassword(input.newPassword)
  // The new token is issued first: the sessions it outlives are exactly those issued before it.
  const { session, issuedAt } = await deps.auth.issueSession(principal.user)
  const revocation = await deps.db.transaction(async (tx) => {
    await setPasswordHash(tx, userId, hash, issuedAt)
    return recordPasswordChange(tx, principal)
  })
  applyRevocation(deps, revocation)
  return { changed: true as const, ...session }
}
