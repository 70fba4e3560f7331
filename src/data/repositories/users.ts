import { and, count, eq, ilike, sql } from 'drizzle-orm'
import type { User } from '../../contracts/auth.ts'
import type { Role, Tier } from '../../contracts/common.ts'
import { ConflictError } from '../../errors.ts'
import { PG_ERROR, pgErrorCode } from '../pg-errors.ts'
import { rows, type Executor } from '../db.ts'
import { profiles, revokedTokens, users } from '../schema.ts'

type UserRow = typeof users.$inferSelect

/** The public view of a user row. */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    tier: row.tier,
    createdAt: row.createdAt.toISOString(),
  }
}

export type NewUser = {
  id?: string
  email: string
  passwordHash: string | null
  name?: string | undefined
  role: Role
  profile?: Partial<typeof profiles.$inferInsert>
}

/** Insert a user and their empty profile. Duplicate email (any case) → 409 `email_taken`. */
export async function createUser(db: Executor, input: NewUser): Promise<UserRow> {
  try {
    const [row] = await db
      .insert(users)
      .values({
        ...(input.id ? { id: input.id } : {}),
        email: input.email.trim(),
        passwordHash: input.passwordHash,
        name: input.name ?? null,
        role: input.role,
      })
      .returning()
    await db.insert(profiles).values({ ...input.profile, userId: row!.id })
    return row!
  } catch (error) {
    if (pgErrorCode(error) === PG_ERROR.UNIQUE_VIOLATION) {
      throw new ConflictError('email_taken', 'An account with this email already exists', { field: 'body.email' })
    }
    throw error
  }
}

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email.trim()})`)
    .limit(1)
  return row
}

export async function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1)
  return row
}

/**
 * The user behind a token, and whether that token was revoked by logout — one round trip,
 * since it runs on every authenticated request.
 */
export async function findPrincipal(db: Executor, id: string, jti: string | undefined) {
  const [row] = await rows<{
    id: string
    email: string
    name: string | null
    role: Role
    tier: Tier
    created_at: Date | string
    tokens_valid_after: Date | string | null
    revoked: boolean
  }>(
    db,
    sql`select u.id, u.email, u.name, u.role, u.tier, u.created_at, u.tokens_valid_after,
          exists(select 1 from revoked_tokens r where r.jti = ${jti ?? ''}) as revoked
        from users u where u.id = ${id}`,
  )
  if (!row) return undefined
  const createdAt = row.created_at instanceof Date ? row.created_at : new Date(row.created_at)
  return {
    user: {
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role,
      tier: row.tier,
      createdAt: createdAt.toISOString(),
    } satisfies User,
    revoked: row.revoked,
    tokensValidAfter: row.tokens_valid_after === null ? null : new Date(row.tokens_valid_after),
  }
}

export async function revokeToken(db: Executor, jti: string, userId: string, expiresAt: Date): Promise<void> {
  await db.insert(revokedTokens).values({ jti, userId, expiresAt }).onConflictDoNothing()
}

/** Drop revocations whose tokens have expired anyway. */
export async function pruneRevokedTokens(db: Executor, now = new Date()): Promise<number> {
  const deleted = await db
    .delete(revokedTokens)
    .where(sql`${revokedTokens.expiresAt} < ${now}`)
    .returning({ jti: revokedTokens.jti })
  return deleted.length
}

/** Replace a user's password hash. Returns false when the user does not exist. */
/** Set a new password hash; `tokensValidAfter` also ends every session issued before that instant. */
export async function setPasswordHash(
  db: Executor,
  id: string,
  passwordHash: string,
  tokensValidAfter?: Date,
): Promise<boolean> {
  const updated = await db
    .update(users)
    .set({ passwordHash, updatedAt: new Date(), ...(tokensValidAfter ? { tokensValidAfter } : {}) })
    .where(eq(users.id, id))
    .returning({ id: users.id })
  return updated.length > 0
}

export async function listUsers(db: Executor, options: { limit: number; offset: number; q?: string | undefined }) {
  const where = options.q ? ilike(users.email, `%${options.q.replace(/[%_\\]/g, '\\$&')}%`) : undefined
  const [list, total] = await Promise.all([
    db.select().from(users).where(where).orderBy(users.createdAt, users.id).limit(options.limit).offset(options.offset),
    db.select({ n: count() }).from(users).where(where),
  ])
  return { users: list.map(toUser), total: Number(total[0]?.n ?? 0) }
}

export async function updateUserPrivileges(
  db: Executor,
  id: string,
  patch: { role?: Role | undefined; tier?: Tier | undefined },
) {
  const [row] = await db
    .update(users)
    .set({
      ...(patch.role ? { role: patch.role } : {}),
      ...(patch.tier ? { tier: patch.tier } : {}),
      updatedAt: new Date(),
    })
    .where(and(eq(users.id, id)))
    .returning()
  return row
}
