import type { Logger } from 'pino'
import { queuedJobCounts } from '../../data/repositories/tasks.ts'
import { z } from 'zod'
import type { Database } from '../../data/db.ts'
import type { Queue } from '../../queue/queue.ts'
import type { RealtimeHub } from '../../realtime/hub.ts'
import type { Governance } from '../../governance/create-governance.ts'

/**
 * Governance's periodic work on the shared queue, with no timers in any process: each job carries
 * its time slot; the run for slot N first enqueues slot N+1 (startAfter its start time, singleton
 * key per slot, so several processes scheduling the same slot make one job), then does the work.
 * Every worker start enqueues the next slot, so a broken chain heals on the next start.
 */
const slotPayload = z.object({ slot: z.number().int().nonnegative() })

const slotOf = (everySeconds: number, at: number) => Math.floor(at / 1000 / everySeconds)

export function registerGovernanceJobs(queue: Queue, governance: Governance, logger: Logger): void {
  for (const job of governance.jobs) {
    queue.register(
      job.name,
      slotPayload,
      async ({ slot }) => {
        // After downtime, skip the missed slots rather than running them all back to back.
        await enqueueSlot(queue, job.name, job.everySeconds, Math.max(slot, slotOf(job.everySeconds, Date.now())) + 1)
        const result = await job.run()
        logger.debug({ job: job.name, slot, result }, 'governance job done')
        return { slot }
      },
      {
        policy: 'exclusive',
        retryLimit: 1,
        deadLetter: false,
        expireInSeconds: Math.min(3_600, Math.max(60, job.everySeconds * 2)),
      },
    )
  }
}

async function enqueueSlot(queue: Queue, name: string, everySeconds: number, slot: number) {
  return queue.enqueue(
    name,
    { slot },
    { singletonKey: `${name}:${slot}`, startAfter: new Date(slot * everySeconds * 1000) },
  )
}

/** Make sure the next run of every governance job is queued (call where workers start). */
export async function scheduleGovernanceJobs(
  queue: Queue,
  governance: Governance,
  now = Date.now(),
): Promise<Array<string | null>> {
  return Promise.all(
    governance.jobs.map((job) => enqueueSlot(queue, job.name, job.everySeconds, slotOf(job.everySeconds, now) + 1)),
  )
}

/** Gauges read at scrape time: jobs waiting in pg-boss (without starting it) and open SSE streams. */
export function registerQueueAndStreamGauges(
  governance: Governance,
  deps: { db: Database; realtime: RealtimeHub },
): void {
  governance.metrics.onCollect('queue_depth', async () => {
    const list = await queuedJobCounts(deps.db)
    return list.map((r) => ({ labels: { name: r.name }, value: r.count }))
  })
  governance.metrics.onCollect('sse_clients', () => deps.realtime.size)
}
