import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError } from './api/client.ts'

export type AsyncState<T> = {
  data: T | undefined
  error: ApiError | undefined
  loading: boolean
  reload: () => Promise<void>
}

/** Load something on mount (and when `deps` change); `reload` re-runs it without clearing the data. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[] = []): AsyncState<T> {
  const [data, setData] = useState<T>()
  const [error, setError] = useState<ApiError>()
  const [loading, setLoading] = useState(true)
  const loadRef = useRef(load)
  loadRef.current = load
  const seq = useRef(0)
  const reload = useCallback(async () => {
    const mine = ++seq.current
    setLoading(true)
    try {
      const value = await loadRef.current()
      if (mine !== seq.current) return
      setData(value)
      setError(undefined)
    } catch (e) {
      if (mine !== seq.current) return
      setError(e instanceof ApiError ? e : new ApiError(0, 'client_error', e instanceof Error ? e.message : String(e)))
    } finally {
      if (mine === seq.current) setLoading(false)
    }
  }, [])
  useEffect(() => {
    void reload()
  }, deps)
  return { data, error, loading, reload }
}

export const fmtScore = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toFixed(2))
export const fmtDate = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }) : '—'
export const fmtDateTime = (iso: string | null | undefined) =>
  iso
    ? new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
    : '—'
const ACRONYMS: Record<string, string> = { ai: 'AI', bpm: 'BPM', ml: 'ML', kpi: 'KPI', it: 'IT' }
/** `ai_readiness` → `AI readiness`. */
export const humanize = (key: string) =>
  key
    .split('_')
    .map((w, i) => ACRONYMS[w.toLowerCase()] ?? (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(' ')
