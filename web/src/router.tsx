import { createContext, useCallback, useContext, useEffect, useState, type MouseEvent, type ReactNode } from 'react'

/** A tiny history-API router: enough for a dozen pages, no dependency. */
type RouterValue = { path: string; navigate: (to: string, options?: { replace?: boolean }) => void }
const RouterContext = createContext<RouterValue>({ path: '/', navigate: () => undefined })

export function RouterProvider({ children }: { children: ReactNode }) {
  const [path, setPath] = useState(() => window.location.pathname)
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname)
    window.addEventListener('popstate', onPop)
    return () => window.removeEventListener('popstate', onPop)
  }, [])
  const navigate = useCallback((to: string, options: { replace?: boolean } = {}) => {
    if (options.replace) window.history.replaceState(null, '', to)
    else window.history.pushState(null, '', to)
    setPath(window.location.pathname)
    window.scrollTo(0, 0)
  }, [])
  return <RouterContext.Provider value={{ path, navigate }}>{children}</RouterContext.Provider>
}

export const useRouter = () => useContext(RouterContext)

export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const { navigate, path } = useRouter()
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
    e.preventDefault()
    navigate(to)
  }
  const active = path === to || (to !== '/' && path.startsWith(to + '/'))
  return (
    <a href={to} onClick={onClick} className={className} aria-current={active ? 'page' : undefined}>
      {children}
    </a>
  )
}

/** Match `/assessments/:type` style patterns; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean)
  const s = path.split('/').filter(Boolean)
  if (p.length !== s.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(s[i]!)
    else if (part !== s[i]) return null
  }
  return params
}
