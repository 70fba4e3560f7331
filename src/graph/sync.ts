import type { Logger } from 'pino'
import { z } from 'zod'
import type { Database } from '../data/db.ts'
import * as repo from '../data/repositories/graph.ts'
import { SCORE_AREAS } from '../domain/growth/scores.ts'
import type { EventHub } from '../events/hub.ts'
import type { Queue } from '../queue/queue.ts'
import { normalizeBand, type BusinessSnapshot, type GraphStore } from './store.ts'

/**
 * Keeping the graph in step with SQL (the truth). `assessment.completed` and `profile.updated`
 * events queue a `graph_sync` job per business (stately queue, singleton key = business: at most one
 * waiting and one running, so a burst of events is one write). The job reads the business's current
 * profile from SQL and writes all of it (idempotent: running it twice changes nothing). A graph that
 * is down fails the job, not the submission: retries with backoff, then the dead-letter queue, and
 * `optimaliq graph backfill` rebuilds everything.
 */

export const GRAPH_SYNC_JOB = 'graph_sync'
const BATCH = 500

const GROWTH_AREAS = new Set(['strategy', 'process', 'technology'])
const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** A profile row as the graph's business and its current scores (growth areas dated by the growth assessment). */
export function snapshotOf(row: repo.GraphSourceRow): BusinessSnapshot {
  const fields = row as unknown as Record<string, unknown>
  const scores: BusinessSnapshot['scores'] = []
  for (const area of SCORE_AREAS) {
    const score = fields[`${camel(area)}Score`]
    if (typeof score !== 'number' || !Number.isFinite(score)) continue
    const taken = fields[GROWTH_AREAS.has(area) ? 'growthLastTaken' : `${camel(area)}LastTaken`]
    scores.push({ assessment: area, score, takenAt: taken instanceof Date ? taken : row.updatedAt })
  }
  return {
    business: {
      id: row.userId,
      industry: normalizeBand(row.industry),
      sizeBand: normalizeBand(row.companySize),
      revenueBand: normalizeBand(row.revenueRange),
      // Profiles have no region field yet.
      region: null,
      demo: false,
      overall: row.overallScore ?? null,
    },
    scores,
  }
}

export type DriftReport = {
  checked: number
  inSync: number
  missing: number
  mismatched: number
  extra: number
  examples: Array<{ id: string; problem: 'missing' | 'mismatched' | 'extra' }>
}

export type GraphSync = ReturnType<typeof createGraphSync>

export function createGraphSync(deps: { db: Database; store: GraphStore; logger: Pick<Logger, 'info' | 'warn'> }) {
  const { db, store } = deps

  /** Write these businesses' current state from SQL; ids without a profile are removed from the graph. */
  async function syncIds(ids: readonly string[]): Promise<{ synced: number; removed: number }> {
    let synced = 0
    let removed = 0
    for (let i = 0; i < ids.length; i += BATCH) {
      const page = ids.slice(i, i + BATCH)
      const sources = await repo.loadGraphSources(db.orm, page)
      const found = new Set(sources.map((s) => s.userId))
      const gone = page.filter((id) => !found.has(id))
      await store.syncBusinesses(sources.map(snapshotOf))
      for (const id of gone) await store.removeBusiness(id)
      await repo.markGraphSynced(
        db.orm,
        sources.map((s) => ({ id: s.userId, sourceUpdatedAt: s.updatedAt })),
      )
      await repo.forgetGraphSynced(db.orm, gone)
      synced += sources.length
      removed += gone.length
    }
    return { synced, removed }
  }

  return {
    syncIds,

    /** Rebuild the real cohort from SQL: every profile written, graph businesses without one removed. Demo businesses stay. */
    async backfill(
      options: { onProgress?: (done: number) => void } = {},
    ): Promise<{ synced: number; removed: number }> {
      let synced = 0
      let after: string | undefined
      for (;;) {
        const ids = await repo.listProfileIds(db.orm, after, BATCH)
        if (ids.length === 0) break
        synced += (await syncIds(ids)).synced
        options.onProgress?.(synced)
        after = ids.at(-1)
      }
      let removed = 0
      after = undefined
      for (;;) {
        const ids = await store.listIds({ after, limit: BATCH })
        if (ids.length === 0) break
        after = ids.at(-1)
        const real = (await store.digest(ids)).filter((b) => !b.demo).map((b) => b.id)
        const present = new Set((await repo.loadGraphSources(db.orm, real)).map((s) => s.userId))
        for (const id of real.filter((x) => !present.has(x))) {
          await store.removeBusiness(id)
          removed += 1
        }
      }
      return { synced, removed }
    },

    /** Compare the graph with SQL, business by business. */
    async check(options: { maxExamples?: number } = {}): Promise<DriftReport> {
      const report: DriftReport = { checked: 0, inSync: 0, missing: 0, mismatched: 0, extra: 0, examples: [] }
      const note = (id: string, problem: DriftReport['examples'][number]['problem']) => {
        report[problem] += 1
        if (report.examples.length < (options.maxExamples ?? 10)) report.examples.push({ id, problem })
      }
      let after: string | undefined
      for (;;) {
        const ids = await repo.listProfileIds(db.orm, after, BATCH)
        if (ids.length === 0) break
        after = ids.at(-1)
        const sources = (await repo.loadGraphSources(db.orm, ids)).map(snapshotOf)
        const graph = new Map((await store.digest(ids)).map((d) => [d.id, d]))
        for (const s of sources) {
          report.checked += 1
          const g = graph.get(s.business.id)
          if (!g) note(s.business.id, 'missing')
          else {
            const want = Object.fromEntries(s.scores.map((x) => [x.assessment, x.score]))
            const same =
              g.industry === s.business.industry &&
              g.sizeBand === s.business.sizeBand &&
              !g.demo &&
              JSON.stringify(sortKeys(g.scores)) === JSON.stringify(sortKeys(want))
            if (same) report.inSync += 1
            else note(s.business.id, 'mismatched')
          }
        }
      }
      after = undefined
      for (;;) {
        const ids = await store.listIds({ after, limit: BATCH })
        if (ids.length === 0) break
        after = ids.at(-1)
        const real = (await store.digest(ids)).filter((b) => !b.demo).map((b) => b.id)
        const present = new Set((await repo.loadGraphSources(db.orm, real)).map((s) => s.userId))
        for (const id of real) if (!present.has(id)) note(id, 'extra')
      }
      return report
    },

    /** Profiles the graph has not caught up with. */
    lag: () => repo.graphSyncLag(db.orm),
  }
}

