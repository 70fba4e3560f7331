import { sql } from 'drizzle-orm'
import { rows, type Executor } from '../db.ts'

/** A route stored by an admin (`ai_routes`): its definition as the admin API validated it. */
export type StoredRoute = {
  name: string
  definition: Record<string, unknown>
  updatedBy: string | null
  updatedAt: string
}

type Raw = { name: string; definition: Record<string, unknown>; updated_by: string | null; updated_at: Date | string }

const toRoute = (r: Raw): StoredRoute => ({
  name: r.name,
  definition: r.definition,
  updatedBy: r.updated_by,
  updatedAt: new Date(r.updated_at).toISOString(),
})

/** Every stored route, by name. */
export async function listStoredRoutes(db: Executor): Promise<StoredRoute[]> {
  return (await rows<Raw>(db, sql`select name, definition, updated_by, updated_at from ai_routes order by name`)).map(
    toRoute,
  )
}

export async function getStoredRoute(tx: Executor, name: string): Promise<StoredRoute | undefined> {
  const [r] = await rows<Raw>(
    tx,
    sql`select name, definition, updated_by, updated_at from ai_routes where name = ${name}`,
  )
  return r ? toRoute(r) : undefined
}

/** Insert or replace a route's definition. */
export async function putStoredRoute(
  tx: Executor,
  input: { name: string; definition: Record<string, unknown>; updatedBy: string },
): Promise<StoredRoute> {
  const [r] = await rows<Raw>(
    tx,
    sql`insert into ai_routes (name, definition, updated_by, updated_at)
      values (${input.name}, ${JSON.stringify(input.definition)}::jsonb, ${input.updatedBy}, now())
      on conflict (name) do update set definition = excluded.definition, updated_by = excluded.updated_by, updated_at = now()
      returning name, definition, updated_by, updated_at`,
  )
  return toRoute(r as Raw)
}

/** Delete a stored route; false when there was none. */
export async function deleteStoredRoute(tx: Executor, name: string): Promise<StoredRoute | undefined> {
  const [r] = await rows<Raw>(
    tx,
    sql`delete from ai_routes where name = ${name} returning name, definition, updated_by, updated_at`,
  )
  return r ? toRoute(r) : undefined
}
