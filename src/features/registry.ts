import type { AiFeature } from '../gateway/types.ts'
import { actionSuggestions } from './action-suggestions.ts'
import { assessmentAnalysis } from './assessment-analysis.ts'
import { dashboardInsights } from './dashboard-insights.ts'
import { documentAnalysis } from './document-analysis.ts'
import { growthInsights } from './growth-insights.ts'
import { growthLevers } from './growth-levers.ts'
import { kpiNarrative } from './kpi-narrative.ts'
import { profileScoring } from './profile-scoring.ts'
import { simulationCommentary } from './simulation-commentary.ts'
import { trendForecast } from './trend-forecast.ts'

export { runFeature, renderFeaturePrompt, type FeatureRun } from './run.ts'

/**
 * The registry of AI features: one declarative record per file. Routes, caching, the ledger,
 * versions and experiments key on `name`. Adding a feature is adding a file and a line here.
 */
export const FEATURES = {
  growth_insights: growthInsights,
  profile_scoring: profileScoring,
  dashboard_insights: dashboardInsights,
  growth_levers: growthLevers,
  simulation_commentary: simulationCommentary,
  assessment_analysis: assessmentAnalysis,
  trend_forecast: trendForecast,
  action_suggestions: actionSuggestions,
  kpi_narrative: kpiNarrative,
  document_analysis: documentAnalysis,
} as const

export type FeatureName = keyof typeof FEATURES

export const FEATURE_NAMES = Object.keys(FEATURES) as FeatureName[]

/** A feature by name, or undefined (for admin tooling: versions and experiments by feature). */
export function featureByName(name: string): AiFeature<unknown, unknown> | undefined {
  return (FEATURES as Record<string, AiFeature<unknown, unknown>>)[name]
}

export {
  actionSuggestions,
  assessmentAnalysis,
  dashboardInsights,
  documentAnalysis,
  growthInsights,
  growthLevers,
  kpiNarrative,
  profileScoring,
  simulationCommentary,
  trendForecast,
}
