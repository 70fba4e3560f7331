import type { Database } from '../../data/db.ts'
import * as repo from '../../data/repositories/graph.ts'
import * as similarRepo from '../../data/repositories/graph-similar.ts'
import { analyticsFrom, benchmarksFrom, recommendationsFrom } from '../shared.ts'
import { similarFrom, type SimilarPrimitives } from '../similar.ts'
import { MIN_GROUP, STRENGTH_AT, WEAKNESS_AT, type BusinessDigest, type GraphStore } from '../store.ts'

/** The GraphStore on PostgreSQL or PGlite (the embedded default): tables from migrations 0006 and 0012, SQL in data/repositories/graph.ts. */
export function createSqlGraphStore(options: { db: Database }): GraphStore {
  const { db } = options
  const orm = db.orm

  async function digestOf(ids: readonly string[]): Promise<BusinessDigest[]> {
    const list = await repo.listGraphBusinesses(orm, ids)
    return list.map((b) => ({
      id: b.id,
      industry: b.industry,
      sizeBand: b.sizeBand,
      demo: b.demo,
      scores: Object.fromEntries(b.scores.map((s) => [s.assessment, s.score])),
    }))
  }
  const similar: SimilarPrimitives = {
    subject: (id) => similarRepo.getKeyedBusiness(orm, id),
    nearest: (query) => similarRepo.nearestByScoreKey(orm, query),
  }

  const store: GraphStore = {
    kind: 'sql',
    async init() {
      // The tables come with the migrations.
    },
    async upsertBusiness(business) {
      await repo.upsertGraphBusinesses(orm, [business])
    },
    async recordScore(score) {
      await db.transaction((tx) => repo.recordGraphScore(tx, score))
    },
    async syncBusinesses(snapshots) {
      if (snapshots.length === 0) return
      await db.transaction(async (tx) => {
        await repo.upsertGraphBusinesses(
          tx,
          snapshots.map((s) => s.business),
        )
        await repo.replaceGraphScores(
          tx,
          snapshots.map((s) => s.business.id),
          snapshots.flatMap((s) => s.scores.map((x) => ({ businessId: s.business.id, ...x }))),
        )
      })
    },
    async removeBusiness(id) {
      await repo.deleteGraphBusiness(orm, id)
    },
    async removeAll(opts = {}) {
      await repo.deleteGraphBusinesses(orm, opts.demo)
    },
    similarBusinesses: (id, opts) => similarFrom(similar, id, opts),
    recommendedAssessments: (id, opts) => recommendationsFrom(store, id, opts),
    async benchmarks(id, opts) {
      const me = await repo.getGraphBusiness(orm, id)
      const profile = me
        ? {
            industry: me.industry,
            sizeBand: me.sizeBand,
            overall: me.overall,
            scores: Object.fromEntries(me.scores.map((s) => [s.assessment, s.score])),
          }
        : null
      return benchmarksFrom(profile, opts.areas, opts.minGroup ?? MIN_GROUP, (group, areas) =>
        repo.groupScoreStats(orm, id, group, areas, opts.cohort === 'demo' ? true : null),
      )
    },
    async industryAnalytics(industry, opts = {}) {
      const minGroup = opts.minGroup ?? MIN_GROUP
      const stats = await repo.industryStats(orm, industry, opts.demo ?? false, {
        strengthAt: STRENGTH_AT,
        weaknessAt: WEAKNESS_AT,
        minGroup,
      })
      return analyticsFrom(industry, stats, minGroup, opts.top ?? 5)
    },
    counts: () => repo.graphCounts(orm),
    digest: digestOf,
    listIds: (opts) => repo.listGraphBusinessIds(orm, opts.after, opts.limit),
    async close() {
      // The database belongs to the container.
    },
  }
  return store
}
