import { describe, expect, it } from 'vitest'
import type { Scores } from '../api/types.ts'
import { applyEvent, createQueryClient, invalidationsFor, keys } from './query.ts'

const scores = {
  overallScore: 3,
  baseScore: 3,
  strategyScore: 3,
  processScore: 3,
  technologyScore: 3,
  growthLastTaken: '2026-12-01T00:00:00Z',
  assessments: { sales: { score: null, lastTaken: null } },
} as unknown as Scores

describe('realtime events and the query cache', () => {
  it('writes a new assessment score into the cached scores before the refetch', () => {
    const client = createQueryClient()
    client.setQueryData(keys.scores, scores)
    const event = {
      id: 1,
      type: 'assessment.completed',
      createdAt: '2026-12-03T08:00:00Z',
      payload: { submissionId: 'x', type: 'marketing', score: 4.25, overallScore: 3.4 },
    }
    applyEvent(client, event as never)
    const next = client.getQueryData<Scores>(keys.scores)!
    expect(next.overallScore).toBe(3.4)
    expect((next.assessments as Record<string, unknown>).marketing).toEqual({
      score: 4.25,
      lastTaken: '2026-12-03T08:00:00Z',
    })
    expect((next.assessments as Record<string, unknown>).sales).toEqual({ score: null, lastTaken: null })
    expect(invalidationsFor(event as never)).toContainEqual(keys.scores)
  })

  it('leaves the cache alone for other events and when nothing is cached', () => {
    const client = createQueryClient()
    applyEvent(client, {
      id: 2,
      type: 'assessment.completed',
      createdAt: '',
      payload: { type: 'a', score: 2 },
    } as never)
    expect(client.getQueryData(keys.scores)).toBeUndefined()
    client.setQueryData(keys.scores, scores)
    applyEvent(client, { id: 3, type: 'dashboard.updated', createdAt: '', payload: {} } as never)
    expect(client.getQueryData(keys.scores)).toBe(scores)
  })

  it("turns anyone's logged AI traffic (ai.usage) into a refresh of the admin console's figures, series and budgets", () => {
    const stale = invalidationsFor({ id: 4, type: 'ai.usage', createdAt: '', payload: { through: '' } } as never)
    expect(stale).toEqual([['admin', 'monitoring'], ['admin', 'budgets'], keys.adminProviders])
    // The usage series' keys start with ['admin', 'monitoring'], so that prefix covers them.
    expect(keys.adminUsageSeries('7d', 'model').slice(0, 2)).toEqual(['admin', 'monitoring'])
  })

  it("turns a provider's breaker or status change (provider.health) into a refresh of the provider table only", () => {
    const event = {
      id: 5,
      type: 'provider.health',
      createdAt: '',
      payload: { provider: 'openai', status: 'down', breaker: 'open' },
    }
    expect(invalidationsFor(event as never)).toEqual([keys.adminProviders])
  })
})
