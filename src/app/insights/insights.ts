import { getDashboard, getGrowthAssessment, setGrowthInsights } from '../../data/repositories/ai-products.ts'
import { getScoreSnapshot, listScoreEvents } from '../../data/repositories/feature-scores.ts'
import type { Claims } from '../../data/db.ts'
import { forecastScores, type ForecastAnswer } from '../../domain/forecasting/holt.ts'
import { computeOverallScore } from '../../domain/assessments/overall.ts'
import { computeBaseScore } from '../../domain/assessments/growth.ts'
import { buildHistory } from '../../domain/forecasting/history.ts'
import { computeMlScore } from '../../domain/growth/ml-score.ts'
import { findGaps, nextAssessments } from '../../domain/growth/recommendations.ts'
import type { ScoreArea } from '../../domain/growth/scores.ts'
import { scoresHash } from '../scores-hash.ts'
import { NotFoundError, OptimaliqError } from '../../errors.ts'
import { publish } from '../../events/publish.ts'
import { actionSuggestions } from '../../features/action-suggestions.ts'
import { growthInsights } from '../../features/growth-insights.ts'
import { profileScoring, type ProfileScoringInput } from '../../features/profile-scoring.ts'
import { runFeature } from '../../features/run.ts'
import { trendForecast } from '../../features/trend-forecast.ts'
import type { AiCaller } from '../../gateway/types.ts'
import type { FeatureDeps } from '../deps.ts'

/**
 * Insights on the latest (or a given) growth assessment. The area scores and the base score of
 * record are the server-computed ones stored with the assessment; the model contributes the
 * insights (its own reading of each score is kept beside them as `modelScores`).
 */
export async function growthAssessmentInsights(
  deps: FeatureDeps,
  claims: Claims,
  caller: AiCaller,
  growthAssessmentId?: string,
) {
  const { row, snapshot } = await deps.db.asUser(claims, async (tx) => ({
    row: await getGrowthAssessment(tx, claims.sub, growthAssessmentId),
    snapshot: await getScoreSnapshot(tx, claims.sub),
  }))
  if (!row) {
    if (growthAssessmentId) throw new NotFoundError('Growth assessment')
    throw new OptimaliqError(
      'growth_assessment_required',
      'Complete the growth assessment first (POST /api/growth-assessment)',
      { status: 409 },
    )
  }
  const scores = { strategy: row.strategyScore, process: row.processScore, technology: row.technologyScore }
  // The base score of record is computed by the server from the area scores, never by the model.
  const baseScore = computeBaseScore(scores)
  const { object, meta } = await runFeature(
    deps.ai,
    growthInsights,
    { answers: row.answers, scores, baseScore, context: snapshot?.context ?? {} },
    caller,
    { cacheScope: row.id },
  )
  const insights = {
    strategy: object.strategy.insight,
    process: object.process.insight,
    technology: object.technology.insight,
    summary: object.summary,
    priorities: object.priorities,
    modelScores: {
      strategy: object.strategy.score,
      process: object.process.score,
      technology: object.technology.score,
    },
  }
  await deps.db.transaction(async (tx) => {
    await setGrowthInsights(tx, row.id, insights, meta.provider)
    await publish(tx, {
      type: 'ai.processed',
      userId: claims.sub,
      payload: { feature: growthInsights.name, requestId: meta.requestId, provider: meta.provider },
    })
  })
  return { growthAssessmentId: row.id, scores, baseScore, insights, provider: meta.provider, requestId: meta.requestId }
}

/** Business-maturity estimate from the profile's onboarding fields. */
export async function scoreProfileFields(deps: FeatureDeps, caller: AiCaller, fields: ProfileScoringInput) {
  const { object, meta } = await runFeature(deps.ai, profileScoring, fields, caller)
  return { maturity: object, provider: meta.provider, requestId: meta.requestId }
}

/**
 * Forecast of the overall and per-area scores from the user's history (damped-trend Holt, or
 * what is missing before one can be made), narrated.
 */
