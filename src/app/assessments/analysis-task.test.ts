import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../../contracts/events.ts'
import type { TaskDefinition } from '../tasks/task-service.ts'
import { createRulesAiClient } from '../../features/rules-client.ts'
import type { FeatureDeps } from '../deps.ts'
import { analyzeCompletedAssessments, defineAssessmentAnalysisTask } from './analysis-task.ts'
import { defineDashboardRefreshTask } from '../dashboard/refresh-task.ts'

const deps = {
  db: undefined as never,
  ai: createRulesAiClient(),
  config: { features: { benchmarkMinPeers: 5, analyzeOnSubmit: true }, assessments: { retakeDays: 30 } },
} as unknown as FeatureDeps
const context = { db: undefined as never, userId: 'u1', taskId: 't1', attempt: 1, signal: new AbortController().signal }

function definitions() {
  const defs = new Map<string, TaskDefinition>()
  const tasks = { define: (def: TaskDefinition) => void defs.set(def.type, def) }
  defineAssessmentAnalysisTask(tasks as never, deps)
  defineDashboardRefreshTask(tasks as never, deps)
  return defs
}

describe('feature tasks', () => {
  it('defines assessment_analysis and dashboard_refresh', () => {
    expect([...definitions().keys()]).toEqual(['assessment_analysis', 'dashboard_refresh'])
  })

  it('analyses given scores of a known area with the AI feature, and keeps the deterministic analysis for other names', async () => {
    const analysis = definitions().get('assessment_analysis')!
    const known = await analysis.run(
      analysis.input.parse({ assessmentType: 'sales', scores: { sales: 0.5, process: 3 } }),
      context,
    )
    expect(known).toMatchObject({ assessmentType: 'sales', provider: 'rules' })
    expect(String(known.summary)).toContain('1.0 out of 5') // 0.5 is clamped to the 1–5 scale
    const mean = await analysis.run(
      analysis.input.parse({ assessmentType: 'bpm', scores: { strategy: 2, process: 4 } }),
      context,
    )
    expect(String(mean.summary)).toContain('3.0 out of 5')
    const other = await analysis.run(
      analysis.input.parse({ assessmentType: 'growth', scores: { strategy: 2 } }),
      context,
    )
    expect(other).toMatchObject({
      assessmentType: 'growth',
      provider: 'rules',
      weakestAreas: [{ area: 'strategy', score: 2 }],
    })
  })

  it('queues one analysis per completed assessment and only logs a failure to queue', async () => {
    let handler: ((event: StoredEvent) => Promise<void>) | undefined
    const submitted: unknown[] = []
    const warnings: unknown[] = []
    const events = {
      subscribe: (_type: string, h: (event: StoredEvent) => Promise<void>) => ((handler = h), () => undefined),
    }
    let fail = false
    const tasks = {
      submit: async (userId: string, request: unknown) => {
        if (fail) throw new Error('queue down')
        submitted.push({ userId, request })
        return undefined as never
      },
    }
    analyzeCompletedAssessments(
      events as never,
      tasks as never,
      { warn: (...args: unknown[]) => void warnings.push(args) } as never,
    )
    const event = (userId: string | null): StoredEvent => ({
      id: 1,
      type: 'assessment.completed',
      userId,
      audience: 'user',
      payload: { submissionId: 's1' },
      createdAt: '',
    })
    await handler!(event('u1'))
    await handler!(event(null))
    expect(submitted).toEqual([
      {
        userId: 'u1',
        request: { type: 'assessment_analysis', input: { submissionId: 's1' }, idempotencyKey: 'analysis:s1' },
      },
    ])
    fail = true
    await handler!(event('u1'))
    expect(warnings).toHaveLength(1)
  })
})
