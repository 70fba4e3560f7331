import type { Logger } from 'pino'
import type {
  AdminGraphResponse,
  BenchmarksResponse,
  PeerAnalyticsResponse,
  PeerRecommendation,
  SimilarPeersResponse,
} from '../../contracts/peers.ts'
import type { Database } from '../../data/db.ts'
import { isGraphBehind } from '../../data/repositories/graph.ts'
import { DEEP_ASSESSMENT_TYPES } from '../../domain/assessments/types.ts'
import { SCORE_AREAS } from '../../domain/growth/scores.ts'
import type { GraphSync } from '../../graph/sync.ts'
import { MIN_GROUP, type AreaBenchmark, type Cohort, type GraphStore } from '../../graph/store.ts'

/**
 * Peer use cases over the GraphStore (docs/graph.md). Every answer is about the caller's own cohort
 * (real businesses) unless that cohort is too small and a demo cohort exists: then the whole answer
 * comes from the demo cohort and says so (`cohort: "demo"`). Nothing from fewer than 5 peers is shown.
 */
export type PeersDeps = {
  db: Database
  graph: { store: GraphStore; sync: GraphSync }
  logger: Pick<Logger, 'warn'>
  minGroup?: number
}

const NO_SCORES = 'You have no assessment scores yet: take an assessment to be compared with similar businesses.'
const DEMO_NOTE = 'Not enough real businesses yet: these figures come from the demo cohort (synthetic businesses).'

/** The caller's business as the graph holds it, brought up to date first when SQL is ahead (one business). */
async function subject(deps: PeersDeps, userId: string) {
  try {
    if (await isGraphBehind(deps.db.orm, userId)) await deps.graph.sync.syncIds([userId])
  } catch (error) {
    deps.logger.warn(
      { err: error, userId },
      'graph: could not bring the caller up to date; answering from the graph as it is',
    )
  }
  const [me] = await deps.graph.store.digest([userId])
  return me
}

/** Own cohort when at least `minGroup` of its businesses share an assessment with the caller, else demo when it has as many. */
async function chooseCohort(deps: PeersDeps, userId: string): Promise<Cohort | null> {
  const min = deps.minGroup ?? MIN_GROUP
  const own = await deps.graph.store.similarBusinesses(userId, { limit: min })
  if (own.length >= min) return 'own'
  const demo = await deps.graph.store.similarBusinesses(userId, { limit: min, cohort: 'demo' })
  return demo.length >= min ? 'demo' : null
}

const cohortName = (c: Cohort | null) => (c === 'demo' ? ('demo' as const) : ('real' as const))

export async function similarPeers(deps: PeersDeps, userId: string, limit: number): Promise<SimilarPeersResponse> {
  const me = await subject(deps, userId)
  if (!me || Object.keys(me.scores).length === 0) return { peers: [], cohort: 'real', explanation: NO_SCORES }
  const cohort = await chooseCohort(deps, userId)
  if (!cohort) {
    return {
      peers: [],
      cohort: 'real',
      explanation: `Not enough peers yet: similar businesses are shown once at least ${deps.minGroup ?? MIN_GROUP} share an assessment with you.`,
    }
  }
  const found = await deps.graph.store.similarBusinesses(userId, { limit, cohort })
  return {
    peers: found.map((p) => ({
      industry: p.industry,
      sizeBand: p.sizeBand,
      similarity: p.similarity,
      sharedAssessments: p.sharedAssessments,
      demo: p.demo,
    })),
    cohort: cohortName(cohort),
    ...(cohort === 'demo' ? { explanation: DEMO_NOTE } : {}),
  }
}

/** The areas a caller's benchmarks cover: overall, the three growth areas, and every area they have a score in. */
function benchmarkAreas(scores: Record<string, number>): string[] {
  return [
    'overall',
    ...SCORE_AREAS.filter((a) => a === 'strategy' || a === 'process' || a === 'technology' || a in scores),
  ]
}

export async function peerBenchmarks(deps: PeersDeps, userId: string): Promise<BenchmarksResponse> {
  const minGroup = deps.minGroup ?? MIN_GROUP
  const me = await subject(deps, userId)
  if (!me || Object.keys(me.scores).length === 0)
    return { benchmarks: [], minGroup, cohort: 'real', explanation: NO_SCORES }
  const areas = benchmarkAreas(me.scores)
  const real = await deps.graph.store.benchmarks(userId, { areas, minGroup })
  if (real.some((b) => b.status === 'ok')) return { benchmarks: real, minGroup, cohort: 'real' }
  const demo = await deps.graph.store.benchmarks(userId, { areas, minGroup, cohort: 'demo' })
  if (demo.some((b) => b.status === 'ok')) return { benchmarks: demo, minGroup, cohort: 'demo', explanation: DEMO_NOTE }
  return {
    benchmarks: real,
    minGroup,
    cohort: 'real',
    explanation: 'Not enough peers yet: each area says how many more are needed.',
  }
}

