import { getDashboardText, upsertDashboard } from '../../data/repositories/ai-products.ts'
import { getScoreSnapshot, type ScoreSnapshot } from '../../data/repositories/feature-scores.ts'
import type { Claims } from '../../data/db.ts'
import type { Benchmark } from '../../domain/growth/benchmarks.ts'
import { dashboardBenchmarks } from '../peers/peers.ts'
import { SCORE_AREAS, type ScoreSet } from '../../domain/growth/scores.ts'
import { scoresHash } from '../scores-hash.ts'
import { NotFoundError } from '../../errors.ts'
import { publish } from '../../events/publish.ts'
import { dashboardInsights } from '../../features/dashboard-insights.ts'
import { runFeature } from '../../features/run.ts'
import type { AiCaller } from '../../gateway/types.ts'
import type { FeatureDeps } from '../deps.ts'

/** The stored dashboard content (everything the endpoint returns but `cached`). */
export type DashboardContent = {
  scores: ScoreSnapshot['scores']
  benchmarks: Benchmark[]
  strengths: Array<{ title: string; impact: string }>
  weaknesses: Array<{ title: string; impact: string }>
  roadmap: Array<{ task: string; expectedImpact: string; owner: string; timeframe: string }>
  insights: string[]
  provider: string
  requestId: string
  generatedAt: string
  scoresHash: string
}

/**
 * Peer benchmarks for a user's scores, from the peer graph (app/peers): real percentiles from at least
 * 5 peers (industry and size band, else industry, else everyone; the demo cohort, labelled, on an
 * install without enough real businesses), or rows that say how many peers are still needed.
 */
export async function benchmarksFor(deps: FeatureDeps, userId: string): Promise<Benchmark[]> {
  if (!deps.graph) return []
  return dashboardBenchmarks(
    {
      db: deps.db,
      graph: deps.graph,
      logger: deps.logger ?? console,
      minGroup: deps.config.features.benchmarkMinPeers,
    },
    userId,
  )
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))

/** Scores as `json_build_object` returns them (numbers, or numeric text on some drivers). */
function scoreSetOf(raw: Record<string, unknown>): ScoreSet {
  const areas: ScoreSet['areas'] = {}
  for (const area of SCORE_AREAS) {
    const value = num(raw[area])
    if (value !== null) areas[area] = value
  }
  return { areas, base: num(raw.base), overall: num(raw.overall) }
}

const inFlight = new Map<string, Promise<DashboardContent>>()

/**
 * Generate a user's dashboard: scores, benchmarks and the `dashboard_insights` feature; store it
 * and announce `dashboard.updated` in one transaction. Concurrent calls for one user share one run.
 */
export function generateDashboard(
  deps: FeatureDeps,
  userId: string,
  caller: AiCaller,
  options: { force?: boolean } = {},
): Promise<DashboardContent> {
  const running = inFlight.get(userId)
  if (running) return running
  const run = (async () => {
    const snapshot = await getScoreSnapshot(deps.db.orm, userId)
    if (!snapshot) throw new NotFoundError('Profile')
    const hash = scoresHash(snapshot.scores)
    const benchmarks = await benchmarksFor(deps, userId)
    // A forced refresh must not be answered from the gateway's cache of the same scores.
    const cacheScope = options.force ? `${hash}:${Date.now()}` : hash
    const { object, meta } = await runFeature(
      deps.ai,
      dashboardInsights,
      { scores: snapshot.scores, benchmarks, context: snapshot.context },
      caller,
      { cacheScope },
    )
    const generatedAt = new Date()
    const content: DashboardContent = {
      scores: snapshot.scores,
      benchmarks,
      ...object,
      provider: meta.provider,
      requestId: meta.requestId,
      generatedAt: generatedAt.toISOString(),
      scoresHash: hash,
    }
    await deps.db.transaction(async (tx) => {
      await upsertDashboard(tx, { userId, scoresHash: hash, content, provider: meta.provider, generatedAt })
      await publish(tx, {
        type: 'dashboard.updated',
        userId,
        payload: { provider: meta.provider, generatedAt: content.generatedAt },
      })
    })
    return content
  })().finally(() => inFlight.delete(userId))
  inFlight.set(userId, run)
  return run
}

/**
 * The user's dashboard: the stored one while their scores hash is unchanged (one statement under
 * RLS; the stored JSON is sent as text, never parsed or re-serialized), else a fresh generation.
 * Returns the response body as JSON text.
 */
export async function loadDashboardJson(deps: FeatureDeps, claims: Claims, caller: AiCaller): Promise<string> {
  const hit = deps.dashboardCache?.get(claims.sub)
  if (hit !== undefined) return hit
  const token = deps.dashboardCache?.begin(claims.sub) ?? 0
  // One statement as the owner, filtered by the verified caller's id: the cached path is the
  // hottest read of the product, and a transaction under the app role costs four round trips.
  const found = await getDashboardText(deps.db.orm, claims.sub)
  if (!found) throw new NotFoundError('Profile')
  if (found.content !== null && found.scoresHash === scoresHash(scoreSetOf(found.scores))) {
    const json = `{"cached":true,${found.content.trimStart().slice(1)}`
    deps.dashboardCache?.set(claims.sub, json, token)
    return json
  }
  return JSON.stringify({ ...(await generateDashboard(deps, claims.sub, caller)), cached: false })
}
