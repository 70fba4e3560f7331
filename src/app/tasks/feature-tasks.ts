import { defineAssessmentAnalysisTask } from '../assessments/analysis-task.ts'
import { defineDashboardRefreshTask } from '../dashboard/refresh-task.ts'
import type { FeatureDeps } from '../deps.ts'
import type { TaskService } from './task-service.ts'

/**
 * The AI features' queued tasks, each defined beside its use case: `assessment_analysis`
 * (app/assessments/analysis-task.ts) and `dashboard_refresh` (app/dashboard/refresh-task.ts).
 * Documents register theirs in app/documents/analysis-task.ts.
 */
export function defineFeatureTasks(tasks: Pick<TaskService, 'define'>, deps: FeatureDeps) {
  defineAssessmentAnalysisTask(tasks, deps)
  defineDashboardRefreshTask(tasks, deps)
}
