import { sql } from 'drizzle-orm'
import { rows, type Executor } from '../db.ts'

/**
 * A user's data across every table that holds it, found from the catalogue (every table with a
 * `user_id` column), so a table added later is exported and deleted without touching this file.
 * Secrets (password hash, API key hashes) never leave the database.
 */

const SECRET_COLUMNS: Record<string, string[]> = { users: ['password_hash'], api_keys: ['key_hash'] }
const IDENT = /^[a-z_][a-z0-9_]*$/

async function userTables(tx: Executor): Promise<string[]> {
  const list = await rows<{ table_name: string }>(
    tx,
    sql`select c.table_name from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
        where c.table_schema = 'public' and c.column_name = 'user_id' and t.table_type = 'BASE TABLE' order by c.table_name`,
  )
  return list.map((r) => r.table_name).filter((t) => IDENT.test(t))
}

function strip(table: string, row: Record<string, unknown>): Record<string, unknown> {
  const secret = SECRET_COLUMNS[table]
  if (!secret) return row
  return Object.fromEntries(Object.entries(row).filter(([k]) => !secret.includes(k)))
}

/** Everything of one user, table by table. Run as the owner (RLS hides some of their own rows, e.g. `ai_log`). */
export async function exportUserData(
  tx: Executor,
  userId: string,
): Promise<Record<string, Array<Record<string, unknown>>>> {
  const out: Record<string, Array<Record<string, unknown>>> = {}
  out.users = (await rows<Record<string, unknown>>(tx, sql`select * from users where id = ${userId}`)).map((r) =>
    strip('users', r),
  )
  for (const table of await userTables(tx)) {
    out[table] = (
      await rows<Record<string, unknown>>(tx, sql`select * from ${sql.identifier(table)} where user_id = ${userId}`)
    ).map((r) => strip(table, r))
  }
  out.admin_audit_log = await rows<Record<string, unknown>>(
    tx,
    sql`select * from admin_audit_log where actor_id = ${userId} or target = ${userId} order by id`,
  )
  return out
}

/** Delete everything of one user (tables that keep rows on user deletion included). Returns rows deleted per table. */
export async function deleteUserData(tx: Executor, userId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  const keys = await rows<{ id: string }>(tx, sql`select id from api_keys where user_id = ${userId}`)
  if (keys.length > 0) {
    const [r] = await rows<{ n: string }>(
      tx,
      sql`with d as (delete from ai_log where api_key_id in (${sql.join(
        keys.map((k) => sql`${k.id}::uuid`),
        sql`, `,
      )}) returning 1) select count(*) as n from d`,
    )
    counts.ai_log_by_api_key = Number(r?.n ?? 0)
  }
  for (const table of await userTables(tx)) {
    const [r] = await rows<{ n: string }>(
      tx,
      sql`with d as (delete from ${sql.identifier(table)} where user_id = ${userId} returning 1) select count(*) as n from d`,
    )
    counts[table] = Number(r?.n ?? 0)
  }
  const [u] = await rows<{ n: string }>(
    tx,
    sql`with d as (delete from users where id = ${userId} returning 1) select count(*) as n from d`,
  )
  counts.users = Number(u?.n ?? 0)
  return counts
}
