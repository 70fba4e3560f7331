import { queryOptions, type QueryClient } from '@tanstack/react-query'
import { api, ApiError } from '../api/client.ts'
import { keys } from './query.ts'

/**
 * Queries more than one place starts: the page that shows them and the route that fetches them
 * ahead (`prefetchFor`), so the data is on its way while the page's code still downloads.
 */
export const queries = {
  /** The signed-in user: `null` when signed out. */
  me: queryOptions({
    queryKey: keys.me,
    queryFn: async () => {
      try {
        return (await api.get('/api/auth/me')).user
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null
        throw e
      }
    },
    staleTime: Infinity,
  }),
  scores: queryOptions({ queryKey: keys.scores, queryFn: () => api.get('/api/scores') }),
  dashboard: queryOptions({ queryKey: keys.dashboard, queryFn: () => api.get('/api/dashboard') }),
  recommendations: queryOptions({ queryKey: keys.recommendations, queryFn: () => api.get('/api/recommendations') }),
  forecast: queryOptions({ queryKey: keys.forecast, queryFn: () => api.get('/api/insights/forecast') }),
  benchmarks: queryOptions({ queryKey: keys.benchmarks, queryFn: () => api.get('/api/benchmarks') }),
}

/**
 * A route loader that starts these queries and returns at once (it never holds the navigation):
 * the requests run beside the download of the page's chunk instead of after it. Failures are
 * left to the page's own query (a 401 signs the app out as usual).
 */
export function prefetchFor(client: QueryClient, ...list: Array<(typeof queries)[keyof typeof queries]>) {
  return () => {
    for (const q of list) void client.prefetchQuery(q as Parameters<QueryClient['prefetchQuery']>[0])
    return null
  }
}
