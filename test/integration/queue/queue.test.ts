import { sql } from 'drizzle-orm'
import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { ValidationError } from '../../../src/errors.ts'
import { createQueue, type Queue } from '../../../src/queue/queue.ts'
import { createTestDatabase, describeBackends, type TestDatabase } from '../../helpers/backends.ts'
import { eventually } from '../../helpers/sse.ts'

describeBackends('queue API over pg-boss', (backend) => {
  let database: TestDatabase
  let queue: Queue
  const ran: Array<{ name: string; n: number; attempt: number }> = []

  beforeAll(async () => {
    database = await createTestDatabase(backend)
    queue = createQueue({ db: database.db, logger: pino({ level: 'silent' }), batchSize: 1, concurrency: 1 })
    const record = (name: string) => async (payload: { n: number }, job: { attempt: number }) =>
      void ran.push({ name, n: payload.n, attempt: job.attempt })
    queue.register('test.ordered', z.object({ n: z.number() }), record('ordered'))
    queue.register('test.unique', z.object({ n: z.number() }), record('unique'), { policy: 'exclusive' })
    queue.register('test.tx', z.object({ n: z.number() }), record('tx'))
  })
  afterAll(async () => {
    await queue.stop(2_000)
    await database.drop()
  })

  it('validates the payload before storing a job', async () => {
    await expect(queue.enqueue('test.ordered', { n: 'one' })).rejects.toBeInstanceOf(ValidationError)
    await expect(queue.enqueue('test.nope', {})).rejects.toThrow('not registered')
  })

  it('refuses a duplicate singleton key on an exclusive queue', async () => {
    const first = await queue.enqueue('test.unique', { n: 1 }, { singletonKey: 'k1' })
    const duplicate = await queue.enqueue('test.unique', { n: 2 }, { singletonKey: 'k1' })
    const other = await queue.enqueue('test.unique', { n: 3 }, { singletonKey: 'k2' })
    expect(first).toBeTypeOf('string')
    expect(duplicate).toBeNull()
    expect(other).toBeTypeOf('string')
  })

  it('stores a job enqueued in a transaction only if it commits', async () => {
    await queue.ready('test.tx')
    await expect(
      database.db.transaction(async (tx) => {
        await queue.enqueue('test.tx', { n: 1 }, { tx })
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`)
      await queue.enqueue('test.tx', { n: 2 }, { tx })
    })
  })

  it('runs queued jobs by priority once workers start, each once', async () => {
    await queue.enqueue('test.ordered', { n: 1 }, { priority: 0 })
    await queue.enqueue('test.ordered', { n: 2 }, { priority: 10 })
    await queue.enqueue('test.ordered', { n: 3 }, { priority: 5 })
    await queue.startWorkers()
    await eventually(
      () =>
        ran.filter((r) => r.name === 'ordered').length === 3 &&
        ran.filter((r) => r.name === 'unique').length === 2 &&
        ran.some((r) => r.name === 'tx'),
      20_000,
      'all jobs',
    )
    expect(ran.filter((r) => r.name === 'ordered').map((r) => r.n)).toEqual([2, 3, 1])
    expect(
      ran
        .filter((r) => r.name === 'unique')
        .map((r) => r.n)
        .sort(),
    ).toEqual([1, 3])
    expect(ran.filter((r) => r.name === 'tx').map((r) => r.n)).toEqual([2])
    expect(ran.every((r) => r.attempt === 1)).toBe(true)
  })

  it('picks up a job enqueued while the worker is idle', async () => {
    await queue.enqueue('test.ordered', { n: 4 })
    await eventually(() => ran.some((r) => r.name === 'ordered' && r.n === 4), 10_000, 'pickup')
  })
})
