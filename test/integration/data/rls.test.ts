import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { rows, type Claims } from '../../../src/data/db.ts'
import { pgErrorMessage } from '../../../src/errors.ts'
import { describeBackends } from '../../helpers/backends.ts'
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts'

/** Row-level security is the second wall: these run raw SQL as optimaliq_app with a user's claims. */
describeBackends('row-level security', (backend) => {
  let t: TestApp
  let a: Claims
  let b: Claims
  let admin: Claims
  beforeAll(async () => {
    t = await startTestApp(backend, { OPTIMALIQ_ADMIN_EMAILS: 'root@example.com' })
    const ua = await signUp(t.app, { industry: 'Retail' })
    const ub = await signUp(t.app, { industry: 'Software' })
    const ad = await signUp(t.app, { email: 'root@example.com' })
    a = { sub: ua.user.id, role: 'user' }
    b = { sub: ub.user.id, role: 'user' }
    admin = { sub: ad.user.id, role: 'admin' }
    await t.container.db.exec(
      `insert into ai_log (request_id, user_id, feature) values ('r1', '${a.sub}', 'growth_insights')`,
    )
  })
  afterAll(() => t?.close())

  const matches = (pattern: RegExp) => (error: unknown) => pattern.test(pgErrorMessage(error) ?? '')
  const as = <T>(claims: Claims, fn: Parameters<TestApp['container']['db']['asUser']>[1]) =>
    t.container.db.asUser(claims, fn) as Promise<T>

  it('runs as the app role with the caller as auth.uid()', async () => {
    const [who] = await as<Array<{ role: string; uid: string }>>(b, (tx) =>
      rows(tx, sql`select current_user as role, auth.uid() as uid`),
    )
    expect(who).toEqual({ role: 'optimaliq_app', uid: b.sub })
  })

  it("hides another user's rows and refuses to change them", async () => {
    const seen = await as<Array<{ id: string }>>(b, (tx) => rows(tx, sql`select id from users`))
    expect(seen.map((r) => r.id)).toEqual([b.sub])
    const profilesSeen = await as<Array<{ user_id: string }>>(b, (tx) => rows(tx, sql`select user_id from profiles`))
    expect(profilesSeen.map((r) => r.user_id)).toEqual([b.sub])
    const updated = await as<Array<{ user_id: string }>>(b, (tx) =>
      rows(tx, sql`update profiles set company_name = 'pwned' where user_id = ${a.sub} returning user_id`),
    )
    expect(updated).toEqual([])
    const [aProfile] = await t.container.db.query<{ company_name: string | null }>(
      'select company_name from profiles where user_id = $1',
      [a.sub],
    )
    expect(aProfile?.company_name).toBeNull()
  })

  it('refuses a user raising their own role or tier, or writing their own scores', async () => {
    await expect(as(b, (tx) => tx.execute(sql`update users set role = 'admin' where id = ${b.sub}`))).rejects.toSatisfy(
      matches(/admin can change/),
    )
    await expect(
      as(b, (tx) => tx.execute(sql`update users set tier = 'enterprise' where id = ${b.sub}`)),
    ).rejects.toSatisfy(matches(/admin can change/))
    await expect(
      as(b, (tx) => tx.execute(sql`update profiles set overall_score = 5 where user_id = ${b.sub}`)),
    ).rejects.toSatisfy(matches(/computed by the server/))
    await expect(
      as(b, (tx) => tx.execute(sql`update profiles set sales_last_taken = now() where user_id = ${b.sub}`)),
    ).rejects.toSatisfy(matches(/computed by the server/))
    // Their own business fields are fine.
    const ok = await as<Array<{ company_name: string }>>(b, (tx) =>
      rows(tx, sql`update profiles set company_name = 'Bee Ltd' where user_id = ${b.sub} returning company_name`),
    )
    expect(ok).toEqual([{ company_name: 'Bee Ltd' }])
  })

  it('keeps ai_log written by the server only and readable by admins only', async () => {
    // Not even their own row (issue 17: a forged negative cost lowered their budget).
    await expect(
      as(b, (tx) =>
        tx.execute(sql`insert into ai_log (request_id, user_id, feature, cost_usd) values ('r2', ${b.sub}, 'x', -100)`),
      ),
    ).rejects.toSatisfy(matches(/permission denied/))
    await expect(
      as(b, (tx) => tx.execute(sql`insert into ai_log (request_id, user_id) values ('r3', ${a.sub})`)),
    ).rejects.toSatisfy(matches(/permission denied/))
    await expect(
      as(admin, (tx) => tx.execute(sql`insert into ai_log (request_id, user_id) values ('r4', ${admin.sub})`)),
    ).rejects.toSatisfy(matches(/permission denied/))
    // The server's own role: a negative cost is refused by the check, a real one is kept.
    await expect(
      t.container.db.exec(`insert into ai_log (request_id, user_id, cost_usd) values ('r5', '${b.sub}', -1)`),
    ).rejects.toSatisfy(matches(/ai_log_cost_usd_nonnegative/))
    await t.container.db.exec(
      `insert into ai_log (request_id, user_id, feature, cost_usd) values ('r2', '${b.sub}', 'x', 0.5)`,
    )
    expect(await as<unknown[]>(b, (tx) => rows(tx, sql`select * from ai_log`))).toEqual([])
    await expect(as(b, (tx) => tx.execute(sql`update ai_log set feature = 'y'`))).rejects.toSatisfy(
      matches(/permission denied/),
    )
    await expect(as(b, (tx) => tx.execute(sql`delete from ai_log`))).rejects.toSatisfy(matches(/permission denied/))
    const all = await as<Array<{ request_id: string }>>(admin, (tx) =>
      rows(tx, sql`select request_id from ai_log order by request_id`),
    )
    expect(all.map((r) => r.request_id)).toEqual(['r1', 'r2'])
  })

  it('lets admins see every user and change a tier', async () => {
    const seen = await as<Array<{ n: number }>>(admin, (tx) => rows(tx, sql`select count(*)::int as n from users`))
    expect(seen[0]?.n).toBe(3)
    await as(admin, (tx) => tx.execute(sql`update users set tier = 'premium' where id = ${a.sub}`))
    const [row] = await t.container.db.query<{ tier: string }>('select tier from users where id = $1', [a.sub])
    expect(row?.tier).toBe('premium')
  })

  it('sees nothing without claims', async () => {
    const none = await t.container.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', 'optimaliq_app', true)`)
      return rows(tx, sql`select id from users`)
    })
    expect(none).toEqual([])
  })
})
