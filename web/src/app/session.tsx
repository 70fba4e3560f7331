import { useQuery, useQueryClient } from '@tanstack/react-query'
import {
  createContext,
  startTransition,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react'
import { api, clientHooks } from '../api/client.ts'
import type { User } from '../api/types.ts'
import {
  createRealtimeClient,
  type ConnectionStatus,
  type RealtimeClient,
  type RealtimeEvent,
} from '../realtime/client.ts'
import { fmtScore, humanize } from '../lib/format.ts'
import { queries } from './queries.ts'
import { applyEvent, invalidationsFor, keys } from './query.ts'
import { useToast } from './toasts.tsx'

/** The signed-in user: `undefined` while checking, `null` when signed out. */
export function useMe(): User | null | undefined {
  const me = useQuery(queries.me)
  if (me.isError) return null
  return me.data
}

const LIVE_EVENTS = [
  'assessment.completed',
  'dashboard.updated',
  'task.updated',
  'profile.updated',
  'ai.processed',
  'alert.fired',
  'alert.resolved',
  'alert.acknowledged',
  'kpi.anomaly',
  'document.updated',
  'budget.threshold',
  'ai.usage',
  'provider.health',
]

type Activity = { id: number; text: string; at: string; type: string }
type LiveValue = { status: ConnectionStatus; activity: Activity[]; realtime: RealtimeClient | undefined }
const LiveContext = createContext<LiveValue>({ status: 'closed', activity: [], realtime: undefined })

/** What an event means, in words (the activity list and the toasts). */
export function describeEvent(event: RealtimeEvent): string | undefined {
  const p = event.payload
  switch (event.type) {
    case 'assessment.completed':
      return `New ${humanize(String(p.type ?? 'assessment'))} score: ${fmtScore(Number(p.score))}`
    case 'dashboard.updated':
      return 'Your insights were refreshed'
    case 'profile.updated':
      return 'Your profile and scores were updated'
    case 'task.updated':
      return p.status === 'completed'
        ? 'A background analysis finished'
        : p.status === 'failed'
          ? 'A background analysis failed'
          : undefined
    case 'alert.fired':
      return `Alert: ${String(p.message ?? p.ruleId ?? 'a rule fired')}`
    case 'alert.resolved':
      return `Alert resolved: ${String(p.message ?? p.ruleId ?? '')}`
    case 'kpi.anomaly':
      return `Unusual ${humanize(String(p.metric ?? 'KPI')).toLowerCase()} in ${String(p.month ?? 'a month')}`
    case 'document.updated':
      return p.status === 'analysed'
        ? 'A document analysis is ready'
        : p.status === 'failed'
          ? 'A document analysis failed'
          : undefined
    case 'budget.threshold':
      return `Budget ${String(p.budget ?? '')} at ${Math.round(Number(p.percent ?? 0))} %`
    default:
      return undefined
  }
}

/**
 * Events that deserve a toast (the rest only refresh what is on screen), and the toast each one
 * joins: one submission brings a new score, a finished analysis and refreshed insights, which
 * read as one piece of news in one toast that updates, not a stack.
 */
const TOASTED: Record<string, string> = {
  'assessment.completed': 'progress',
  'dashboard.updated': 'progress',
  'task.updated': 'progress',
  'alert.fired': 'alerts',
  'kpi.anomaly': 'kpis',
  'document.updated': 'documents',
}

/**
 * One realtime stream per signed-in user. Each event invalidates the queries it makes stale
 * (TanStack Query refetches those on screen), feeds the activity list and, for some, a toast.
 * A 401 from any request means the session is gone: the user becomes `null` and the app shows
 * the sign-in page, with the page asked for kept for after.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const user = useMe()
  const client = useQueryClient()
  const { notify } = useToast()
  const [status, setStatus] = useState<ConnectionStatus>('closed')
  const [activity, setActivity] = useState<Activity[]>([])
  const [realtime, setRealtime] = useState<RealtimeClient>()

  useEffect(() => {
    clientHooks.onUnauthorized = () => {
      if (client.getQueryData(keys.me)) client.setQueryData(keys.me, null)
    }
    return () => {
      clientHooks.onUnauthorized = undefined
    }
  }, [client])

  const userId = user?.id
  const admin = user?.role === 'admin'
  useEffect(() => {
    if (!userId) return
    const rt = createRealtimeClient({ admin, onStatus: setStatus })
    const offs = LIVE_EVENTS.map((type) =>
      rt.on(type, (event) => {
        applyEvent(client, event)
        for (const key of invalidationsFor(event)) void client.invalidateQueries({ queryKey: key })
        const text = describeEvent(event)
        if (!text) return
        // The activity line and the toast wait for the data: a new score is drawn first.
        startTransition(() => {
          setActivity((list) => [{ id: event.id, text, at: event.createdAt, type: event.type }, ...list].slice(0, 20))
          const group = TOASTED[event.type]
          if (group) notify(text, { group })
        })
      }),
    )
    rt.connect()
    setRealtime(rt)
    return () => {
      offs.forEach((off) => off())
      rt.close()
      setRealtime(undefined)
      setActivity([])
    }
  }, [userId, admin, client, notify])

  const value = useMemo(() => ({ status, activity, realtime }), [status, activity, realtime])
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>
}

export const useLive = () => useContext(LiveContext)

/** Sign out: the server forgets the session, the cache forgets the user's data. */
export function useSignOut() {
  const client = useQueryClient()
  return useCallback(async () => {
    await api.post('/api/auth/logout', undefined).catch(() => undefined)
    client.clear()
    client.setQueryData(keys.me, null)
  }, [client])
}
