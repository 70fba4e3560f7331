import { hashPassword } from '../../auth/passwords.ts'
import type { AuthService } from '../../auth/service.ts'
import type { Database } from '../../data/db.ts'
import { findUserById, setPasswordHash } from '../../data/repositories/users.ts'
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts'

export type ChangePasswordInput = { currentPassword: string; newPassword: string }

/**
 * Change the signed-in user's password. The current password is checked first: a session alone
 * (a borrowed laptop) is not enough. A wrong one is a 400 on `currentPassword`, never a 401,
 * which would read as "signed out". Accounts without a password (signed in through Supabase)
 * have none to change here.
 */
export async function changePassword(
  deps: { db: Database; auth: Pick<AuthService, 'checkPassword'> },
  userId: string,
  input: ChangePasswordInput,
  address = 'unknown',
) {
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
  await setPasswordHash(deps.db.orm, userId, await hashPassword(input.newPassword))
  return { changed: true as const }
}
