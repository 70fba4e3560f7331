import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { createQueue, type Queue } from '../../../src/queue/queue.ts'
import { createTestDatabase, describeBackends, type TestDatabase } from '../../helpers/backends.ts'

/**
 * Issue 17, class 6: queue options (TASK_TIMEOUT_SECONDS, TASK_RETRY_LIMIT, …) take effect on a
 * restart even though pg-boss's queue exists already from an earlier start.
 */
describeBackends('queue options reconciled at start-up', (backend) => {
  let database: TestDatabase
  const queues: Queue[] = []
  beforeAll(async () => {
    database = await createTestDatabase(backend)
  })
  afterAll(async () => {
    for (const q of queues.reverse()) await q.stop(1_000)
    await database?.drop()
  })

  const start = async (options: { retryLimit: number; expireInSeconds: number; retryDelaySeconds: number }) => {
    const queue = createQueue({ db: database.db, logger: pino({ level: 'silent' }) })
    queues.push(queue)
    queue.register('options_test', z.object({}), async () => ({}), options)
    await queue.ready('options_test')
    return (await queue.boss()).getQueue('options_test')
  }

  it('updates an existing queue to the options of this start', async () => {
    const first = await start({ retryLimit: 1, expireInSeconds: 300, retryDelaySeconds: 2 })
    expect(first).toMatchObject({ retryLimit: 1, expireInSeconds: 300, retryDelay: 2 })
    // A later start (a restart with other TASK_* settings) on the same database.
    const second = await start({ retryLimit: 5, expireInSeconds: 77, retryDelaySeconds: 9 })
    expect(second).toMatchObject({ retryLimit: 5, expireInSeconds: 77, retryDelay: 9 })
  })
})
