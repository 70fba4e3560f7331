/** Response types, inferred from the API's own zod contracts (type-only: nothing of zod is bundled). */
import type { z } from 'zod'
import type * as A from '../../../src/contracts/assessments.ts'
import type * as Auth from '../../../src/contracts/auth.ts'
import type * as F from '../../../src/contracts/features.ts'
import type * as G from '../../../src/contracts/governance.ts'
import type { GrowthAnswers } from '../../../src/domain/assessments/growth.ts'

export type User = Auth.User
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
export type Lever = z.infer<typeof F.lever>
export type Levers = z.infer<typeof F.leversResponse>
export type SimulationInput = z.infer<typeof F.simulationBody>
export type Simulation = z.infer<typeof F.simulationResponse>
export type Commentary = z.infer<typeof F.commentaryResponse>
export type Recommendations = z.infer<typeof F.recommendationsResponse>

/** `GET /api/admin/ai/providers` (gateway). */
export type ProviderHealth = {
  enabled: boolean
  providers: Array<{
    provider: string
    status: 'healthy' | 'degraded' | 'down'
    breaker: string
    recentErrorRate: number
    p50LatencyMs?: number
    lastSuccessAt?: string
    lastFailureAt?: string
  }>
  routes: string[]
  history: Array<{ provider: string; status: string; reason: string | null; at: string }>
}

/** `GET /api/admin/ai-monitoring` and `GET /api/admin/alerts` (governance). */
export type Monitoring = z.infer<typeof G.monitoringReport>
export type Alert = z.infer<typeof G.alert>