export async function scoreForecast(deps: FeatureDeps, claims: Claims, caller: AiCaller) {
  const { events, snapshot } = await deps.db.asUser(claims, async (tx) => ({
    events: await listScoreEvents(tx, claims.sub),
    snapshot: await getScoreSnapshot(tx, claims.sub),
  }))
  const weights = deps.overallWeights
  const history = buildHistory(events, (latest) => computeOverallScore(latest, weights))
  const overall = forecastScores(history.overall)
  const areas = Object.fromEntries(
    Object.entries(history.areas).map(([area, points]) => [area, forecastScores(points)]),
  ) as Partial<Record<ScoreArea, ForecastAnswer>>
  const key = `${events.length}:${events.at(-1)?.at.toISOString() ?? 'none'}`
  const { object, meta } = await runFeature(
    deps.ai,
    trendForecast,
    {
      overall,
      areas: Object.entries(areas).map(([area, forecast]) => ({ area, forecast: forecast! })),
      industry: snapshot?.context.industry ?? null,
    },
    caller,
    { cacheScope: key },
  )
  return {
    overall,
    areas,
    history: history.overall.map((p) => ({ at: p.at.toISOString(), score: p.score })),
    narrative: object,
    provider: meta.provider,
    requestId: meta.requestId,
  }
}

/**
 * What to do next and which assessments to take next, from the user's gaps. The actions follow
 * on from the dashboard's roadmap and never repeat it (the rules take the plan's next actions;
 * a model is given the roadmap to avoid).
 */
export async function recommendations(deps: FeatureDeps, claims: Claims, caller: AiCaller, now = new Date()) {
  const { snapshot, dashboard } = await deps.db.asUser(claims, async (tx) => ({
    snapshot: await getScoreSnapshot(tx, claims.sub),
    dashboard: await getDashboard(tx, claims.sub),
  }))
  if (!snapshot) throw new NotFoundError('Profile')
  const hash = scoresHash(snapshot.scores)
  const gaps = findGaps(snapshot.scores, snapshot.lastTaken, { now, retakeDays: deps.config.assessments.retakeDays })
  const next = nextAssessments(snapshot.scores, gaps)
  const stored =
    dashboard && dashboard.scoresHash === hash ? (dashboard.content as { roadmap?: Array<{ task: string }> }) : null
  const roadmap = stored?.roadmap?.map((r) => r.task) ?? []
  const { object, meta } = await runFeature(
    deps.ai,
    actionSuggestions,
    {
      gaps,
      nextAssessments: next,
      overall: snapshot.scores.overall,
      scores: snapshot.scores,
      roadmap,
      context: snapshot.context,
    },
    caller,
    { cacheScope: `${hash}:${roadmap.length}` },
  )
  return {
    nextAssessments: next,
    gaps,
    summary: object.summary,
    actions: object.actions,
    provider: meta.provider,
    requestId: meta.requestId,
  }
}

/** The deterministic ML score; missing area scores come from the profile. */
export async function mlScore(
  deps: FeatureDeps,
  claims: Claims,
  body: {
    strategy?: number | undefined
    process?: number | undefined
    technology?: number | undefined
    industry?: string | undefined
  },
) {
  const snapshot = await deps.db.asUser(claims, (tx) => getScoreSnapshot(tx, claims.sub))
  const areas = snapshot?.scores.areas ?? {}
  const input = {
    strategy: body.strategy ?? areas.strategy ?? null,
    process: body.process ?? areas.process ?? null,
    technology: body.technology ?? areas.technology ?? null,
    industry: body.industry ?? snapshot?.context.industry ?? null,
  }
  const missing = (['strategy', 'process', 'technology'] as const).filter((a) => input[a] === null)
  if (missing.length > 0) {
    throw new OptimaliqError('scores_required', `Send ${missing.join(', ')} or complete the growth assessment first`, {
      status: 409,
      details: { missing },
    })
  }
  const result = computeMlScore({
    strategy: input.strategy!,
    process: input.process!,
    technology: input.technology!,
    industry: input.industry,
  })
  return { ...result, inputs: input }
}