function sortKeys(record: Record<string, number>) {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

const syncPayload = z.object({ businessId: z.uuid() })

/**
 * Runs the `syncIds` calls that arrive in the same turn of the event loop as one call: the queue hands a
 * worker a batch of jobs (100 for this job) and runs them together, so a burst of events costs
 * one read of the profiles and one graph transaction per batch instead of per business. Every caller of a
 * batch shares its outcome: if the write fails, each of its jobs fails and is retried (the sync is idempotent).
 */
export function coalesceSyncs(
  syncIds: GraphSync['syncIds'],
): (id: string) => Promise<{ synced: number; removed: number }> {
  let pending: { ids: Set<string>; done: Promise<{ synced: number; removed: number }> } | undefined
  return (id) => {
    if (!pending) {
      const batch = {
        ids: new Set<string>(),
        done: undefined as unknown as Promise<{ synced: number; removed: number }>,
      }
      batch.done = new Promise((resolve, reject) =>
        setImmediate(() => {
          if (pending === batch) pending = undefined
          syncIds([...batch.ids]).then(resolve, reject)
        }),
      )
      pending = batch
    }
    pending.ids.add(id)
    return pending.done
  }
}

/** The `graph_sync` job: one business per job, deduplicated per business while waiting; a worker's batch of jobs is written together. */
export function registerGraphSyncJob(queue: Queue, sync: GraphSync): void {
  const syncOne = coalesceSyncs(sync.syncIds)
  queue.register(GRAPH_SYNC_JOB, syncPayload, async ({ businessId }) => syncOne(businessId), {
    policy: 'stately',
    // Sync jobs are small and coalesced per batch: a bigger batch is fewer round trips per event.
    batchSize: 100,
    retryLimit: 10,
    retryDelaySeconds: 5,
    retryBackoff: true,
    retryDelayMaxSeconds: 300,
    deadLetter: true,
  })
}

/** Queue a sync for every score or profile change this process sees. Never throws into the event path. */
export function syncGraphOnEvents(
  events: Pick<EventHub, 'subscribe'>,
  queue: Pick<Queue, 'enqueue'>,
  logger: Pick<Logger, 'warn'>,
): () => void {
  const enqueue = async (userId: string | null) => {
    if (!userId) return
    try {
      await queue.enqueue(GRAPH_SYNC_JOB, { businessId: userId }, { singletonKey: userId })
    } catch (error) {
      logger.warn({ err: error, userId }, 'could not queue the graph sync; `optimaliq graph backfill` catches up')
    }
  }
  const offs = [
    events.subscribe('assessment.completed', (e) => enqueue(e.userId)),
    events.subscribe('profile.updated', (e) => enqueue(e.userId)),
  ]
  return () => offs.forEach((off) => off())
}
