import { z } from 'zod'
import { callerOf, type FeatureDeps } from '../../app/deps.ts'
import { loadDashboardJson } from '../../app/dashboard/generate-dashboard.ts'
import { createDashboardCache } from '../../app/dashboard/dashboard-cache.ts'
import {
  commentOnSimulation,
  getGrowthLevers,
  runSimulation,
  setLeverProgress,
  simulationHistory,
} from '../../app/growth-studio/growth-studio.ts'
import {
  growthAssessmentInsights,
  mlScore,
  recommendations,
  scoreForecast,
  scoreProfileFields,
} from '../../app/insights/insights.ts'
import { errorResponse, uuidParam } from '../../contracts/common.ts'
import {
  commentaryBody,
  commentaryResponse,
  dashboardResponse,
  forecastResponse,
  growthInsightsBody,
  growthInsightsResponse,
  lever,
  leverProgressBody,
  leversBody,
  leversResponse,
  mlScoreBody,
  mlScoreResponse,
  profileUpdateBody,
  profileUpdateResponse,
  recommendationsResponse,
  simulationBody,
  simulationList,
  simulationResponse,
  taskAccepted,
} from '../../contracts/features.ts'
import { changeProfile } from '../../app/account/profile.ts'
import { peerRecommendations } from '../../app/peers/peers.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteDeps, RouteModule } from '../types.ts'

const security = [{ bearer: [] }]
const errors = {
  400: errorResponse,
  401: errorResponse,
  404: errorResponse,
  409: errorResponse,
  429: errorResponse,
  503: errorResponse,
}

/** The services' view of the container. */
export function featureDeps(
  deps: Pick<RouteDeps, 'db' | 'ai' | 'config' | 'assessments'> & Partial<Pick<RouteDeps, 'graph' | 'logger'>>,
  extra: Partial<FeatureDeps> = {},
): FeatureDeps {
  return {
    db: deps.db,
    ai: deps.ai,
    config: deps.config,
    overallWeights: deps.assessments.overallWeights,
    graph: deps.graph,
    logger: deps.logger,
    ...extra,
  }
}

/**
 * The AI feature endpoints (the seed's paths are kept). Every answer names its provider
 * (`rules` when the deterministic engine answered).
 */
