import { z } from 'zod'
import type { FeatureDeps } from '../deps.ts'
import type { TaskService } from '../tasks/task-service.ts'
import { generateDashboard } from './generate-dashboard.ts'

/** The queued `dashboard_refresh` task: regenerate the caller's dashboard even when its scores did not change. */
export function defineDashboardRefreshTask(tasks: Pick<TaskService, 'define'>, deps: FeatureDeps) {
  tasks.define({
    type: 'dashboard_refresh',
    input: z.object({}).strict(),
    async run(_input, context) {
      const dashboard = await generateDashboard(
        deps,
        context.userId,
        { userId: context.userId, tier: context.tier },
        { force: true },
      )
      return { provider: dashboard.provider, generatedAt: dashboard.generatedAt, scoresHash: dashboard.scoresHash }
    },
  })
}
