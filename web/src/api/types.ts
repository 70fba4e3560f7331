/**
 * The API's paths and their request/response types, inferred from the server's own zod contracts
 * (type-only imports: nothing of zod is bundled by this file). Endpoints still being built by
 * other branches are typed here loosely and answered with an "unavailable" state when missing.
 */
import type { z } from 'zod'
import type * as A from '../../../src/contracts/assessments.ts'
import type * as Auth from '../../../src/contracts/auth.ts'
import type * as F from '../../../src/contracts/features.ts'
import type * as G from '../../../src/contracts/governance.ts'
import type * as Keys from '../../../src/contracts/api-keys.ts'
import type { Plan, PlanBody } from '../../../src/contracts/plans.ts'
import type * as K from '../../../src/contracts/kpis.ts'
import type * as D from '../../../src/contracts/documents.ts'
import type * as P from '../../../src/contracts/peers.ts'
import type * as Adv from '../../../src/contracts/advice.ts'
import type { GrowthAssessmentBody as GrowthAnswers } from '../../../src/contracts/assessments.ts'

export type User = Auth.User
export type Profile = Auth.Profile
export type ProfilePatch = z.infer<typeof Auth.profilePatch>
export type Catalogue = z.infer<typeof A.assessmentCatalogueResponse>
export type AssessmentSummary = z.infer<typeof A.assessmentSummary>
export type AssessmentQuestions = z.infer<typeof A.assessmentQuestions>
export type Question = AssessmentQuestions['groups'][number]['questions'][number]
export type SubmissionResult = z.infer<typeof A.submissionResult>
export type History = z.infer<typeof A.assessmentHistory>
export type Scores = z.infer<typeof A.scoresResponse>
export type GrowthResult = z.infer<typeof A.growthAssessmentResult>
export type { GrowthAnswers }
export type Dashboard = z.infer<typeof F.dashboardResponse>
export type Benchmark = z.infer<typeof F.benchmark>
export type Lever = z.infer<typeof F.lever>
export type Levers = z.infer<typeof F.leversResponse>
export type SimulationInput = z.infer<typeof F.simulationBody>
export type Simulation = z.infer<typeof F.simulationResponse>
export type Commentary = z.infer<typeof F.commentaryResponse>
export type Recommendations = z.infer<typeof F.recommendationsResponse>
export type Forecast = z.infer<typeof F.forecastResponse>
export type SeriesForecast = Forecast['overall']
export type Monitoring = z.infer<typeof G.monitoringReport>
export type UsageSeries = z.infer<typeof G.usageSeriesResponse>
export type Alert = z.infer<typeof G.alert>
export type AlertRule = z.infer<typeof G.alertRule>
export type ModelVersion = z.infer<typeof G.modelVersion>
export type Experiment = z.infer<typeof G.experiment>
export type Feedback = z.infer<typeof G.feedback>
export type FeedbackBody = z.infer<typeof G.feedbackBody>
export type UsageStanding = z.infer<typeof G.usageStanding>
export type KeyUsage = z.infer<typeof G.apiKeyUsageResponse>

/** `GET /api/admin/ai/providers` (gateway). */
export type ProviderHealth = {
  enabled: boolean
  providers: Array<{
    provider: string
    status: 'healthy' | 'degraded' | 'down'
    breaker: string
    /** Each model's own breaker: a failing model opens only its own. */
    models?: Array<{ model: string; breaker: 'closed' | 'open' | 'half-open' }>
    recentErrorRate: number
    p50LatencyMs?: number
    lastSuccessAt?: string
    lastFailureAt?: string
  }>
  routes: string[]
  history: Array<{ provider: string; status: string; reason: string | null; at: string }>
}
/** An API key with its settings, usage today and this month, and standing (`GET /api/keys`). */
export type ApiKey = Keys.ApiKeyView
export type CreatedKey = ApiKey & { key: string }
export type Export = { exportedAt: string; userId: string; tables: Record<string, unknown[]> }
export type AdminUsers = z.infer<typeof Auth.adminUserList>

/** A saved strategy plan (`/api/plans`). */
export type { Plan, PlanBody } from '../../../src/contracts/plans.ts'
export type PlanItem = PlanBody['items'][number]

/** KPIs (`/api/kpis*`, docs/analytics.md). */
export type KpiMonth = z.infer<typeof K.kpiMonthView>
export type KpiMonthInput = z.input<typeof K.kpiMonthRequest>
export type KpiAnomaly = z.infer<typeof K.kpiAnomaly>
export type KpiForecast = z.infer<typeof K.forecastResponse>
export type KpiAnomalies = z.infer<typeof K.anomaliesResponse>
export type KpiNarrative = z.infer<typeof K.kpiNarrativeResponse>
export type KpiImport = z.infer<typeof K.importKpiResponse>
/** Admin quality figures (`/api/admin/satisfaction`, `/api/admin/funnel`) and install-wide budgets. */
export type Satisfaction = z.infer<typeof Adv.satisfactionResponse>
export type Funnel = z.infer<typeof Adv.funnelResponse>
export type AdminBudgets = z.infer<typeof G.adminBudgetsResponse>
/** Peers (`/api/benchmarks`, `/api/peers/*`, docs/graph.md). */
export type PeerBenchmarks = z.infer<typeof P.benchmarksResponse>
export type AreaBenchmark = PeerBenchmarks['benchmarks'][number]
/** Documents (`/api/documents*`). */
export type DocumentSummary = z.infer<typeof D.documentSummary>
export type DocumentDetail = z.infer<typeof D.documentDetail>

