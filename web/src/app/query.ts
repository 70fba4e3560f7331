import { QueryCache, QueryClient } from '@tanstack/react-query'
import type { Scores } from '../api/types.ts'
import { ApiError } from '../api/client.ts'
import type { RealtimeEvent } from '../realtime/client.ts'

/** Query keys, one place: realtime invalidation and pages agree on them. */
export const keys = {
  me: ['me'] as const,
  scores: ['scores'] as const,
  dashboard: ['dashboard'] as const,
  recommendations: ['recommendations'] as const,
  forecast: ['forecast'] as const,
  catalogue: ['assessments'] as const,
  questions: (type: string) => ['assessments', type, 'questions'] as const,
  history: (type: string) => ['assessments', type, 'history'] as const,
  submission: (type: string, id: string) => ['assessments', type, 'submission', id] as const,
  levers: ['levers'] as const,
  profile: ['profile'] as const,
  apiKeys: ['keys'] as const,
  keyUsage: ['keys', 'usage'] as const,
  usage: ['usage'] as const,
  plans: ['plans'] as const,
  peers: ['peers'] as const,
  benchmarks: ['benchmarks'] as const,
  kpis: ['kpis'] as const,
  documents: ['documents'] as const,
  admin: ['admin'] as const,
  adminAlerts: ['admin', 'alerts'] as const,
  adminMonitoring: (window: string) => ['admin', 'monitoring', window] as const,
  adminUsageSeries: (window: string, by: string) => ['admin', 'monitoring', window, 'series', by] as const,
  adminProviders: ['admin', 'providers'] as const,
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache(),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        // Retry what may pass by itself (network, 5xx, 429), never a 4xx: it would answer the same.
        retry: (count, error) => error instanceof ApiError && error.transient && count < 2,
        retryDelay: (n) => Math.min(400 * 2 ** n, 3_000),
      },
      mutations: { retry: false },
    },
  })
}

/**
 * What an event says for certain, written into the cache before the refetch: a new assessment
 * score shows as soon as its event arrives, not a round trip later (the refetch then confirms it).
 */
export function applyEvent(client: QueryClient, event: RealtimeEvent): void {
  if (event.type !== 'assessment.completed') return
  const p = event.payload as { type?: unknown; score?: unknown; overallScore?: unknown }
  if (typeof p.type !== 'string' || typeof p.score !== 'number') return
  const type = p.type
  const score = p.score
  client.setQueryData<Scores>(keys.scores, (s) =>
    s
      ? {
          ...s,
          overallScore: typeof p.overallScore === 'number' ? p.overallScore : s.overallScore,
          assessments: {
            ...s.assessments,
            [type]: { score, lastTaken: event.createdAt },
          } as Scores['assessments'],
        }
      : s,
  )
}

/** Which queries an event makes stale. Pages never reload by hand: they read the cache. */
export function invalidationsFor(event: RealtimeEvent): ReadonlyArray<readonly unknown[]> {
  switch (event.type) {
    case 'assessment.completed':
      return [
        keys.scores,
        keys.dashboard,
        keys.recommendations,
        keys.forecast,
        keys.catalogue,
        keys.peers,
        keys.benchmarks,
      ]
    case 'profile.updated':
      return [keys.scores, keys.dashboard, keys.recommendations, keys.profile, keys.catalogue, keys.levers]
    case 'dashboard.updated':
      return [keys.dashboard]
    case 'task.updated':
      return event.payload.status === 'completed' || event.payload.status === 'failed'
        ? [keys.dashboard, keys.recommendations]
        : []
    case 'alert.fired':
    case 'alert.resolved':
    case 'alert.acknowledged':
      return [keys.adminAlerts]
    case 'ai.processed':
      return [['admin', 'monitoring'], keys.adminProviders]
    case 'ai.usage':
      // Anyone's AI traffic was logged: the console's figures, series and budgets are stale.
      return [['admin', 'monitoring'], ['admin', 'budgets'], keys.adminProviders]
    case 'provider.health':
      // A breaker or a provider's status changed in some process: the console's provider table.
      return [keys.adminProviders]
    case 'budget.threshold':
      return [['admin']]
    default:
      return event.type.startsWith('kpi') ? [keys.kpis] : event.type.startsWith('document') ? [keys.documents] : []
  }
}
