import { sql } from 'drizzle-orm'
import pg from 'pg'
import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createUser } from '../../../src/data/repositories/users.ts'
import { createEventHub, type EventHub } from '../../../src/events/hub.ts'
import {
  InvalidEventError,
  appendEvents,
  publish,
  writeRowsWithEvents,
  writeWithEvents,
} from '../../../src/data/repositories/events.ts'
import type { StoredEvent } from '../../../src/contracts/events.ts'
import { createTestDatabase, describeBackends, type TestDatabase } from '../../helpers/backends.ts'
import { eventually } from '../../helpers/sse.ts'

const logger = pino({ level: 'silent' })

describeBackends('events log, hub and LISTEN client', (backend) => {
  let database: TestDatabase
  let hub: EventHub
  let userId: string
  const seen: StoredEvent[] = []

  beforeAll(async () => {
    database = await createTestDatabase(backend)
    const user = await createUser(database.db.orm, {
      email: `events.${Date.now()}@example.com`,
      passwordHash: null,
      role: 'user',
    })
    userId = user.id
    hub = createEventHub({ db: database.db, logger, heartbeatMs: 200 })
    await hub.start()
    hub.subscribe('*', (event) => void seen.push(event))
  })
  afterAll(async () => {
    await hub.stop()
    await database.drop()
  })

  const profileEvent = (n: number) => ({ type: 'profile.updated' as const, userId, payload: { fields: [`f${n}`] } })
  const count = async () => Number((await database.db.query<{ n: string }>('select count(*) as n from events'))[0]!.n)

  it('writes an event only when its transaction commits', async () => {
    const before = await count()
    await expect(
      database.db.transaction(async (tx) => {
        await publish(tx, profileEvent(0))
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    expect(await count()).toBe(before)
    const id = await database.db.transaction((tx) => publish(tx, profileEvent(1)))
    expect(await count()).toBe(before + 1)
    const event = await eventually(() => seen.find((e) => e.id === id), 10_000, 'the committed event')
    expect(event).toMatchObject({ type: 'profile.updated', userId, audience: 'user', payload: { fields: ['f1'] } })
    expect(seen.filter((e) => e.payload.fields && (e.payload.fields as string[])[0] === 'f0')).toHaveLength(0)
  })

  it('runs each handler once per event and isolates a failing handler', async () => {
    const calls: number[] = []
    const offBad = hub.subscribe('profile.updated', () => {
      throw new Error('handler bug')
    })
    const offGood = hub.subscribe('profile.updated', (event) => void calls.push(event.id))
    const ids: number[] = []
    for (let i = 0; i < 5; i++) ids.push(await database.db.transaction((tx) => publish(tx, profileEvent(10 + i))))
    await eventually(() => calls.length >= 5, 10_000, 'five handler calls')
    await hub.poll()
    expect(calls).toEqual(ids)
    offBad()
    offGood()
  })

  it('rejects a payload that does not match the catalogue', async () => {
    await expect(
      database.db.transaction((tx) =>
        publish(tx, { type: 'profile.updated', userId, payload: { fields: 'nope' } as never }),
      ),
    ).rejects.toThrow()
  })

  it('refuses an invalid payload or an unknown type on every write path, before anything is written', async () => {
    const before = await count()
    const companyName = async () =>
      (
        await database.db.query<{ company_name: string | null }>(
          'select company_name from profiles where user_id = $1',
          [userId],
        )
      )[0]?.company_name
    const nameBefore = await companyName()
    const bad = {
      type: 'task.updated' as const,
      userId,
      payload: { taskId: 'not-a-uuid', type: 'x', status: 'done' } as never,
    }
    await expect(appendEvents(database.db.orm, [profileEvent(400), bad])).rejects.toMatchObject({
      code: 'invalid_event',
      details: { type: 'task.updated' },
    })
    const rename = sql`update profiles set company_name = 'renamed by a refused write' where user_id = ${userId} returning user_id`
    await expect(writeWithEvents(database.db.orm, rename, [bad])).rejects.toBeInstanceOf(InvalidEventError)
    await expect(writeRowsWithEvents(database.db.orm, rename, [bad], { returning: 'write' })).rejects.toBeInstanceOf(
      InvalidEventError,
    )
    await expect(
      database.db.transaction((tx) => publish(tx, { type: 'no.such.event' as never, userId, payload: {} as never })),
    ).rejects.toThrow(/no\.such\.event refused: type: unknown event type/)
    expect(await count()).toBe(before)
    expect(await companyName()).toBe(nameBefore)
  })

  it('appends events with a write in one statement, gated on the write when asked', async () => {
    const touch = (name: string) =>
      sql`update profiles set company_name = ${name} where user_id = ${userId} returning user_id`
    const nobody = sql`update profiles set company_name = 'x' where user_id = ${'00000000-0000-4000-8000-000000000000'} returning user_id`
    const ids = await writeWithEvents(database.db.orm, touch('Acme'), [profileEvent(500), profileEvent(501)], {
      onlyIf: 'write',
    })
    expect(ids).toHaveLength(2)
    expect(ids[1]).toBeGreaterThan(ids[0]!)
    expect(await writeWithEvents(database.db.orm, nobody, [profileEvent(502)], { onlyIf: 'write' })).toEqual([])
    const returned = await writeRowsWithEvents<{ user_id: string }>(
      database.db.orm,
      touch('Acme 2'),
      [profileEvent(503)],
      {
        returning: 'write',
      },
    )
    expect(returned.rows).toEqual([{ user_id: userId }])
    expect(returned.eventIds).toHaveLength(1)
    expect(await writeRowsWithEvents(database.db.orm, nobody, [profileEvent(504)], { returning: 'write' })).toEqual({
      rows: [],
      eventIds: [],
    })
    const delivered = [...ids, ...returned.eventIds]
    await eventually(() => delivered.every((id) => seen.some((e) => e.id === id)), 10_000, 'the written events')
    const fields = seen.map((e) => (e.payload.fields as string[] | undefined)?.[0])
    expect(fields).not.toContain('f502')
    expect(fields).not.toContain('f504')
  })

  it('deletes events past the retention period', async () => {
    const id = await database.db.transaction((tx) => publish(tx, profileEvent(99)))
    await database.db.exec(`update events set created_at = now() - interval '8 days' where id = ${id}`)
    expect(await hub.purgeExpired()).toBeGreaterThanOrEqual(1)
    expect(await database.db.query('select id from events where id = $1', [id])).toHaveLength(0)
  })

  if (backend === 'postgres') {
    it('reconnects after pg_terminate_backend on the LISTEN connection and loses no event', async () => {
      await eventually(() => hub.listener.connected, 10_000, 'listener connected')
      const pid = hub.listener.backendPid
      expect(pid).toBeTypeOf('number')
      const admin = new pg.Client({ connectionString: database.url })
      await admin.connect()
      try {
        await admin.query('select pg_terminate_backend($1)', [pid])
        // Published while the listener is down: only the catch-up read after reconnecting can find them.
        const ids: number[] = []
        for (let i = 0; i < 3; i++) ids.push(await database.db.transaction((tx) => publish(tx, profileEvent(200 + i))))
        await eventually(
          () => hub.listener.connected && hub.listener.backendPid !== pid,
          15_000,
          'a new LISTEN connection',
        )
        await eventually(
          () => ids.every((id) => seen.some((e) => e.id === id)),
          15_000,
          'events published during the outage',
        )
        expect(seen.filter((e) => ids.includes(e.id)).map((e) => e.id)).toEqual(ids)
      } finally {
        await admin.end()
      }
    })

    it('delivers an event whose transaction commits after a later id was read', async () => {
      const client = new pg.Client({ connectionString: database.url })
      await client.connect()
      try {
        await client.query('begin')
        const early = await client.query<{ id: string }>(
          `insert into events (type, user_id, audience, payload) values ('profile.updated', $1, 'user', '{"fields":["early"]}') returning id`,
          [userId],
        )
        const earlyId = Number(early.rows[0]!.id)
        const lateId = await database.db.transaction((tx) => publish(tx, profileEvent(300)))
        expect(lateId).toBeGreaterThan(earlyId)
        await eventually(() => seen.some((e) => e.id === lateId), 10_000, 'the later id')
        await client.query(`select pg_notify('optimaliq_events', $1)`, [String(earlyId)])
        await client.query('commit')
        await eventually(() => seen.some((e) => e.id === earlyId), 10_000, 'the earlier id, committed late')
        expect(seen.filter((e) => e.id === earlyId)).toHaveLength(1)
      } finally {
        await client.end()
      }
    })
  }

  it('sees events committed through the ORM', async () => {
    const id = await database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`)
      return publish(tx, { type: 'dashboard.updated', userId, payload: { provider: 'rules' } })
    })
    await eventually(() => seen.some((e) => e.id === id), 10_000, 'dashboard event')
  })
})
