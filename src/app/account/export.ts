import type { Database } from '../../data/db.ts'
import { exportUserData } from '../../data/repositories/personal-data.ts'

/** Everything of a user's, table by table, as plain JSON values. */
export async function exportMyData(db: Database, userId: string) {
  // As the owner: some of a user's rows (ai_log) are not readable to them under RLS.
  const tables = await db.transaction((tx) => exportUserData(tx, userId))
  return {
    exportedAt: new Date().toISOString(),
    userId,
    tables: JSON.parse(JSON.stringify(tables)) as Record<string, Array<Record<string, unknown>>>,
  }
}