export async function peerAnalytics(deps: PeersDeps, userId: string): Promise<PeerAnalyticsResponse> {
  const minGroup = deps.minGroup ?? MIN_GROUP
  const me = await subject(deps, userId)
  const empty = { strengths: [], weaknesses: [], clusters: [] }
  if (!me?.industry) {
    return {
      industry: null,
      status: 'no_industry',
      businesses: 0,
      ...empty,
      cohort: 'real',
      explanation: 'Add your industry to your profile to see how your industry compares.',
    }
  }
  const real = await deps.graph.store.industryAnalytics(me.industry, { minGroup })
  const pick = real.status === 'ok' ? { result: real, cohort: 'real' as const } : undefined
  const demo = pick ? undefined : await deps.graph.store.industryAnalytics(me.industry, { minGroup, demo: true })
  const chosen =
    pick ??
    (demo?.status === 'ok' ? { result: demo, cohort: 'demo' as const } : { result: real, cohort: 'real' as const })
  const r = chosen.result
  if (r.status !== 'ok') {
    return {
      industry: r.industry,
      status: 'insufficient_peers',
      businesses: r.businesses,
      needed: r.needed,
      ...empty,
      cohort: 'real',
      explanation: `Not enough peers yet: your industry needs ${r.needed} more businesses before it is analysed.`,
    }
  }
  return {
    industry: r.industry,
    status: 'ok',
    businesses: r.businesses,
    strengths: r.strengths,
    weaknesses: r.weaknesses,
    clusters: r.clusters,
    cohort: chosen.cohort,
    ...(chosen.cohort === 'demo' ? { explanation: DEMO_NOTE } : {}),
  }
}

const TAKEABLE = new Set<string>(DEEP_ASSESSMENT_TYPES)

/** Assessments similar businesses took that the caller has not (deep assessments only), with support. */
export async function peerRecommendations(deps: PeersDeps, userId: string, limit = 5): Promise<PeerRecommendation[]> {
  const me = await subject(deps, userId)
  if (!me || Object.keys(me.scores).length === 0) return []
  const cohort = await chooseCohort(deps, userId)
  if (!cohort) return []
  const list = await deps.graph.store.recommendedAssessments(userId, {
    limit: 14,
    cohort,
    minGroup: deps.minGroup ?? MIN_GROUP,
  })
  return list
    .filter((r) => TAKEABLE.has(r.assessment))
    .slice(0, limit)
    .map((r) => ({
      type: r.assessment,
      support: r.support,
      share: r.share,
      expectedScore: r.expectedScore,
      demo: cohort === 'demo',
    }))
}

/** The dashboard's benchmark rows from the graph: real peer figures, or nulls that say not enough peers yet. */
export type DashboardBenchmark = {
  area: string
  userScore: number | null
  average: number | null
  p25: number | null
  median: number | null
  p75: number | null
  percentile: number | null
  peers: number
  needed?: number
  source: 'industry_size' | 'industry' | 'global' | 'insufficient_peers'
  demo: boolean
}

export function toDashboardBenchmark(b: AreaBenchmark, demo: boolean): DashboardBenchmark {
  if (b.status !== 'ok') {
    return {
      area: b.area,
      userScore: b.score,
      average: null,
      p25: null,
      median: null,
      p75: null,
      percentile: null,
      peers: b.peers,
      needed: b.needed,
      source: 'insufficient_peers',
      demo,
    }
  }
  return {
    area: b.area,
    userScore: b.score,
    average: b.mean,
    p25: b.p25,
    median: b.p50,
    p75: b.p75,
    percentile: b.percentile,
    peers: b.peers,
    source: b.group === 'everyone' ? 'global' : b.group,
    demo,
  }
}

export async function dashboardBenchmarks(deps: PeersDeps, userId: string): Promise<DashboardBenchmark[]> {
  const answer = await peerBenchmarks(deps, userId)
  return answer.benchmarks.map((b) => toDashboardBenchmark(b, answer.cohort === 'demo'))
}

/** Admin view: counts, how far the sync lags behind SQL, and drift (a full comparison). */
export async function adminGraph(deps: PeersDeps): Promise<AdminGraphResponse> {
  const lag = await deps.graph.sync.lag()
  const sync = {
    pending: lag.pending,
    lagSeconds: lag.oldestPendingAt
      ? Math.max(0, Math.round((Date.now() - lag.oldestPendingAt.getTime()) / 1000))
      : null,
    lastSyncedAt: lag.lastSyncedAt?.toISOString() ?? null,
  }
  try {
    const counts = await deps.graph.store.counts()
    const { examples: _examples, ...drift } = await deps.graph.sync.check({ maxExamples: 0 })
    return { backend: deps.graph.store.kind, counts, sync, drift }
  } catch (error) {
    return {
      backend: deps.graph.store.kind,
      counts: { businesses: 0, demoBusinesses: 0, scores: 0, industries: 0 },
      sync,
      drift: { checked: 0, inSync: 0, missing: 0, mismatched: 0, extra: 0 },
      error: `graph unavailable: ${error instanceof Error ? error.message : String(error)}`,
    }
  }
}
