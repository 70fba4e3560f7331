import type { Database } from '../../data/db.ts'
import * as repo from '../../data/repositories/graph.ts'
import { analyticsFrom, benchmarksFrom, clampLimit, recommendationsFrom } from '../shared.ts'
import {
  DEFAULT_SIMILAR_LIMIT,
  MAX_SIMILAR_LIMIT,
  MIN_GROUP,
  STRENGTH_AT,
  WEAKNESS_AT,
  type BusinessDigest,
  type GraphStore,
} from '../store.ts'

/** The GraphStore on PostgreSQL or PGlite (the embedded default): tables from migration 0006, SQL in data/repositories/graph.ts. */
export function createSqlGraphStore(options: { db: Database }): GraphStore {
  const { db } = options
  const orm = db.orm

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
    async similarBusinesses(id, opts = {}) {
      const limit = clampLimit(opts.limit, DEFAULT_SIMILAR_LIMIT, MAX_SIMILAR_LIMIT)
      const found = await repo.findSimilarBusinesses(orm, id, limit)
      return found.map((r) => ({
        id: r.id,
        industry: r.industry,
        sizeBand: r.sizeBand,
        demo: r.demo,
        similarity: r.similarity,
        sharedAssessments: r.shared,
      }))
    },
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
        repo.groupScoreStats(orm, id, group, areas),
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
    async digest(ids) {
      const list = await repo.listGraphBusinesses(orm, ids)
      return list.map((b): BusinessDigest => ({
        id: b.id,
        industry: b.industry,
        sizeBand: b.sizeBand,
        demo: b.demo,
        scores: Object.fromEntries(b.scores.map((s) => [s.assessment, s.score])),
      }))
    },
    listIds: (opts) => repo.listGraphBusinessIds(orm, opts.after, opts.limit),
    async close() {
      // The database belongs to the container.
    },
  }
  return store
}