export const aiFeatureRoutes: RouteModule = (app, deps) => {
  const { db, hooks, tasks } = deps
  const dashboardCache = createDashboardCache({ ttlMs: deps.config.features.dashboardCacheMs, events: deps.events })
  if (dashboardCache) {
    app.addHook('onClose', async () => dashboardCache.close())
    // Any write by a user through this process may change their scores: drop their copy before
    // the response leaves, so their next read cannot see the old dashboard. Other processes'
    // writes arrive as events (see dashboard-cache.ts).
    app.addHook('onSend', async (request) => {
      if (request.method !== 'GET' && request.method !== 'HEAD' && request.principal)
        dashboardCache.delete(request.principal.user.id)
    })
  }
  const services = featureDeps(deps, { dashboardCache })

  app.post(
    '/api/growthAssessment/getInsights',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['insights'],
        summary: 'Insights on your latest growth assessment (strategy, process, technology)',
        security,
        body: growthInsightsBody,
        response: { 200: growthInsightsResponse, ...errors },
      },
    },
    async (request) => {
      const { user, claims } = principalOf(request)
      return growthAssessmentInsights(services, claims, callerOf(user, request.id), request.body?.growthAssessmentId)
    },
  )

  app.post(
    '/api/profile/update',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['profile'],
        summary: 'Update your business fields and get a business-maturity estimate',
        security,
        body: profileUpdateBody,
        response: { 200: profileUpdateResponse, ...errors },
      },
    },
    async (request) => {
      const { user, claims } = principalOf(request)
      const profile = await changeProfile(db, claims, request.body)
      const { maturity, provider, requestId } = await scoreProfileFields(services, callerOf(user, request.id), {
        companyName: profile.companyName,
        industry: profile.industry,
        companySize: profile.companySize,
        revenueRange: profile.revenueRange,
        businessModel: profile.businessModel,
        targetMarket: profile.targetMarket,
        growthStage: profile.growthStage,
        yearsInBusiness: profile.yearsInBusiness,
        primaryGoal: profile.primaryGoal,
        fundingStatus: profile.fundingStatus,
        keyChallenges: profile.keyChallenges,
        salesChannels: profile.salesChannels,
      })
      return { profile, maturity, provider, requestId }
    },
  )

  app.get(
    '/api/dashboard',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['dashboard'],
        summary: 'Your dashboard: scores, benchmarks, strengths, weaknesses, roadmap (cached until your scores change)',
        security,
        response: { 200: dashboardResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { user, claims } = principalOf(request)
      // Already-valid JSON text (stored from a validated object): sent as is, the schema documents it.
      const body = await loadDashboardJson(services, claims, callerOf(user, request.id))
      return reply.type('application/json; charset=utf-8').send(body as never)
    },
  )

  app.post(
    '/api/dashboard/refresh',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['dashboard'],
        summary: 'Regenerate your dashboard in the background; the stream announces dashboard.updated',
        security,
        response: { 202: taskAccepted, ...errors },
      },
    },
    async (request, reply) => {
      const { user } = principalOf(request)
      const { task } = await tasks.submit(user.id, { type: 'dashboard_refresh', input: {}, priority: 1 })
      return reply.code(202).send({ taskId: task.id, status: 'queued' as const })
    },
  )

  app.post(
    '/api/growth_studio/levers',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['growth studio'],
        summary: 'Your five growth levers (cached 31 days, renewed when your scores change)',
        security,
        body: leversBody,
        response: { 200: leversResponse, ...errors },
      },
    },
    async (request) => {
      const { user, claims } = principalOf(request)
      return getGrowthLevers(services, claims, callerOf(user, request.id), { refresh: request.body?.refresh === true })
    },
  )

  app.patch(
    '/api/growth_studio/levers/:id/progress',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['growth studio'],
        summary: 'Track progress on a growth lever (0–100)',
        security,
        params: uuidParam,
        body: leverProgressBody,
        response: { 200: lever, ...errors },
      },
    },
    async (request) => {
      const { claims } = principalOf(request)
      return setLeverProgress(services, claims, request.params.id, request.body.progress)
    },
  )

  app.post(
    '/api/growth_studio/simulation',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['growth studio'],
        summary: 'What-if simulation (deterministic, kept in your history)',
        security,
        body: simulationBody,
        response: { 201: simulationResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { claims } = principalOf(request)
      return reply.code(201).send(await runSimulation(services, claims, request.body))
    },
  )

  app.get(
    '/api/growth_studio/simulations',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['growth studio'],
        summary: 'Your recent simulations, newest first',
        security,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
        response: { 200: simulationList, ...errors },
      },
    },
    async (request) => {
      const { claims } = principalOf(request)
      return { simulations: await simulationHistory(db, claims, request.query.limit) }
    },
  )

  app.post(
    '/api/growth_studio/commentary',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['growth studio'],
        summary: 'Executive commentary on a simulation (by id, or run one from the given inputs)',
        security,
        body: commentaryBody,
        response: { 200: commentaryResponse, ...errors },
      },
    },
    async (request) => {
      const { user, claims } = principalOf(request)
      const simulationId =
        request.body.simulationId ?? (await runSimulation(services, claims, request.body.simulation!)).id
      return commentOnSimulation(services, claims, callerOf(user, request.id), simulationId)
    },
  )

  app.get(
    '/api/insights/forecast',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['insights'],
        summary: 'Forecast of your overall and area scores (regression with 95 % intervals), narrated',
        security,
        response: { 200: forecastResponse, ...errors },
      },
    },
    async (request) => {
      const { user, claims } = principalOf(request)
      return scoreForecast(services, claims, callerOf(user, request.id))
    },
  )

  app.get(
    '/api/recommendations',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['insights'],
        summary: 'What to do next and which assessment to take next, from your gaps',
        security,
        response: { 200: recommendationsResponse, ...errors },
      },
    },
    async (request) => {
      const { user, claims } = principalOf(request)
      const peers = {
        db: deps.db,
        graph: deps.graph,
        logger: deps.logger,
        minGroup: deps.config.features.benchmarkMinPeers,
      }
      const [advice, fromPeers] = await Promise.all([
        recommendations(services, claims, callerOf(user, request.id)),
        peerRecommendations(peers, user.id),
      ])
      return { ...advice, fromPeers }
    },
  )

  app.post(
    '/api/ml_score',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['insights'],
        summary: 'The ML growth score: a documented deterministic model over the three area scores and industry',
        security,
        body: mlScoreBody,
        response: { 200: mlScoreResponse, ...errors },
      },
    },
    async (request) => {
      const { claims } = principalOf(request)
      return mlScore(services, claims, request.body ?? {})
    },
  )
}