/** Endpoints other branches are building: typed loosely, read defensively. */
export type Loose = Record<string, unknown>

export type GetRoutes = {
  '/api/auth/me': { user: User }
  '/api/scores': Scores
  '/api/dashboard': Dashboard
  '/api/recommendations': Recommendations
  '/api/insights/forecast': Forecast
  '/api/assessments': Catalogue
  '/api/assessments/:type': AssessmentQuestions
  '/api/assessments/:type/history': History
  '/api/assessments/:type/submissions/:id': Loose
  '/api/growth_studio/simulations': { simulations: Simulation[] }
  '/api/profile': Profile
  '/api/keys': { keys: ApiKey[] }
  '/api/keys/usage': KeyUsage
  '/api/me/export': Export
  '/api/me/ai-usage': UsageStanding
  '/api/plans': { plans: Plan[] }
  '/api/admin/ai/providers': ProviderHealth
  '/api/admin/ai-monitoring': Monitoring
  '/api/admin/ai-monitoring/series': UsageSeries
  '/api/admin/alerts': { alerts: Alert[] }
  '/api/admin/alert-rules': { rules: AlertRule[] }
  '/api/admin/model-versions': { versions: ModelVersion[] }
  '/api/admin/experiments': { experiments: Experiment[] }
  '/api/admin/users': AdminUsers
  '/api/admin/satisfaction': Satisfaction
  '/api/admin/funnel': Funnel
  '/api/admin/budgets': AdminBudgets
  '/api/peers/similar': z.infer<typeof P.similarPeersResponse>
  '/api/benchmarks': PeerBenchmarks
  '/api/peers/analytics': z.infer<typeof P.peerAnalyticsResponse>
  '/api/kpis': z.infer<typeof K.kpiListResponse>
  '/api/kpis/forecast': KpiForecast
  '/api/kpis/anomalies': KpiAnomalies
  '/api/kpis/narrative': KpiNarrative
  '/api/documents': z.infer<typeof D.documentList>
  '/api/documents/:id': DocumentDetail
}

export type PostRoutes = {
  '/api/auth/login': { body: z.infer<typeof Auth.loginBody>; res: { user: User } }
  '/api/auth/signup': { body: z.infer<typeof Auth.signupBody>; res: { user: User } }
  '/api/auth/logout': { body: undefined; res: null }
  '/api/auth/password': { body: z.infer<typeof Auth.changePasswordBody>; res: { changed: true; user: User } }
  '/api/growth-assessment': { body: GrowthAnswers; res: GrowthResult }
  '/api/assessments/:type': { body: z.infer<typeof A.submitAssessmentBody>; res: SubmissionResult }
  '/api/dashboard/refresh': { body: undefined; res: z.infer<typeof F.taskAccepted> }
  '/api/growth_studio/levers': { body: { refresh?: boolean }; res: Levers }
  '/api/growth_studio/simulation': { body: SimulationInput; res: Simulation }
  '/api/growth_studio/commentary': { body: { simulationId: string }; res: Commentary }
  '/api/insights/:requestId/feedback': { body: FeedbackBody; res: Feedback }
  '/api/ai/answers/:requestId/feedback': { body: FeedbackBody; res: Feedback }
  '/api/keys': { body: { name: string }; res: CreatedKey }
  '/api/keys/:id/rotate': { body: { graceSeconds?: number }; res: CreatedKey }
  '/api/plans': { body: PlanBody; res: Plan }
  '/api/admin/alerts/:id/acknowledge': { body: undefined; res: Alert }
  '/api/admin/experiments': { body: z.input<typeof G.experimentCreate>; res: Experiment }
  '/api/admin/experiments/:id/promote': { body: { versionId?: string }; res: Experiment }
  '/api/admin/experiments/:id/rollback': { body: undefined; res: Experiment }
  '/api/kpis': { body: KpiMonthInput; res: z.infer<typeof K.recordKpiResponse> }
}

export type PatchRoutes = {
  '/api/growth_studio/levers/:id/progress': { body: { progress: number }; res: Lever }
  '/api/profile': { body: ProfilePatch; res: Profile }
  '/api/plans/:id': { body: PlanBody; res: Plan }
  '/api/admin/alert-rules/:id': { body: z.infer<typeof G.alertRulePatch>; res: AlertRule }
  '/api/admin/model-versions/:id': { body: z.infer<typeof G.modelVersionPatch>; res: ModelVersion }
  '/api/admin/users/:id': { body: z.infer<typeof Auth.adminUserPatch>; res: User }
}

export type DeleteRoutes = {
  '/api/keys/:id': ApiKey
  '/api/me': { deleted: Record<string, number> }
  '/api/plans/:id': { deleted: true }
  '/api/documents/:id': null
}
