import { afterAll, expect, it } from 'vitest'
import { migrate, pendingMigrations, loadMigrations } from '../../../src/data/migrate.ts'
import { openDatabase } from '../../../src/data/db.ts'
import { createTestDatabase, describeBackends, type TestDatabase } from '../../helpers/backends.ts'

describeBackends('migrations', (backend) => {
  const created: TestDatabase[] = []
  afterAll(async () => {
    for (const d of created) await d.drop()
  })

  it('apply to an empty database and re-apply as a no-op', async () => {
    const t = await createTestDatabase(backend, { migrate: false })
    created.push(t)
    const all = (await loadMigrations()).map((m) => m.tag)
    expect(await pendingMigrations(t.db)).toEqual(all)
    expect(await migrate(t.db)).toEqual({ applied: all, alreadyApplied: 0 })
    expect(await migrate(t.db)).toEqual({ applied: [], alreadyApplied: all.length })
    expect(await pendingMigrations(t.db)).toEqual([])
    const tables = await t.db.query<{ tablename: string }>(
      "select tablename from pg_tables where schemaname = 'public' order by 1",
    )
    expect(tables.map((r) => r.tablename)).toEqual(
      expect.arrayContaining(['users', 'profiles', 'ai_log', 'events', 'assessment_submissions']),
    )
  })

  if (backend === 'postgres') {
    it('run once when several processes start together', async () => {
      const t = await createTestDatabase(backend, { migrate: false })
      created.push(t)
      const others = await Promise.all(
        [1, 2, 3].map(() => openDatabase({ kind: 'postgres', url: t.url!, poolSize: 2 })),
      )
      try {
        const results = await Promise.all([t.db, ...others].map((db) => migrate(db)))
        const all = (await loadMigrations()).length
        expect(results.filter((r) => r.applied.length === all)).toHaveLength(1)
        expect(results.filter((r) => r.applied.length === 0)).toHaveLength(3)
      } finally {
        await Promise.all(others.map((db) => db.close()))
      }
    })
  }
})
