import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import {
  createRealtimeClient,
  type ConnectionStatus,
  type RealtimeClient,
  type RealtimeEvent,
} from './realtime/client.ts'
import { api, ApiError } from './api/client.ts'
import type { User } from './api/types.ts'

/** The signed-in user (from the session cookie) and one realtime stream shared by every page. */
type SessionValue = {
  user: User | null | undefined
  setUser: (user: User | null) => void
  signOut: () => Promise<void>
  realtime: RealtimeClient | undefined
  status: ConnectionStatus
  events: RealtimeEvent[]
}

const SessionContext = createContext<SessionValue | undefined>(undefined)
const LIVE_EVENTS = [
  'assessment.completed',
  'dashboard.updated',
  'task.updated',
  'profile.updated',
  'ai.processed',
  'alert.fired',
  'alert.resolved',
]

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined)
  const [status, setStatus] = useState<ConnectionStatus>('closed')
  const [events, setEvents] = useState<RealtimeEvent[]>([])
  const [realtime, setRealtime] = useState<RealtimeClient>()
  const statusRef = useRef(setStatus)
  statusRef.current = setStatus

  useEffect(() => {
    api
      .get<{ user: User }>('/api/auth/me')
      .then((r) => setUser(r.user))
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status !== 401) console.warn('session check failed', e.message)
        setUser(null)
      })
  }, [])

  // One stream per signed-in user; closed on sign-out.
  useEffect(() => {
    if (!user) return
    const client = createRealtimeClient({ admin: user.role === 'admin', onStatus: (s) => statusRef.current(s) })
    const offs = LIVE_EVENTS.map((type) =>
      client.on(type, (event) => setEvents((list) => [event, ...list].slice(0, 20))),
    )
    client.connect()
    setRealtime(client)
    return () => {
      offs.forEach((off) => off())
      client.close()
      setRealtime(undefined)
    }
  }, [user])

  const signOut = useCallback(async () => {
    await api.post('/api/auth/logout').catch(() => undefined)
    setEvents([])
    setUser(null)
  }, [])

  const value = useMemo(
    () => ({ user, setUser, signOut, realtime, status, events }),
    [user, signOut, realtime, status, events],
  )
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext)
  if (!value) throw new Error('useSession outside SessionProvider')
  return value
}

/** Run `handler` on each of these realtime event types while the component is mounted. */
export function useRealtime(types: string[], handler: (event: RealtimeEvent) => void) {
  const { realtime } = useSession()
  const ref = useRef(handler)
  ref.current = handler
  const key = types.join(',')
  useEffect(() => {
    if (!realtime) return
    const offs = key.split(',').map((t) => realtime.on(t, (e) => ref.current(e)))
    return () => offs.forEach((off) => off())
  }, [realtime, key])
}
